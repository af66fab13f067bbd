"""``onething bench`` end to end on a stack of its own: the report has every field, all sane.

No timing is asserted here: speed targets live in docs/benchmark.md, never in tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onething.constants import DEPARTMENTS

pytestmark = pytest.mark.scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
CASES = 20
IDLE_CASES = 3
#: A small population: these tests check the figures are there, not how fast a big one starts.
SMALL = {"ONETHING_POPULATION_FAMILIES": "300"}
STACK_PARTS = {
    "temporal",
    "broker",
    "codec-server",
    "bridge",
    "worker-orchestrator",
    "worker-departments",
    "workbench",
    *(f"department-{d}" for d in DEPARTMENTS),
}


def _bench_command() -> list[str]:
    script = Path(sys.executable).parent / "onething"
    if script.is_file():
        return [str(script), "bench"]
    return [sys.executable, "-m", "onething.cli", "bench"]


def _environment(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONETHING_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env | settings


def _bench(*args: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [*_bench_command(), *args, "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_startup_is_timed_cold_fresh_and_warm_part_by_part(tmp_path: Path) -> None:
    report = _bench("--startup", "--home", str(tmp_path), env=_environment(**SMALL))

    assert all(report[key] > 0 for key in ("cold_s", "fresh_s", "warm_s"))
    assert set(report["parts"]) == STACK_PARTS
    for name, part in report["parts"].items():
        assert all(0 < part[key] <= report[key] for key in ("cold_s", "fresh_s", "warm_s")), name
    assert report["cpus"] >= 1
    assert len(report["load_average"]) == 3
    templates = [path for path in (tmp_path / "cache" / "templates").iterdir() if path.is_dir()]
    assert len(templates) == 1, "the fresh start built the templates again"
    assert not list(tmp_path.glob("*/run/*.pid")), "the bench left a part running"


def test_idle_latency_is_measured_beside_bare_temporal(tmp_path: Path) -> None:
    report = _bench(
        "--idle", str(IDLE_CASES), "--home", str(tmp_path / "home"), env=_environment(**SMALL)
    )

    assert report["cases"] == IDLE_CASES
    assert 0 < report["idle_p50_ms"] <= report["idle_p95_ms"]
    assert 0 < report["baseline_idle_p50_ms"] <= report["baseline_idle_p95_ms"]
    assert report["idle_ratio"] == pytest.approx(
        report["idle_p50_ms"] / report["baseline_idle_p50_ms"], rel=0.01
    )
    for run in (report["onething"], report["baseline"]):
        assert run["completed"] == IDLE_CASES


def test_bench_reports_both_runs_with_sane_values(tmp_path: Path) -> None:
    env = _environment()
    home = tmp_path / "home"

    done = subprocess.run(
        [*_bench_command(), "--cases", str(CASES), "--workers", "2", "--json", "--home", str(home)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["cases"] == CASES
    assert report["workers"] == 2
    for run in (report["onething"], report["baseline"]):
        assert run["completed"] == CASES
        assert run["throughput"] > 0
        assert 0 < run["latency_ms"]["p50"] <= run["latency_ms"]["p95"] <= run["latency_ms"]["p99"]
        assert run["history_length"] > 10 * 3
        assert run["workflow_tasks"] >= 2
    assert report["throughput"] == report["onething"]["throughput"]
    assert report["baseline_throughput"] == report["baseline"]["throughput"]
    assert report["ratio"] == pytest.approx(
        report["throughput"] / report["baseline_throughput"], rel=0.01
    )
    assert report["latency_ms"] == report["onething"]["latency_ms"]
    assert report["history_length"] == report["onething"]["history_length"]
    peaks = report["peak_rss_mb"]
    expected = {
        "temporal",
        "broker",
        "bridge",
        *(f"department-{d}" for d in DEPARTMENTS),
        *(f"worker-{kind}-{i}" for kind in ("orchestrator", "departments") for i in (1, 2)),
        *(f"baseline-{role}-{i}" for role in ("workflows", "steps") for i in (1, 2)),
    }
    assert expected <= set(peaks)
    assert all(0 < mib < 4096 for mib in peaks.values())
    assert not list((home / "run").glob("*.pid")), "the bench left a part running"
