"""Revoking a document a case obtained (compensation), at the department that issued it."""

from __future__ import annotations

from temporalio import activity

from activities.department_client import call_department
from activities.models import RevokeInput, RevokeOutput
from departments.api import Revocation, RevocationRequest


@activity.defn(name="documents.revoke")
async def revoke_document(input: RevokeInput) -> RevokeOutput:
    """Revoke one document; revoking it again returns the first revocation."""
    revocation = await call_department(
        input.document.department,
        "/revocations",
        RevocationRequest(
            case_id=input.case_id, document_number=input.document.number, reason=input.reason
        ),
        Revocation,
        idempotency_key=f"{input.case_id}/revoke/{input.document.number}",
    )
    return RevokeOutput(document=input.document, revoked_at=revocation.revoked_at)
