"""The tax bureau: individual and enterprise taxpayers, deductions, pensions and final returns."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    CompanyRegistrationRequest,
    DeathRecordRequest,
    InfantCareDeductionRequest,
    IssuedDocument,
    PensionIncomeRequest,
)
from departments.audit import Read, record_reads
from departments.clock import now_in_china
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.refusals import checked_age, checked_id_number, checked_uscc, refuse
from departments.service import DepartmentService, PopulationSource
from departments.store import Store
from events.plausibility import (
    MAX_AGE,
    MAX_FATHER_AGE,
    MIN_EARLY_RETIREMENT_AGE,
    MIN_PARENT_AGE,
    birth_date_in,
)

INFANT_CARE_DEDUCTION: Final = "infant_care_tax_deduction"
PENSION_INCOME_REGISTRATION: Final = "pension_income_registration"
DECEASED_TAX_SETTLEMENT: Final = "deceased_tax_settlement"
TAX_REGISTRATION: Final = "tax_registration"
#: The infant care deduction per child under three, per month (since 2023).
INFANT_CARE_MONTHLY_CNY: Final = 2_000

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS taxpayers (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    employer TEXT,
    registered_on TEXT NOT NULL,
    closed_on TEXT
);
CREATE TABLE IF NOT EXISTS infant_care_deductions (
    child_id_number TEXT NOT NULL,
    parent_id_number TEXT NOT NULL REFERENCES taxpayers (id_number),
    number TEXT NOT NULL REFERENCES documents (number),
    monthly_cny INTEGER NOT NULL,
    from_month TEXT NOT NULL,
    PRIMARY KEY (child_id_number, parent_id_number)
);
CREATE TABLE IF NOT EXISTS pension_incomes (
    id_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    pension_number TEXT NOT NULL,
    monthly_cny INTEGER NOT NULL,
    former_employer TEXT
);
CREATE TABLE IF NOT EXISTS tax_settlements (
    id_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    death_certificate_number TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enterprises (
    uscc TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    name TEXT NOT NULL,
    legal_representative_id_number TEXT NOT NULL
);
"""

_PURPOSE_DEDUCTION: Final = "newborn: grant the parents the infant care deduction"
_PURPOSE_PENSION: Final = "retirement: register the pension and stop employer withholding"
_PURPOSE_SETTLEMENT: Final = "death: settle the deceased's individual income tax"


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
            parents), ``implausible_age`` (the child is not born yet, or a parent was not
            of an age to be one) or ``taxpayer_not_found`` (no parent is a registered taxpayer).
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
    _check_ages(child, parents)
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


def _check_ages(child: str, parents: list[str]) -> None:
    born = birth_date_in(child)
    # Not "under three": the deduction may be claimed afterwards for the months it covered.
    checked_age(
        born,
        now_in_china(),
        field="child_id_number",
        youngest=0,
        oldest=MAX_AGE,
        what="have been born by now",
    )
    for i, parent in enumerate(parents):
        checked_age(
            birth_date_in(parent),
            born,
            field=f"parent_id_numbers[{i}]",
            youngest=MIN_PARENT_AGE,
            oldest=MAX_FATHER_AGE,
            what="be a parent of child_id_number",
        )


def register_pension_income(
    conn: sqlite3.Connection, body: PensionIncomeRequest, *, caller: str
) -> IssuedDocument:
    """Register a basic pension as tax-exempt income and stop the employer's withholding.

    A person's pension is registered once: asking again returns the first registration.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``implausible_age`` (younger than anyone
            who may draw a pension).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM pension_incomes WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], PENSION_INCOME_REGISTRATION)
    checked_age(
        birth_date_in(id_number),
        now_in_china(),
        field="id_number",
        youngest=MIN_EARLY_RETIREMENT_AGE,
        oldest=MAX_AGE,
        what="draw a pension",
    )
    record_reads(conn, [Read(body.case_id, caller, "taxpayer_status", id_number, _PURPOSE_PENSION)])
    taxpayer = conn.execute(
        "SELECT employer FROM taxpayers WHERE id_number = ?", (id_number,)
    ).fetchone()
    employer = taxpayer["employer"] if taxpayer is not None else None
    document = issue_document(
        conn,
        department="tax",
        kind=PENSION_INCOME_REGISTRATION,
        code="PIR",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "pension_number": body.pension_number,
            "monthly_cny": body.monthly_pension_cny,
            # The basic pension is exempt under Art. 4 of the Individual Income Tax Law.
            "exempt": True,
            "withholding_stopped_for": employer,
        },
    )
    conn.execute("UPDATE taxpayers SET employer = NULL WHERE id_number = ?", (id_number,))
    conn.execute(
        "INSERT INTO pension_incomes (id_number, number, pension_number, monthly_cny, "
        "former_employer) VALUES (?, ?, ?, ?, ?)",
        (id_number, document.number, body.pension_number, body.monthly_pension_cny, employer),
    )
    return document


def settle_deceased_tax(
    conn: sqlite3.Connection, body: DeathRecordRequest, *, caller: str
) -> IssuedDocument:
    """Settle a deceased person's individual income tax and close their taxpayer record.

    A person is settled once: asking again returns the first settlement.

    Raises:
        DepartmentError: ``invalid_id_number``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM tax_settlements WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], DECEASED_TAX_SETTLEMENT)
    record_reads(
        conn, [Read(body.case_id, caller, "taxpayer_status", id_number, _PURPOSE_SETTLEMENT)]
    )
    taxpayer = conn.execute("SELECT 1 FROM taxpayers WHERE id_number = ?", (id_number,)).fetchone()
    document = issue_document(
        conn,
        department="tax",
        kind=DECEASED_TAX_SETTLEMENT,
        code="DTS",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "death_certificate_number": body.death_certificate_number,
            "was_taxpayer": taxpayer is not None,
        },
    )
    conn.execute(
        "UPDATE taxpayers SET closed_on = ?, employer = NULL WHERE id_number = ?",
        (document.issued_at.date().isoformat(), id_number),
    )
    conn.execute(
        "INSERT INTO tax_settlements (id_number, number, death_certificate_number) "
        "VALUES (?, ?, ?)",
        (id_number, document.number, body.death_certificate_number),
    )
    return document


def register_enterprise(
    conn: sqlite3.Connection, body: CompanyRegistrationRequest
) -> IssuedDocument:
    """Register a new company as a taxpayer (税务登记) under its credit code.

    A company registers once: asking again returns the first registration.

    Raises:
        DepartmentError: ``invalid_uscc`` or ``invalid_id_number``.
    """
    uscc = checked_uscc(body.uscc, field="uscc")
    representative = checked_id_number(
        body.legal_representative_id_number, field="legal_representative_id_number"
    )
    earlier = conn.execute("SELECT number FROM enterprises WHERE uscc = ?", (uscc,)).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], TAX_REGISTRATION)
    document = issue_document(
        conn,
        department="tax",
        kind=TAX_REGISTRATION,
        code="TRG",
        case_id=body.case_id,
        subject_id_number=representative,
        details={"uscc": uscc, "company_name": body.company_name},
    )
    conn.execute(
        "INSERT INTO enterprises (uscc, number, name, legal_representative_id_number) "
        "VALUES (?, ?, ?, ?)",
        (uscc, document.number, body.company_name, representative),
    )
    return document


def _existing(conn: sqlite3.Connection, number: str, kind: str) -> IssuedDocument:
    found = find_document(conn, number, kind=kind)
    assert found is not None, "a recorded number always has its document"
    return found


def routes(store: Store) -> APIRouter:
    """Deductions, pension income, final settlements and enterprise registrations."""
    router = APIRouter(tags=["tax"])

    @router.post("/infant-care-deductions", response_model=IssuedDocument)
    async def infant_care_deductions(
        body: InfantCareDeductionRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(grant_infant_care_deduction, body=body, caller=caller)
        return respond(
            run_once(store, scope="/infant-care-deductions", key=key, body=body, handler=handler)
        )

    @router.post("/pension-income-registrations", response_model=IssuedDocument)
    async def pension_income_registrations(
        body: PensionIncomeRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(register_pension_income, body=body, caller=caller)
        scope = "/pension-income-registrations"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/deceased-tax-settlements", response_model=IssuedDocument)
    async def deceased_tax_settlements(
        body: DeathRecordRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(settle_deceased_tax, body=body, caller=caller)
        scope = "/deceased-tax-settlements"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/tax-registrations", response_model=IssuedDocument)
    async def tax_registrations(body: CompanyRegistrationRequest, key: IdempotencyKey) -> Response:
        handler = partial(register_enterprise, body=body)
        return respond(
            run_once(store, scope="/tax-registrations", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(department="tax", schema=SCHEMA, seed=seed, routes=routes)
