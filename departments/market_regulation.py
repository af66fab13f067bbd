"""The market regulation bureau: business registration and the credit records of commitments.

Under notification and commitment (告知承诺) an applicant may pledge that the company's address
is real instead of proving it; a pledge found false is revoked and leaves a credit record, and a
person with a credit record may not pledge again.
"""

from __future__ import annotations

import json
import random
import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    BusinessLicense,
    BusinessLicenseRequest,
    CreditRecord,
    CreditRecordRequest,
    PledgeEligibility,
    PledgeEligibilityQuery,
)
from departments.audit import Read, record_reads
from departments.documents import issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.jinhua import DISTRICTS
from departments.refusals import checked_id_number, refuse
from departments.scope_guard import Scope
from departments.service import DepartmentService, PopulationSource
from departments.store import Store
from onething.identifiers import make_uscc

BUSINESS_LICENSE: Final = "business_license"
CREDIT_RECORD: Final = "credit_record"
#: Jinhua city's own division code, for an address that names none of its districts.
CITY_REGION: Final = "330700"
_ORGANISATION_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS businesses (
    uscc TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    case_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    address_basis TEXT NOT NULL CHECK (address_basis IN ('commitment', 'verification')),
    legal_representative_id_number TEXT NOT NULL,
    registered_capital_cny INTEGER NOT NULL,
    business_scope TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS businesses_by_name ON businesses (name);
CREATE TABLE IF NOT EXISTS credit_records (
    number TEXT PRIMARY KEY REFERENCES documents (number),
    case_id TEXT NOT NULL,
    id_number TEXT NOT NULL,
    reason TEXT NOT NULL,
    revoked_documents TEXT NOT NULL,
    UNIQUE (case_id, id_number)
);
CREATE INDEX IF NOT EXISTS credit_records_by_person ON credit_records (id_number);
"""

_PURPOSE_PLEDGE: Final = "business: may the legal representative pledge under commitment"
_codes = random.Random()


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Nothing to load: businesses and credit records come only from cases."""


def pledge_eligibility(
    conn: sqlite3.Connection, body: PledgeEligibilityQuery, *, caller: str
) -> PledgeEligibility:
    """Say whether a person may pledge, from their credit records, and log the read.

    Raises:
        DepartmentError: ``invalid_id_number``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    asked_by = caller
    record_reads(conn, [Read(body.case_id, asked_by, "credit_records", id_number, _PURPOSE_PLEDGE)])
    records = _credit_records(conn, id_number)
    return PledgeEligibility(may_pledge=records == 0, credit_records=records)


def record_broken_commitment(conn: sqlite3.Connection, body: CreditRecordRequest) -> CreditRecord:
    """Record that a person's commitment was false, with the documents it cost.

    A case records a person once: asking again returns the first record.

    Raises:
        DepartmentError: ``invalid_id_number``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT c.number, d.issued_at FROM credit_records c "
        "JOIN documents d ON d.number = c.number WHERE c.case_id = ? AND c.id_number = ?",
        (body.case_id, id_number),
    ).fetchone()
    if earlier is not None:
        return CreditRecord.model_validate(
            {"number": earlier["number"], "recorded_at": earlier["issued_at"]}
        )
    document = issue_document(
        conn,
        department="market_regulation",
        kind=CREDIT_RECORD,
        code="CRR",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"reason": body.reason, "revoked_documents": body.revoked_documents},
    )
    conn.execute(
        "INSERT INTO credit_records (number, case_id, id_number, reason, revoked_documents) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            document.number,
            body.case_id,
            id_number,
            body.reason,
            json.dumps(body.revoked_documents),
        ),
    )
    return CreditRecord(number=document.number, recorded_at=document.issued_at)


def issue_business_license(
    conn: sqlite3.Connection, body: BusinessLicenseRequest, *, caller: str
) -> BusinessLicense:
    """Register a company and give it a new unified social credit code.

    The name must not be held by a company whose license stands. On ``commitment`` the legal
    representative must be allowed to pledge. The same case asking again gets its license back.

    Raises:
        DepartmentError: ``invalid_id_number``, ``representative_deceased``, ``name_taken``
            or ``pledge_not_allowed``.
    """
    representative = checked_id_number(
        body.legal_representative_id_number, field="legal_representative_id_number"
    )
    if not body.legal_representative_alive:
        raise refuse("representative_deceased", "the legal representative is recorded as deceased")
    company = body.company
    holder = conn.execute(
        "SELECT b.uscc, b.case_id, b.number, d.issued_at FROM businesses b "
        "JOIN documents d ON d.number = b.number "
        "WHERE b.name = ? AND d.revoked_at IS NULL",
        (company.name.strip(),),
    ).fetchone()
    if holder is not None:
        if holder["case_id"] != body.case_id:
            raise refuse("name_taken", "company.name is held by a registered company")
        return BusinessLicense.model_validate(
            {"number": holder["number"], "issued_at": holder["issued_at"], "uscc": holder["uscc"]}
        )
    if body.address_basis == "commitment":
        record_reads(
            conn, [Read(body.case_id, caller, "credit_records", representative, _PURPOSE_PLEDGE)]
        )
        if _credit_records(conn, representative):
            raise refuse(
                "pledge_not_allowed",
                "the legal representative has a credit record and may not pledge the address",
            )
    uscc = _new_uscc(conn, region_of(company.address))
    document = issue_document(
        conn,
        department="market_regulation",
        kind=BUSINESS_LICENSE,
        code="BLC",
        case_id=body.case_id,
        subject_id_number=representative,
        details={"uscc": uscc, **company.model_dump(), "address_basis": body.address_basis},
    )
    conn.execute(
        "INSERT INTO businesses (uscc, number, case_id, name, kind, address, address_basis, "
        "legal_representative_id_number, registered_capital_cny, business_scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            uscc,
            document.number,
            body.case_id,
            company.name.strip(),
            company.kind,
            company.address,
            body.address_basis,
            representative,
            company.registered_capital_cny,
            company.business_scope,
        ),
    )
    return BusinessLicense(number=document.number, issued_at=document.issued_at, uscc=uscc)


def region_of(address: str) -> str:
    """The division code of the Jinhua district an address names, else the city's."""
    for district in DISTRICTS:
        if district.name in address:
            return district.code
    return CITY_REGION


def organisation_code(body: str) -> str:
    """An organisation code (GB 11714-1997): eight digits and their check character."""
    total = sum(
        int(char) * weight for char, weight in zip(body, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _new_uscc(conn: sqlite3.Connection, region: str) -> str:
    while True:
        uscc = make_uscc(region, organisation_code(f"{_codes.randrange(10**8):08d}"))
        if conn.execute("SELECT 1 FROM businesses WHERE uscc = ?", (uscc,)).fetchone() is None:
            return uscc


def _credit_records(conn: sqlite3.Connection, id_number: str) -> int:
    """The person's credit records that stand (a revoked record no longer counts)."""
    (count,) = conn.execute(
        "SELECT count(*) FROM credit_records c JOIN documents d ON d.number = c.number "
        "WHERE c.id_number = ? AND d.revoked_at IS NULL",
        (id_number,),
    ).fetchone()
    return int(count)


def routes(store: Store) -> APIRouter:
    """Pledge eligibility, credit records and business licenses."""
    router = APIRouter(tags=["market_regulation"])

    @router.post("/pledge-eligibility", response_model=PledgeEligibility)
    async def pledge_eligibility_route(
        body: PledgeEligibilityQuery, key: IdempotencyKey, caller: Caller, guard: Scope
    ) -> Response:
        guard.require_person(store, body, caller, "credit_record")
        handler = partial(pledge_eligibility, body=body, caller=caller)
        return respond(
            run_once(store, scope="/pledge-eligibility", key=key, body=body, handler=handler)
        )

    @router.post("/credit-records", response_model=CreditRecord)
    async def credit_records(body: CreditRecordRequest, key: IdempotencyKey) -> Response:
        handler = partial(record_broken_commitment, body=body)
        return respond(
            run_once(store, scope="/credit-records", key=key, body=body, handler=handler)
        )

    @router.post("/business-licenses", response_model=BusinessLicense)
    async def business_licenses(
        body: BusinessLicenseRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(issue_business_license, body=body, caller=caller)
        return respond(
            run_once(store, scope="/business-licenses", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="market_regulation", schema=SCHEMA, seed=seed, routes=routes
)
