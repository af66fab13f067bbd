"""Issuing and revoking documents: unique, readable numbers that carry no personal data.

A number reads ``<DEPARTMENT>-<KIND>-<YEAR>-<SERIAL>``, e.g. ``HLT-BMC-2026-000001``; the serial
counts per department, kind and year. Every document lives in the common ``documents`` table, so
any of them can be revoked the same way (``POST /revocations``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any, Final

from departments.api import IssuedDocument, Revocation
from departments.clock import now_in_china
from departments.refusals import refuse
from onething.constants import Department

DEPARTMENT_CODES: Final[dict[Department, str]] = {
    "health": "HLT",
    "police": "POL",
    "social_security": "SSC",
    "tax": "TAX",
    "market_regulation": "MKT",
    "civil_affairs": "CIV",
}


def issue_document(
    conn: sqlite3.Connection,
    *,
    department: Department,
    kind: str,
    code: str,
    case_id: str,
    subject_id_number: str | None,
    details: Mapping[str, Any],
) -> IssuedDocument:
    """Number and record a document, inside the caller's transaction.

    Args:
        conn: The connection, in a transaction.
        department: The issuing department.
        kind: The document kind as the contract names it, e.g. ``birth_medical_certificate``.
        code: The three-letter kind code in the number, e.g. ``BMC``.
        case_id: The case the document serves.
        subject_id_number: The person the document is about, if any.
        details: What the document says (kept in the department's database only).

    Returns:
        The document's number and time of issue.
    """
    issued_at = now_in_china()
    number = next_number(conn, department=department, code=code, year=issued_at.year)
    conn.execute(
        "INSERT INTO documents (number, kind, case_id, issued_at, subject_id_number, body) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            number,
            kind,
            case_id,
            issued_at.isoformat(),
            subject_id_number,
            json.dumps(details, ensure_ascii=False, default=str),
        ),
    )
    return IssuedDocument(number=number, issued_at=issued_at)


def next_number(conn: sqlite3.Connection, *, department: Department, code: str, year: int) -> str:
    """The next number ``<DEPARTMENT>-<CODE>-<YEAR>-<SERIAL>``, inside the caller's transaction.

    Documents and other records a department numbers (verifications, say) share this scheme.
    """
    prefix = f"{DEPARTMENT_CODES[department]}-{code}-{year}"
    (serial,) = conn.execute(
        "INSERT INTO counters (prefix, last) VALUES (?, 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
        (prefix,),
    ).fetchone()
    return f"{prefix}-{serial:06d}"


def revoke_document(
    conn: sqlite3.Connection, *, number: str, case_id: str, reason: str
) -> Revocation:
    """Mark a document this department issued as revoked, inside the caller's transaction.

    Revoking is idempotent: a document already revoked keeps its first revocation.

    Args:
        conn: The connection, in a transaction.
        number: The document's number.
        case_id: The case that revokes it.
        reason: Why (kept in the department's database only).

    Returns:
        The number and the time it was (first) revoked.

    Raises:
        DepartmentError: ``unknown_document`` when this department never issued ``number``.
    """
    row = conn.execute("SELECT revoked_at FROM documents WHERE number = ?", (number,)).fetchone()
    if row is None:
        raise refuse("unknown_document", "document_number names no document this department issued")
    if row["revoked_at"] is not None:
        return Revocation.model_validate(
            {"document_number": number, "revoked_at": row["revoked_at"]}
        )
    revoked_at = now_in_china()
    conn.execute(
        "UPDATE documents SET revoked_at = ?, revoked_for_case = ?, revocation_reason = ? "
        "WHERE number = ?",
        (revoked_at.isoformat(), case_id, reason, number),
    )
    return Revocation(document_number=number, revoked_at=revoked_at)


def is_revoked(conn: sqlite3.Connection, number: str) -> bool:
    """Whether the document ``number`` was revoked (False for a number never issued)."""
    row = conn.execute("SELECT revoked_at FROM documents WHERE number = ?", (number,)).fetchone()
    return row is not None and row["revoked_at"] is not None


def find_document(conn: sqlite3.Connection, number: str, *, kind: str) -> IssuedDocument | None:
    """The document of ``kind`` with ``number``, or None if this department never issued it."""
    row = conn.execute(
        "SELECT number, issued_at FROM documents WHERE number = ? AND kind = ?", (number, kind)
    ).fetchone()
    if row is None:
        return None
    return IssuedDocument.model_validate({"number": row["number"], "issued_at": row["issued_at"]})
