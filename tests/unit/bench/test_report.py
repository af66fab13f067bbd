"""The report: two runs side by side, and the fields of ``onething bench --json``."""

from __future__ import annotations

import json

import pytest

from onething.bench.phases import RunResult, summarise
from onething.bench.report import BenchReport, IdleReport, RunReport
from onething.bench.timing import Closed, HistoryStats


def _run(cases: int, elapsed_s: float, *, completed: int | None = None) -> RunResult:
    return RunResult(
        cases=cases,
        completed=cases if completed is None else completed,
        elapsed_s=elapsed_s,
        latencies_s=tuple(elapsed_s * (i + 1) / cases for i in range(cases)),
        history=HistoryStats(length=55, workflow_tasks=6),
    )


def test_elapsed_runs_from_the_first_hand_over_to_the_last_close() -> None:
    handed_over = {"a": 100.0, "b": 100.5, "c": 101.0}
    closed = [Closed("a", 103.0, ok=True), Closed("c", 104.0, ok=True), Closed("b", 102.0, ok=True)]

    elapsed, latencies = summarise(handed_over, [*closed, Closed("other-run", 999.0, ok=True)])

    assert elapsed == 4.0
    assert sorted(latencies) == [1.5, 3.0, 3.0]


def test_a_run_with_nothing_closed_cannot_be_summarised() -> None:
    with pytest.raises(ValueError, match="no workflow"):
        summarise({"a": 1.0}, [])


def test_the_report_puts_both_runs_side_by_side() -> None:
    onething = RunReport.of(_run(1000, 50.0), cpu_s={"temporal": 12.5})
    baseline = RunReport.of(_run(1000, 40.0))

    report = BenchReport.of(
        workers=2,
        window=1000,
        onething=onething,
        baseline=baseline,
        peak_rss_mb={"temporal": 300.0},
    )

    assert (report.throughput, report.baseline_throughput) == (20.0, 25.0)
    assert report.ratio == 0.8
    assert report.latency_ms == onething.latency_ms
    assert report.latency_ms.p50 == pytest.approx(25_025.0)
    assert report.history_length == 55
    assert report.onething.cpu_s == {"temporal": 12.5}


def test_the_json_has_the_fields_the_issue_names() -> None:
    run = RunReport.of(_run(10, 2.0))
    report = BenchReport.of(
        workers=1, window=10, onething=run, baseline=run, peak_rss_mb={"bridge": 90.0}
    )

    fields = json.loads(report.model_dump_json())

    assert {
        "cases",
        "throughput",
        "baseline_throughput",
        "ratio",
        "latency_ms",
        "peak_rss_mb",
        "history_length",
    } <= set(fields)
    assert set(fields["latency_ms"]) == {"p50", "p95", "p99"}
    assert fields["peak_rss_mb"] == {"bridge": 90.0}


def test_the_idle_report_compares_the_medians() -> None:
    onething = RunReport.of(_run(5, 2.0))
    baseline = RunReport.of(_run(5, 1.0))
    bench = BenchReport.of(
        workers=1, window=1, onething=onething, baseline=baseline, peak_rss_mb={}
    )

    idle = IdleReport.of(bench)

    assert idle.cases == 5
    assert (idle.idle_p50_ms, idle.baseline_idle_p50_ms) == (
        onething.latency_ms.p50,
        baseline.latency_ms.p50,
    )
    assert idle.idle_p95_ms == onething.latency_ms.p95
    assert idle.idle_ratio == pytest.approx(2.0)
    assert {"idle_p50_ms", "baseline_idle_p50_ms", "idle_ratio"} <= set(
        json.loads(idle.model_dump_json())
    )
