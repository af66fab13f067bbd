"""Kills go to the PID the supervisor recorded, and a seed gives the same plan."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from onething.chaos.kills import (
    TARGETS,
    NotRunningError,
    choose_part,
    kill_part,
    pid_file,
    plan_kills,
)
from onething.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


def test_a_seed_gives_the_same_plan_within_the_gaps() -> None:
    plan = plan_kills(10, seed=4, gap_s=(1.0, 3.0))

    assert plan == plan_kills(10, seed=4, gap_s=(1.0, 3.0))
    assert plan != plan_kills(10, seed=5, gap_s=(1.0, 3.0))
    assert all(1.0 <= kill.after_s <= 3.0 for kill in plan)
    assert {kill.kind for kill in plan} <= set(TARGETS)


def test_the_broker_is_never_a_target() -> None:
    assert not any("broker" in part for parts in TARGETS.values() for part in parts)


def test_kill_part_sigkills_the_recorded_pid(settings: Settings) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = pid_file(settings, "bridge")
        path.parent.mkdir(parents=True)
        path.write_text(f"{child.pid}\n")

        assert choose_part(settings, "bridge", random.Random(1)) == "bridge"
        assert kill_part(settings, "bridge") == child.pid
        assert child.wait(timeout=10) == -9
    finally:
        child.kill()
        child.wait()


def test_a_part_without_a_pid_file_is_not_running(settings: Settings) -> None:
    assert choose_part(settings, "departments", random.Random(1)) is None
    with pytest.raises(NotRunningError, match="department-police is not running"):
        kill_part(settings, "department-police")
