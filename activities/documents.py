"""The case's record of a document a department issued."""

from __future__ import annotations

from departments.api import IssuedDocument
from onething.constants import Department
from workflows.models import Document


def as_document(kind: str, department: Department, issued: IssuedDocument) -> Document:
    """The document ``department`` issued, as the case records it."""
    return Document(
        kind=kind, department=department, number=issued.number, issued_at=issued.issued_at
    )
