"""What ``onething case`` draws: waits with deadlines and time left, checks, actions, materials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Console

from onething.cli.case_render import progress_line, render_case
from onething.settings import Settings
from tests.unit.report.helpers import STARTED, material, view
from workflows.models import CheckView, OperatorAction, RetryView, WaitView


def shown(**fields: Any) -> str:
    console = Console(width=200, record=True, force_terminal=False)
    case = view(**fields)
    console.print(render_case(case, [], settings=Settings(), now=STARTED + timedelta(hours=1)))
    return console.export_text()


def test_a_pending_wait_shows_its_deadline_and_time_left() -> None:
    wait = WaitView(
        step="death_verification",
        provider="police",
        kind="death_at_home",
        verification_id="V-1",
        opened_at=STARTED,
        deadline=STARTED + timedelta(days=3),
    )
    text = shown(waits=[wait], waiting_on=["police"], finished_at=None)
    row = next(line for line in text.splitlines() if "death_verification" in line)
    assert "police" in row
    assert "in 2d 23h" in row
    assert "waiting on police" in text


def test_an_overdue_wait_says_so() -> None:
    wait = WaitView(
        step="death_verification",
        provider="police",
        kind="death_at_home",
        verification_id="V-1",
        opened_at=STARTED - timedelta(days=3),
        deadline=STARTED,
        breached=True,
    )
    assert "overdue 1h 00m" in shown(waits=[wait], finished_at=None)


def test_checks_actions_and_materials_are_listed() -> None:
    text = shown(
        checks=[
            CheckView(
                step="business_address",
                department="police",
                due_at=STARTED + timedelta(days=7),
            )
        ],
        actions=[
            OperatorAction(
                at=STARTED, operator="op-3", action="cancel", reason="applicant withdrew"
            )
        ],
        materials=[material("cancelled"), material("data_query", applies=False)],
    )
    assert "pending, due in 6d 23h" in text
    assert "op-3" in text
    assert "applicant withdrew" in text
    assert "materials spared: 1 of 2" in text


def test_the_progress_line_counts_done_and_skipped_steps() -> None:
    assert progress_line(view(waiting_on=["tax"])) == "running  steps 2/5  waiting on tax"


def test_a_step_retrying_a_department_shows_attempts_last_error_and_next_try() -> None:
    retry = RetryView(
        step="infant_care_tax_deduction",
        department="tax",
        attempts=6,
        error_type="DepartmentUnavailable",
        error_message="tax answered 503 at /deductions: injected_fault",
        first_failed_at=STARTED + timedelta(minutes=50),
        next_try_at=STARTED + timedelta(hours=1, seconds=40),
    )
    text = shown(
        retrying=[retry], waiting_on=["tax"], status="waiting-department", finished_at=None
    )
    row = next(line for line in text.splitlines() if "infant_care_tax_deduction" in line)
    assert "retrying" in text
    assert "tax" in row
    assert " 6 " in row
    assert "DepartmentUnavailable: tax answered 503" in row
    assert "in 40s" in row
    assert "waiting on tax" in text


def test_a_withdrawn_check_says_the_case_stopped() -> None:
    check = CheckView(
        step="business_address",
        department="police",
        due_at=STARTED + timedelta(days=7),
        outcome="withdrawn",
    )
    assert "withdrawn: the case stopped" in shown(checks=[check])
