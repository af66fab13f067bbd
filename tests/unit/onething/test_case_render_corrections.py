"""The plain ``onething case`` view shows later events: corrections applied or rejected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

import onething.cli.times
from onething.cli.case_render import render_case
from onething.dead_letters import DeadLetterEntry
from onething.settings import Settings
from tests.unit.report.helpers import STARTED, view
from workflows.models import CorrectionView


@pytest.fixture(autouse=True)
def shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onething.cli.times, "operator_zone", lambda: ZoneInfo("Asia/Shanghai"))


def shown(*, dead_letters: tuple[DeadLetterEntry, ...] = (), **fields: Any) -> str:
    console = Console(width=220, record=True, force_terminal=False)
    case = view(**fields)
    now = STARTED + timedelta(hours=1)
    console.print(render_case(case, [], settings=Settings(), now=now, dead_letters=dead_letters))
    return console.export_text()


def test_corrections_applied_and_rejected_show_in_the_plain_view() -> None:
    corrections = [
        CorrectionView(
            event_id="e-2",
            received_at=STARTED + timedelta(minutes=1),
            outcome="applied",
            fields=["informant"],
        ),
        CorrectionView(
            event_id="e-3",
            received_at=STARTED + timedelta(minutes=2),
            outcome="rejected",
            fields=["died_at"],
            reason="died_at was already used by death_verification",
        ),
    ]

    text = shown(corrections=corrections)

    assert "later events (corrections)" in text
    applied = next(line for line in text.splitlines() if "applied" in line)
    rejected = next(line for line in text.splitlines() if "died_at" in line)
    assert "informant" in applied
    assert "16:01:00 CST" in applied  # 08:01 UTC in Shanghai
    assert "rejected" in rejected
    assert "already used by death_verification" in rejected


def test_a_correction_dead_lettered_after_the_case_closed_shows_too() -> None:
    letter = DeadLetterEntry(
        reason="correction_rejected",
        detail="newborn-T1 exists; fields ['child']: the case has ended; a new event cannot "
        "change it",
        source_topic="hospital.births",
        partition=1,
        offset=9,
        dead_lettered_at=STARTED + timedelta(minutes=5),
        case_id="newborn-T1",
    )

    text = shown(dead_letters=(letter,))

    row = next(line for line in text.splitlines() if "dead-lettered" in line)
    assert "rejected (dead-lettered)" in row
    assert "the case has ended" in row


def test_a_case_without_later_events_has_no_such_section() -> None:
    assert "later events" not in shown()
