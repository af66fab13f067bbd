"""``onething bench`` end to end on a stack of its own: the report has every field, all sane.

No timing is asserted here: speed targets live in docs/benchmark.md, never in tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onething.constants import DEPARTMENTS

pytestmark = pytest.mark.scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
CASES = 20


def _bench_command() -> list[str]:
    script = Path(sys.executable).parent / "onething"
    if script.is_file():
        return [str(script), "bench"]
    return [sys.executable, "-m", "onething.cli", "bench"]


def test_bench_reports_both_runs_with_sane_values(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONETHING_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
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
