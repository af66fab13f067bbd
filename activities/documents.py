"""The case's record of a document a department issued."""

from __future__ import annotations

from pydantic import BaseModel

from activities.department_client import call_department
from departments.api import IssuedDocument
from onething.constants import CASE_SCOPE, Department
from workflows.models import Document, StepInput, StepOutput


def as_document(kind: str, department: Department, issued: IssuedDocument) -> Document:
    """The document ``department`` issued, as the case records it."""
    return Document(
        kind=kind, department=department, number=issued.number, issued_at=issued.issued_at
    )


async def issue_document(
    input: StepInput, department: Department, path: str, body: BaseModel, kind: str
) -> StepOutput:
    """Ask ``department`` to issue one document for the step, and record it as ``kind``."""
    issued = await call_department(
        department,
        path,
        body,
        IssuedDocument,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(documents=[as_document(kind, department, issued)])
