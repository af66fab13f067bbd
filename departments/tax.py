"""The tax bureau: individual taxpayers and their special additional deductions."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import InfantCareDeductionRequest, IssuedDocument
from departments.audit import Read, record_reads
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.refusals import checked_id_number, refuse
from departments.service import DepartmentService, PopulationSource
from departments.store import Store

INFANT_CARE_DEDUCTION: Final = "infant_care_tax_deduction"
#: The infant care deduction per child under three, per month (since 2023).
INFANT_CARE_MONTHLY_CNY: Final = 2_000

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS taxpayers (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    employer TEXT,
    registered_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS infant_care_deductions (
    child_id_number TEXT NOT NULL,
    parent_id_number TEXT NOT NULL REFERENCES taxpayers (id_number),
    number TEXT NOT NULL REFERENCES documents (number),
    monthly_cny INTEGER NOT NULL,
    from_month TEXT NOT NULL,
    PRIMARY KEY (child_id_number, parent_id_number)
);
"""

_PURPOSE_DEDUCTION: Final = "newborn: grant the parents the infant care deduction"


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register every person in work as a taxpayer."""
    conn.executemany(
        "INSERT INTO taxpayers (id_number, name, employer, registered_on) VALUES (?, ?, ?, ?)",
        [
            (p.id_number, p.name, p.employer, p.employment[-1].start.isoformat())
            for p in source.load().people()
            if p.employer is not None
        ],
    )


def grant_infant_care_deduction(
    conn: sqlite3.Connection, body: InfantCareDeductionRequest, *, caller: str
) -> IssuedDocument:
    """Grant the infant care deduction, split equally between the parents who pay tax.

    A child gets one deduction: asking again returns the first.

    Raises:
        DepartmentError: ``invalid_id_number``, ``invalid_parents`` (not one or two distinct
            parents) or ``taxpayer_not_found`` (no parent is a registered taxpayer).
    """
    child = checked_id_number(body.child_id_number, field="child_id_number")
    parents = [
        checked_id_number(value, field=f"parent_id_numbers[{i}]")
        for i, value in enumerate(body.parent_id_numbers)
    ]
    if len(parents) not in (1, 2) or len(set(parents)) != len(parents):
        raise refuse("invalid_parents", "parent_id_numbers must hold one or two distinct people")
    earlier = conn.execute(
        "SELECT number FROM infant_care_deductions WHERE child_id_number = ? LIMIT 1", (child,)
    ).fetchone()
    if earlier is not None:
        found = find_document(conn, earlier["number"], kind=INFANT_CARE_DEDUCTION)
        assert found is not None, "a deduction always has its document"
        return found
    record_reads(
        conn,
        [Read(body.case_id, caller, "taxpayer_status", p, _PURPOSE_DEDUCTION) for p in parents],
    )
    taxpayers = [
        p
        for p in parents
        if conn.execute("SELECT 1 FROM taxpayers WHERE id_number = ?", (p,)).fetchone()
    ]
    if not taxpayers:
        raise refuse(
            "taxpayer_not_found", "no person in parent_id_numbers is a registered taxpayer"
        )
    share = INFANT_CARE_MONTHLY_CNY // len(taxpayers)
    from_month = f"{child[6:10]}-{child[10:12]}"
    document = issue_document(
        conn,
        department="tax",
        kind=INFANT_CARE_DEDUCTION,
        code="ICD",
        case_id=body.case_id,
        subject_id_number=child,
        details={"taxpayers": taxpayers, "monthly_cny_each": share, "from_month": from_month},
    )
    conn.executemany(
        "INSERT INTO infant_care_deductions (child_id_number, parent_id_number, number, "
        "monthly_cny, from_month) VALUES (?, ?, ?, ?, ?)",
        [(child, p, document.number, share, from_month) for p in taxpayers],
    )
    return document


def routes(store: Store) -> APIRouter:
    """``POST /infant-care-deductions``."""
    router = APIRouter(tags=["tax"])

    @router.post("/infant-care-deductions", response_model=IssuedDocument)
    def infant_care_deductions(
        body: InfantCareDeductionRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(grant_infant_care_deduction, body=body, caller=caller)
        return respond(
            run_once(store, scope="/infant-care-deductions", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(department="tax", schema=SCHEMA, seed=seed, routes=routes)
