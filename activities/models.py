"""Models in and out of the activities every department hosts: verifications and revocations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from onething.constants import Bundle, Department
from workflows.models import Document

VerificationState = Literal["confirmed", "refused", "pending", "withdrawn"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class VerificationInput(_Model):
    """Input of ``verification.open``: ``requested_by`` asks ``provider`` to confirm ``kind``."""

    case_id: str
    bundle: Bundle
    step: str
    provider: Department
    requested_by: Department
    kind: str
    subject: dict[str, Any]

    @property
    def idempotency_key(self) -> str:
        """One verification per case step, however often the activity is retried."""
        return f"{self.case_id}/{self.step}"


class VerificationOutcome(_Model):
    """Where a verification stands at the provider."""

    verification_id: str
    status: VerificationState
    detail: str = ""


class VerificationAnswerInput(_Model):
    """Input of ``verification.record_answer``: a person's answer, recorded at the provider."""

    case_id: str
    provider: Department
    verification_id: str
    answer: Literal["confirmed", "refused"]
    operator: str
    reason: str


class WithdrawInput(_Model):
    """Input of ``verification.withdraw``: the case stopped; ``reason`` is why (a failure type)."""

    case_id: str
    provider: Department
    reason: str


class WithdrawOutput(_Model):
    """The verifications the provider withdrew (none when nothing was pending)."""

    withdrawn: list[str]


class RevokeInput(_Model):
    """Input of ``documents.revoke``: undo a document the case obtained."""

    case_id: str
    document: Document
    reason: str


class RevokeOutput(_Model):
    """The revoked document and when it was revoked."""

    document: Document
    revoked_at: datetime
