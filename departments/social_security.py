"""The human resources and social security bureau: insurance, cards, contributions, pensions."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    EnrollmentRequest,
    IssuedDocument,
    MaternityBenefit,
    MaternityBenefitRequest,
)
from departments.audit import Read, record_reads
from departments.clock import now_in_china
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.population import Person
from departments.refusals import checked_id_number, refuse
from departments.service import DepartmentService, PopulationSource
from departments.store import Store

MEDICAL_INSURANCE_ENROLLMENT: Final = "medical_insurance_enrollment"
SOCIAL_SECURITY_CARD: Final = "social_security_card"
MATERNITY_BENEFIT: Final = "maternity_benefit"
#: Zhejiang's paid maternity leave: 98 national days plus 60 provincial days.
MATERNITY_LEAVE_DAYS: Final = 158

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS insured (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scheme TEXT NOT NULL CHECK (scheme IN ('employee', 'resident')),
    employer TEXT,
    monthly_wage_cny INTEGER,
    insured_since TEXT NOT NULL,
    contribution_months INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cards (
    id_number TEXT PRIMARY KEY,
    card_number TEXT NOT NULL UNIQUE,
    bank_account TEXT,
    number TEXT UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS contributions (
    id_number TEXT NOT NULL REFERENCES insured (id_number),
    employer TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT
);
CREATE INDEX IF NOT EXISTS contributions_by_person ON contributions (id_number);
CREATE TABLE IF NOT EXISTS pensions (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE,
    monthly_cny INTEGER NOT NULL,
    since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS medical_enrollments (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS maternity_benefits (
    birth_certificate_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    mother_id_number TEXT NOT NULL,
    amount_cny INTEGER NOT NULL,
    bank_account TEXT NOT NULL
);
"""

_PURPOSE_MATERNITY: Final = "newborn: decide and pay the maternity benefit"


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register insured persons with their cards, contribution records and pensions."""
    insured = [p for p in source.load().people() if p.insurance is not None]
    conn.executemany(
        "INSERT INTO insured (id_number, name, scheme, employer, monthly_wage_cny, "
        "insured_since, contribution_months) VALUES (?, ?, 'employee', ?, ?, ?, ?)",
        [_insured_row(p) for p in insured],
    )
    conn.executemany(
        "INSERT INTO cards (id_number, card_number, bank_account) VALUES (?, ?, ?)",
        [
            (p.id_number, p.insurance.card_number, p.insurance.bank_account)
            for p in insured
            if p.insurance is not None
        ],
    )
    conn.executemany(
        "INSERT INTO contributions (id_number, employer, start, end) VALUES (?, ?, ?, ?)",
        [
            (p.id_number, e.employer, e.start.isoformat(), e.end.isoformat() if e.end else None)
            for p in insured
            for e in p.employment
        ],
    )
    conn.executemany(
        "INSERT INTO pensions (id_number, number, monthly_cny, since) VALUES (?, ?, ?, ?)",
        [
            (p.id_number, p.pension.number, p.pension.monthly_cny, p.pension.since.isoformat())
            for p in insured
            if p.pension is not None
        ],
    )


def _insured_row(person: Person) -> tuple[object, ...]:
    insurance = person.insurance
    assert insurance is not None
    return (
        person.id_number,
        person.name,
        person.employer,
        insurance.monthly_wage_cny,
        insurance.insured_since.isoformat(),
        insurance.contribution_months,
    )


def enroll_in_medical_insurance(
    conn: sqlite3.Connection, body: EnrollmentRequest
) -> IssuedDocument:
    """Enroll a person (a newborn) in residents' basic medical insurance.

    Enrolling the same person again returns the first enrollment.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``already_insured`` (insured as an employee).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM medical_enrollments WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], MEDICAL_INSURANCE_ENROLLMENT)
    if conn.execute("SELECT 1 FROM insured WHERE id_number = ?", (id_number,)).fetchone():
        raise refuse("already_insured", "id_number is already covered by employee insurance")
    today = now_in_china().date().isoformat()
    conn.execute(
        "INSERT INTO insured (id_number, name, scheme, insured_since, contribution_months) "
        "VALUES (?, ?, 'resident', ?, 0)",
        (id_number, body.name, today),
    )
    document = issue_document(
        conn,
        department="social_security",
        kind=MEDICAL_INSURANCE_ENROLLMENT,
        code="MIE",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"scheme": "resident", "since": today},
    )
    conn.execute(
        "INSERT INTO medical_enrollments (id_number, number) VALUES (?, ?)",
        (id_number, document.number),
    )
    return document


def issue_card(conn: sqlite3.Connection, body: EnrollmentRequest) -> IssuedDocument:
    """Issue a social security card (without a bank account until the holder links one).

    Asking again for a card this service issued returns it.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``card_already_held`` (a card issued before
            this service kept documents, i.e. from the seeded register).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    held = conn.execute("SELECT number FROM cards WHERE id_number = ?", (id_number,)).fetchone()
    if held is not None:
        if held["number"] is None:
            raise refuse("card_already_held", "id_number already holds a social security card")
        return _existing(conn, held["number"], SOCIAL_SECURITY_CARD)
    (serial,) = conn.execute(
        "INSERT INTO counters (prefix, last) VALUES ('card', 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last"
    ).fetchone()
    card_number = f"C{serial:08d}"
    document = issue_document(
        conn,
        department="social_security",
        kind=SOCIAL_SECURITY_CARD,
        code="CRD",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"card_number": card_number},
    )
    conn.execute(
        "INSERT INTO cards (id_number, card_number, number) VALUES (?, ?, ?)",
        (id_number, card_number, document.number),
    )
    return document


def decide_maternity_benefit(
    conn: sqlite3.Connection, body: MaternityBenefitRequest, *, caller: str
) -> MaternityBenefit:
    """Pay the maternity benefit if the mother is insured as an employee with a card account.

    The amount is her insured monthly wage / 30 x 158 days. One birth gets one benefit: asking
    again returns the first.

    Raises:
        DepartmentError: ``invalid_id_number``, or ``benefit_already_paid`` (to another mother
            for the same birth certificate).
    """
    mother = checked_id_number(body.mother_id_number, field="mother_id_number")
    earlier = conn.execute(
        "SELECT b.number, b.mother_id_number, b.amount_cny, b.bank_account, d.issued_at "
        "FROM maternity_benefits b JOIN documents d ON d.number = b.number "
        "WHERE b.birth_certificate_number = ?",
        (body.birth_certificate_number,),
    ).fetchone()
    if earlier is not None:
        if earlier["mother_id_number"] != mother:
            raise refuse(
                "benefit_already_paid",
                "birth_certificate_number already had a benefit paid to another person",
            )
        return MaternityBenefit.model_validate(
            {
                "eligible": True,
                "number": earlier["number"],
                "issued_at": earlier["issued_at"],
                "amount_cny": earlier["amount_cny"],
                "paid_to_account": mask_account(earlier["bank_account"]),
            }
        )
    record_reads(conn, [Read(body.case_id, caller, "insurance_status", mother, _PURPOSE_MATERNITY)])
    insured = conn.execute(
        "SELECT i.monthly_wage_cny, c.bank_account FROM insured i "
        "JOIN cards c ON c.id_number = i.id_number "
        "WHERE i.id_number = ? AND i.scheme = 'employee' AND c.bank_account IS NOT NULL",
        (mother,),
    ).fetchone()
    if insured is None:
        return MaternityBenefit(eligible=False)
    amount = round(insured["monthly_wage_cny"] / 30 * MATERNITY_LEAVE_DAYS)
    document = issue_document(
        conn,
        department="social_security",
        kind=MATERNITY_BENEFIT,
        code="MAT",
        case_id=body.case_id,
        subject_id_number=mother,
        details={"birth_certificate_number": body.birth_certificate_number, "amount_cny": amount},
    )
    conn.execute(
        "INSERT INTO maternity_benefits (birth_certificate_number, number, mother_id_number, "
        "amount_cny, bank_account) VALUES (?, ?, ?, ?, ?)",
        (body.birth_certificate_number, document.number, mother, amount, insured["bank_account"]),
    )
    return MaternityBenefit(
        eligible=True,
        number=document.number,
        issued_at=document.issued_at,
        amount_cny=amount,
        paid_to_account=mask_account(insured["bank_account"]),
    )


def mask_account(account: str) -> str:
    """A bank account as it may be shown: ``6222 **** **** 1234``."""
    return f"{account[:4]} **** **** {account[-4:]}"


def _existing(conn: sqlite3.Connection, number: str, kind: str) -> IssuedDocument:
    found = find_document(conn, number, kind=kind)
    assert found is not None, "a recorded number always has its document"
    return found


def routes(store: Store) -> APIRouter:
    """Enrollments, cards and maternity benefits."""
    router = APIRouter(tags=["social_security"])

    @router.post("/medical-insurance-enrollments", response_model=IssuedDocument)
    def medical_insurance_enrollments(body: EnrollmentRequest, key: IdempotencyKey) -> Response:
        handler = partial(enroll_in_medical_insurance, body=body)
        scope = "/medical-insurance-enrollments"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/social-security-cards", response_model=IssuedDocument)
    def social_security_cards(body: EnrollmentRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_card, body=body)
        return respond(
            run_once(store, scope="/social-security-cards", key=key, body=body, handler=handler)
        )

    @router.post("/maternity-benefits", response_model=MaternityBenefit)
    def maternity_benefits(
        body: MaternityBenefitRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(decide_maternity_benefit, body=body, caller=caller)
        return respond(
            run_once(store, scope="/maternity-benefits", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="social_security", schema=SCHEMA, seed=seed, routes=routes
)
