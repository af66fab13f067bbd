"""What a case that stops (cancelled, rejected, revoked) withdraws from the departments it asked.

A verification still pending at a provider would send a person to answer it (an officer to the
home of someone whose case was cancelled), so the stopping case withdraws it, saying why.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.models import WithdrawInput, WithdrawOutput
    from activities.verifications import withdraw_verifications
    from onething.constants import Department, department_task_queue
    from workflows.steps import ACTIVITY_TIMEOUT, AnyStep, Commitment, Verification

#: A stopping case must end even when a provider is down: a few minutes of tries, then a note.
WITHDRAW_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=8,
)


def asked_of(step: AnyStep) -> Department | None:
    """The department a step may have left a pending verification at, if any."""
    if isinstance(step, Verification):
        return step.provider
    if isinstance(step, Commitment):
        return step.fallback.provider
    return None


async def withdraw(case_id: str, provider: Department, reason: str) -> str:
    """Withdraw the case's pending verifications at ``provider``.

    Args:
        case_id: The stopping case.
        provider: Where its verifications may be pending.
        reason: Why the case stopped: a searchable failure type, never personal data.

    Returns:
        A note for the steps that asked ``provider``: what was withdrawn, or that the withdrawal
        failed and must be done by hand.
    """
    try:
        output: WithdrawOutput = await workflow.execute_activity(
            withdraw_verifications,
            WithdrawInput(case_id=case_id, provider=provider, reason=reason),
            task_queue=department_task_queue(provider),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=WITHDRAW_RETRY,
        )
    except ActivityError:
        workflow.logger.warning("case %s could not withdraw at %s", case_id, provider)
        return f"withdrawal at {provider} failed: withdraw it there by hand"
    if not output.withdrawn:
        return f"nothing was pending at {provider}"
    return f"withdrawn at {provider}: {', '.join(output.withdrawn)}"
