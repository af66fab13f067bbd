"""The civil affairs bureau: the marriage register (and, later, deaths and funerals)."""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import MarriageAnswer, MarriageQuery
from departments.audit import UNKNOWN_REQUESTER, Read, record_reads, requester
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.refusals import checked_id_number
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
"""

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

    The requester is ``requested_by`` from the body when it names a department, else the
    ``X-Onething-Department`` header.

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
    asked_by = requester(body.requested_by)
    if asked_by == UNKNOWN_REQUESTER:
        asked_by = caller
    record_reads(
        conn,
        [Read(body.case_id, asked_by, "marital_status", who, _PURPOSE_MARRIAGE) for who in (a, b)],
    )
    if row is None:
        return MarriageAnswer(married=False, marriage_number=None)
    return MarriageAnswer(married=True, marriage_number=row["number"])


def routes(store: Store) -> APIRouter:
    """``POST /marriage-queries``."""
    router = APIRouter(tags=["civil_affairs"])

    @router.post("/marriage-queries", response_model=MarriageAnswer)
    def marriage_queries(body: MarriageQuery, key: IdempotencyKey, caller: Caller) -> Response:
        handler = partial(answer_marriage_query, body=body, caller=caller)
        return respond(
            run_once(store, scope="/marriage-queries", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="civil_affairs", schema=SCHEMA, seed=seed, routes=routes
)
