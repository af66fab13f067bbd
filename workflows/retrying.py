"""Calls to a department that is down or slow: retried by the case, visibly.

Temporal retries an activity out of the workflow's sight: while it does, the case cannot tell an
operator what it waits on. So each call gets a short round of attempts (:data:`DEPARTMENT_ROUND`,
which absorbs a blip); when the round fails, the case records the attempts, the last error and
when it tries again, says it waits on the department, and starts another round after a durable
pause that doubles up to :data:`LONGEST_PAUSE`. A call that succeeds in its first round adds
nothing to the case's history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

with workflow.unsafe.imports_passed_through():
    from activities.errors import BAD_STEP_INPUT, DEPARTMENT_REJECTED, DEPARTMENT_UNAVAILABLE
    from onething.constants import Department

T = TypeVar("T")

_ROUND_SPENT = frozenset({RetryState.MAXIMUM_ATTEMPTS_REACHED, RetryState.TIMEOUT})
_WORDED_WITHOUT_PERSONAL_DATA = frozenset(
    {DEPARTMENT_UNAVAILABLE, DEPARTMENT_REJECTED, BAD_STEP_INPUT}
)

#: One round of attempts at a department; a round that fails is the case's to retry.
DEPARTMENT_ROUND = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=2,
    non_retryable_error_types=[DEPARTMENT_REJECTED],
)
#: Department systems go down for an afternoon: the pause between rounds stops growing here.
LONGEST_PAUSE = timedelta(minutes=2)


class RetryRecorder(Protocol):
    """What the case keeps about a department call it retries (the engine)."""

    def retry_backoff(self) -> timedelta | None:
        """The first pause between rounds, or None when the case leaves retrying to Temporal."""
        ...

    def note_retry(
        self,
        step: str,
        department: Department,
        *,
        attempts: int,
        error: tuple[str, str],
        next_try_at: datetime,
    ) -> None:
        """A round of calls for ``step`` failed; the case tries again at ``next_try_at``."""
        ...

    def note_retry_over(self, step: str) -> None:
        """The case no longer retries ``step``'s call: it succeeded, was refused or cancelled."""
        ...


async def call_department(
    recorder: RetryRecorder,
    step: str,
    department: Department,
    call: Callable[[RetryPolicy], Awaitable[T]],
) -> T:
    """Make ``call`` (an activity with the given retry policy) until the department answers.

    Args:
        recorder: The case, which shows the retries.
        step: The step (or check) the call serves.
        department: The department called.
        call: Executes the activity with the retry policy it is given.

    Returns:
        The activity's result.

    Raises:
        ActivityError: the department refused (not retried), or the case leaves retrying to
            Temporal (a case whose history predates visible retries).
    """
    rounds = 0
    try:
        while True:
            try:
                return await call(DEPARTMENT_ROUND)
            except ActivityError as err:
                if err.retry_state not in _ROUND_SPENT:
                    raise
                backoff = recorder.retry_backoff()
                if backoff is None:
                    raise
                rounds += 1
                pause = min(backoff * 2 ** (rounds - 1), LONGEST_PAUSE)
                recorder.note_retry(
                    step,
                    department,
                    attempts=rounds * (DEPARTMENT_ROUND.maximum_attempts or 1),
                    error=describe_failure(err),
                    next_try_at=workflow.now() + pause,
                )
            await workflow.sleep(pause)
    finally:
        if rounds:
            recorder.note_retry_over(step)


def describe_failure(err: BaseException) -> tuple[str, str]:
    """The searchable type and message of a failed call, for the case view.

    The activities' own errors (``DepartmentUnavailable``, ...) and Temporal's timeouts are
    worded without personal data; any other error's message could quote a value, so only its
    type is shown.
    """
    cause = err.cause if isinstance(err, ActivityError) and err.cause is not None else err
    if isinstance(cause, ApplicationError) and cause.type in _WORDED_WITHOUT_PERSONAL_DATA:
        return cause.type, cause.message
    if isinstance(cause, ActivityTimeoutError):
        return "TimeoutError", cause.message
    name = (
        cause.type if isinstance(cause, ApplicationError) and cause.type else type(cause).__name__
    )
    return name, "the message is in the worker's log (it may quote personal data)"
