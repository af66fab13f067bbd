"""The bench's report: the one JSON object of ``onething bench --json``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onething.bench.phases import RunResult
from onething.bench.stats import Latency, latency_ms, ratio, throughput


class RunReport(BaseModel):
    """One timed run, onething's or the baseline's."""

    model_config = ConfigDict(frozen=True)

    cases: int
    completed: int = Field(description="Cases that ended as they should.")
    elapsed_s: float = Field(description="From the first hand-over to the last close.")
    throughput: float = Field(description="Cases per second.")
    latency_ms: Latency
    history_length: int = Field(description="Events in the history of one case.")
    workflow_tasks: int = Field(description="Workflow tasks one case took.")
    cpu_s: dict[str, float] = Field(
        default_factory=dict, description="CPU seconds each process used during the run."
    )

    @classmethod
    def of(cls, result: RunResult, *, cpu_s: dict[str, float] | None = None) -> RunReport:
        """Summarise a run's measurements, with the CPU time each process used meanwhile."""
        return cls(
            cases=result.cases,
            completed=result.completed,
            elapsed_s=round(result.elapsed_s, 3),
            throughput=round(throughput(result.cases, result.elapsed_s), 2),
            latency_ms=latency_ms(result.latencies_s),
            history_length=result.history.length,
            workflow_tasks=result.history.workflow_tasks,
            cpu_s=cpu_s or {},
        )


class BenchReport(BaseModel):
    """onething beside bare Temporal, on the same server in the same run."""

    model_config = ConfigDict(frozen=True)

    cases: int
    workers: int = Field(description="Worker processes of each kind.")
    window: int = Field(description="Cases in flight at most.")
    throughput: float = Field(description="onething's cases per second.")
    baseline_throughput: float = Field(description="The bare workflow's cases per second.")
    ratio: float = Field(description="throughput / baseline_throughput.")
    latency_ms: Latency = Field(description="onething, from publish to case completed.")
    history_length: int = Field(description="Events in the Temporal history of one case.")
    peak_rss_mb: dict[str, float] = Field(description="VmHWM of each process, in MiB.")
    onething: RunReport
    baseline: RunReport

    @classmethod
    def of(
        cls,
        *,
        workers: int,
        window: int,
        onething: RunReport,
        baseline: RunReport,
        peak_rss_mb: dict[str, float],
    ) -> BenchReport:
        """Put both runs side by side."""
        return cls(
            cases=onething.cases,
            workers=workers,
            window=window,
            throughput=onething.throughput,
            baseline_throughput=baseline.throughput,
            ratio=round(
                ratio(
                    throughput(onething.cases, onething.elapsed_s),
                    throughput(baseline.cases, baseline.elapsed_s),
                ),
                3,
            ),
            latency_ms=onething.latency_ms,
            history_length=onething.history_length,
            peak_rss_mb=peak_rss_mb,
            onething=onething,
            baseline=baseline,
        )


class IdleReport(BaseModel):
    """The JSON object of ``onething bench --idle N --json``: one case at a time, both sides.

    Each case (and each bare workflow) is handed over only after the one before closed, so
    every latency is that of a case on an otherwise idle stack.
    """

    model_config = ConfigDict(frozen=True)

    cases: int
    idle_p50_ms: float = Field(description="onething: median from publish to case closed.")
    idle_p95_ms: float
    baseline_idle_p50_ms: float = Field(
        description="The bare workflow: median from start request to closed."
    )
    baseline_idle_p95_ms: float
    idle_ratio: float = Field(description="idle_p50_ms / baseline_idle_p50_ms.")
    onething: RunReport
    baseline: RunReport

    @classmethod
    def of(cls, bench: BenchReport) -> IdleReport:
        """The idle figures of a bench run made one case at a time."""
        mine, bare = bench.onething.latency_ms, bench.baseline.latency_ms
        return cls(
            cases=bench.cases,
            idle_p50_ms=mine.p50,
            idle_p95_ms=mine.p95,
            baseline_idle_p50_ms=bare.p50,
            baseline_idle_p95_ms=bare.p95,
            idle_ratio=round(ratio(mine.p50, bare.p50), 3),
            onething=bench.onething,
            baseline=bench.baseline,
        )
