"""When a case closes, every department is told, and the case's scope opens nothing there."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from fastapi import FastAPI

from activities.closures import FINAL_STATUSES, announce_closure
from departments.api import Faults
from onething.constants import DEPARTMENTS, Department
from onething.settings import Settings


def _closed(settings: Settings, department: Department) -> list[str]:
    with closing(sqlite3.connect(settings.department_db(department))) as conn:
        return [case for (case,) in conn.execute("SELECT case_id FROM closed_cases")]


async def test_every_department_is_told_that_a_case_closed(
    departments: dict[Department, FastAPI], settings: Settings
) -> None:
    await announce_closure("newborn-CL-1", settings=settings)
    await announce_closure("newborn-CL-1", settings=settings)  # told twice: recorded once

    assert {d: _closed(settings, d) for d in DEPARTMENTS} == {
        d: ["newborn-CL-1"] for d in DEPARTMENTS
    }


async def test_a_department_that_cannot_be_told_does_not_stop_the_others(
    departments: dict[Department, FastAPI], settings: Settings
) -> None:
    departments["tax"].state.faults.set(Faults(error_rate=1.0))

    await announce_closure("newborn-CL-2", settings=settings)

    assert _closed(settings, "tax") == []
    assert _closed(settings, "police") == ["newborn-CL-2"]


def test_only_final_statuses_close_a_case() -> None:
    assert {"completed", "rejected", "revoked", "failed"} == FINAL_STATUSES
    assert "running" not in FINAL_STATUSES
