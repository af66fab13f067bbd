"""A small chaos run: 20 cases of every bundle while three parts are SIGKILLed; none lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from onething.chaos import run_chaos
from onething.settings import Settings

pytestmark = pytest.mark.scenario


async def test_a_small_chaos_run_loses_nothing_and_does_nothing_twice(tmp_path: Path) -> None:
    lines: list[str] = []

    report = await run_chaos(
        Settings(population_families=1000),
        cases=20,
        kills=3,
        seed=5,
        home=tmp_path / "home",
        timeout_s=240,
        gap_s=(1.0, 4.0),
        progress=lines.append,
    )

    assert report.cases_published == report.started == 20
    assert (report.lost, report.duplicated) == (0, 0), report.lost_cases
    assert report.documents_issued_twice == report.documents_not_in_view == 0
    assert report.completed == 20, report.ended_otherwise
    assert len(report.kills) == 3
    assert report.restarts >= 3, lines
    assert set(report.by_kind) == {"newborn", "retirement", "death", "business", "business-pledge"}
    assert lines[-1] == "stopping the stack"
    assert not list((tmp_path / "home" / "run").glob("*.pid"))
    print(f"\nchaos: {report.model_dump_json()}")
