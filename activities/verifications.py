"""Department verification, point to point: open a request at the provider, record the answer.

A case that stops withdraws at each provider what it still has pending there.
"""

from __future__ import annotations

from temporalio import activity

from activities.department_client import call_department
from activities.models import (
    VerificationAnswerInput,
    VerificationInput,
    VerificationOutcome,
    WithdrawInput,
    WithdrawOutput,
)
from departments.api import (
    VerificationAnswer,
    VerificationRequest,
    VerificationStatus,
    VerificationsWithdrawn,
    VerificationWithdrawal,
)


@activity.defn(name="verification.open")
async def open_verification(input: VerificationInput) -> VerificationOutcome:
    """Ask the provider; it answers at once or leaves the request pending for a person."""
    status = await call_department(
        input.provider,
        "/verifications",
        VerificationRequest(
            case_id=input.case_id,
            requested_by=input.requested_by,
            kind=input.kind,
            subject=input.subject,
        ),
        VerificationStatus,
        idempotency_key=input.idempotency_key,
        asked_by=input.requested_by,
    )
    return VerificationOutcome(
        verification_id=status.verification_id, status=status.status, detail=status.detail
    )


@activity.defn(name="verification.record_answer")
async def record_verification_answer(input: VerificationAnswerInput) -> VerificationOutcome:
    """Record a person's answer at the provider, so its own records say who answered and why."""
    status = await call_department(
        input.provider,
        f"/verifications/{input.verification_id}/answer",
        VerificationAnswer(answer=input.answer, operator=input.operator, reason=input.reason),
        VerificationStatus,
        # The answer is part of the key: answering the other way must reach the department,
        # which refuses it (already_answered), rather than replay the first answer.
        idempotency_key=f"{input.case_id}/answer/{input.verification_id}/{input.answer}",
    )
    return VerificationOutcome(
        verification_id=status.verification_id, status=status.status, detail=status.detail
    )


@activity.defn(name="verification.withdraw")
async def withdraw_verifications(input: WithdrawInput) -> WithdrawOutput:
    """Withdraw the case's pending verifications at the provider, so no person answers them."""
    withdrawn = await call_department(
        input.provider,
        "/verifications/withdraw",
        VerificationWithdrawal(case_id=input.case_id, reason=input.reason),
        VerificationsWithdrawn,
        idempotency_key=f"{input.case_id}/withdraw",
    )
    return WithdrawOutput(withdrawn=withdrawn.withdrawn)
