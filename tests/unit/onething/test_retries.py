"""The retry cell of ``onething cases --waiting-on``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from onething.retries import retry_summary
from workflows.models import RetryView

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _retry(step: str, next_in: timedelta) -> RetryView:
    return RetryView(
        step=step,
        department="tax",
        attempts=6,
        error_type="DepartmentUnavailable",
        error_message="tax answered 503 at /x: injected_fault",
        first_failed_at=NOW - timedelta(minutes=3),
        next_try_at=NOW + next_in,
    )


def test_each_retry_names_its_step_attempts_error_and_next_try() -> None:
    cell = retry_summary(
        [_retry("tax_registration", timedelta(seconds=40)), _retry("x", -timedelta(seconds=1))],
        NOW,
    )
    assert cell == (
        "tax_registration: 6 attempts, DepartmentUnavailable, next try in 40s; "
        "x: 6 attempts, DepartmentUnavailable, next try now"
    )


def test_no_retries_is_an_empty_cell() -> None:
    assert retry_summary([], NOW) == ""
