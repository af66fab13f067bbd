"""The civil affairs bureau: the marriage register, senior citizen cards, funerals."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    FuneralRegistrationRequest,
    IssuedDocument,
    MarriageAnswer,
    MarriageQuery,
    SeniorCitizenCardRequest,
)
from departments.audit import Read, record_reads
from departments.clock import age_on, now_in_china
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.refusals import checked_birth_date, checked_id_number, refuse
from departments.scope_guard import Scope
from departments.service import DepartmentService, PopulationSource
from departments.store import Store

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS marriages (
    number TEXT PRIMARY KEY,
    husband_id_number TEXT NOT NULL,
    wife_id_number TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    dissolved_on TEXT
);
CREATE INDEX IF NOT EXISTS marriages_by_husband ON marriages (husband_id_number);
CREATE INDEX IF NOT EXISTS marriages_by_wife ON marriages (wife_id_number);
CREATE TABLE IF NOT EXISTS senior_citizen_cards (
    id_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS funeral_registrations (
    id_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    death_certificate_number TEXT NOT NULL,
    informant_id_number TEXT NOT NULL
);
"""

SENIOR_CITIZEN_CARD: Final = "senior_citizen_card"
FUNERAL_REGISTRATION: Final = "funeral_registration"
#: The age from which residents hold the senior citizen card (老年人优待证).
SENIOR_AGE: Final = 60

_PURPOSE_MARRIAGE: Final = "confirm that two people are married to each other"


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register the marriages of both generations of every family."""
    conn.executemany(
        "INSERT INTO marriages (number, husband_id_number, wife_id_number, registered_on) "
        "VALUES (?, ?, ?, ?)",
        [
            (m.number, m.husband_id_number, m.wife_id_number, m.registered_on.isoformat())
            for f in source.load().families
            for m in (f.marriage, f.elders_marriage)
        ],
    )


def answer_marriage_query(
    conn: sqlite3.Connection, body: MarriageQuery, *, caller: str
) -> MarriageAnswer:
    """Say whether two people are married to each other now, and record both reads.

    The requester is the department whose service token the call presented.

    Raises:
        DepartmentError: ``invalid_id_number`` naming the field.
    """
    a = checked_id_number(body.spouse_a_id_number, field="spouse_a_id_number")
    b = checked_id_number(body.spouse_b_id_number, field="spouse_b_id_number")
    row = conn.execute(
        "SELECT number FROM marriages WHERE dissolved_on IS NULL AND "
        "((husband_id_number = ? AND wife_id_number = ?) "
        "OR (husband_id_number = ? AND wife_id_number = ?))",
        (a, b, b, a),
    ).fetchone()
    asked_by = caller
    record_reads(
        conn,
        [Read(body.case_id, asked_by, "marital_status", who, _PURPOSE_MARRIAGE) for who in (a, b)],
    )
    if row is None:
        return MarriageAnswer(married=False, marriage_number=None)
    return MarriageAnswer(married=True, marriage_number=row["number"])


def issue_senior_citizen_card(
    conn: sqlite3.Connection, body: SeniorCitizenCardRequest
) -> IssuedDocument:
    """Issue the senior citizen card to a resident aged 60 or more on the day it takes effect.

    A person holds one card: asking again returns the first.

    Raises:
        DepartmentError: ``invalid_id_number``, ``birth_date_mismatch`` or ``too_young``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    born = checked_birth_date(id_number, body.birth_date, field="birth_date")
    earlier = conn.execute(
        "SELECT number FROM senior_citizen_cards WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], SENIOR_CITIZEN_CARD)
    today = now_in_china().date()
    valid_from = max(body.valid_from or today, today)
    if age_on(born, valid_from) < SENIOR_AGE:
        raise refuse("too_young", f"the senior citizen card is for residents aged {SENIOR_AGE}+")
    document = issue_document(
        conn,
        department="civil_affairs",
        kind=SENIOR_CITIZEN_CARD,
        code="SCC",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "name": body.name,
            "birth_date": born.isoformat(),
            "valid_from": valid_from.isoformat(),
        },
    )
    conn.execute(
        "INSERT INTO senior_citizen_cards (id_number, number) VALUES (?, ?)",
        (id_number, document.number),
    )
    return document


def register_funeral(conn: sqlite3.Connection, body: FuneralRegistrationRequest) -> IssuedDocument:
    """Register the cremation and funeral, and end the deceased's marriage in the register.

    A death is registered once: asking again returns the first registration.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``invalid_informant`` (the deceased).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    informant = checked_id_number(body.informant_id_number, field="informant_id_number")
    if informant == id_number:
        raise refuse("invalid_informant", "informant_id_number is the deceased's")
    earlier = conn.execute(
        "SELECT number FROM funeral_registrations WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], FUNERAL_REGISTRATION)
    document = issue_document(
        conn,
        department="civil_affairs",
        kind=FUNERAL_REGISTRATION,
        code="FUN",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "death_certificate_number": body.death_certificate_number,
            "informant_id_number": informant,
            "disposal": "cremation",
        },
    )
    conn.execute(
        "INSERT INTO funeral_registrations (id_number, number, death_certificate_number, "
        "informant_id_number) VALUES (?, ?, ?, ?)",
        (id_number, document.number, body.death_certificate_number, informant),
    )
    # A marriage ends with the death of a spouse; the survivor is then widowed, not married.
    conn.execute(
        "UPDATE marriages SET dissolved_on = ? WHERE dissolved_on IS NULL "
        "AND (husband_id_number = ? OR wife_id_number = ?)",
        (document.issued_at.date().isoformat(), id_number, id_number),
    )
    return document


def _existing(conn: sqlite3.Connection, number: str, kind: str) -> IssuedDocument:
    found = find_document(conn, number, kind=kind)
    assert found is not None, "a recorded number always has its document"
    return found


def routes(store: Store) -> APIRouter:
    """Marriage queries, senior citizen cards and funeral registrations."""
    router = APIRouter(tags=["civil_affairs"])

    @router.post("/marriage-queries", response_model=MarriageAnswer)
    async def marriage_queries(
        body: MarriageQuery, key: IdempotencyKey, caller: Caller, guard: Scope
    ) -> Response:
        guard.require(
            store,
            case_id=body.case_id,
            id_numbers=(body.spouse_a_id_number, body.spouse_b_id_number),
            requested_by=caller,
            fact="marital_status",
        )
        handler = partial(answer_marriage_query, body=body, caller=caller)
        return respond(
            run_once(store, scope="/marriage-queries", key=key, body=body, handler=handler)
        )

    @router.post("/senior-citizen-cards", response_model=IssuedDocument)
    async def senior_citizen_cards(body: SeniorCitizenCardRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_senior_citizen_card, body=body)
        return respond(
            run_once(store, scope="/senior-citizen-cards", key=key, body=body, handler=handler)
        )

    @router.post("/funeral-registrations", response_model=IssuedDocument)
    async def funeral_registrations(
        body: FuneralRegistrationRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(register_funeral, body=body)
        return respond(
            run_once(store, scope="/funeral-registrations", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="civil_affairs", schema=SCHEMA, seed=seed, routes=routes
)
