"""The access log: every read of a person's data, who asked, for which case and why.

The table is append-only (triggers refuse updates and deletes); rows are written in the same
transaction as the answer they explain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from departments.clock import now_in_china
from onething.constants import BUNDLES, DEPARTMENTS

UNKNOWN_REQUESTER: Final = "unknown"


@dataclass(frozen=True, slots=True)
class Read:
    """One fact about one person, read for a case.

    Attributes:
        case_id: The case the read serves.
        requested_by: The department that asked.
        fact: What was read, e.g. ``marital_status``.
        subject_id_number: Whose data was read.
        purpose: Why, e.g. ``newborn:household_registration``.
    """

    case_id: str
    requested_by: str
    fact: str
    subject_id_number: str
    purpose: str


@dataclass(frozen=True, slots=True)
class Logged:
    """A read as the access log holds it, without whose data it was (the caller knows).

    Attributes:
        case_id: The case the read served.
        requested_by: The department that asked.
        fact: What was read.
        purpose: Why.
        at: When, in China time.
    """

    case_id: str
    requested_by: str
    fact: str
    purpose: str
    at: datetime


def requester(claimed: str | None) -> str:
    """The requesting department as recorded: a known department name, else ``unknown``."""
    if claimed in DEPARTMENTS:
        return claimed
    return UNKNOWN_REQUESTER


def asking_department(claimed: str | None, caller: str) -> str:
    """The department that asked, as the access log records it.

    ``requested_by`` from the body when it names a department, else the caller (the
    ``X-Onething-Department`` header, itself ``unknown`` when it names no department).
    """
    asked = requester(claimed)
    return caller if asked == UNKNOWN_REQUESTER else asked


def record_reads(conn: sqlite3.Connection, reads: Iterable[Read]) -> None:
    """Append reads to the access log, inside the caller's transaction.

    A read whose purpose is blank is recorded with :func:`default_purpose`: no read goes
    unexplained.
    """
    at = now_in_china().isoformat()
    conn.executemany(
        "INSERT INTO access_log (case_id, requested_by, fact, subject_id_number, purpose, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                r.case_id,
                r.requested_by,
                r.fact,
                r.subject_id_number,
                r.purpose.strip() or default_purpose(r.case_id, r.fact),
                at,
            )
            for r in reads
        ],
    )


def default_purpose(case_id: str, fact: str) -> str:
    """The purpose of a read that named none: the case's bundle and the fact it needed."""
    bundle = case_id.partition("-")[0]
    return f"{bundle if bundle in BUNDLES else 'case'}: read {fact} for case {case_id}"


def reads_of_person(conn: sqlite3.Connection, id_number: str) -> list[Logged]:
    """Every recorded read of one person's data, newest first."""
    rows = conn.execute(
        "SELECT case_id, requested_by, fact, purpose, at FROM access_log "
        "WHERE subject_id_number = ? ORDER BY id DESC",
        (id_number,),
    ).fetchall()
    return [
        Logged(
            case_id=row["case_id"],
            requested_by=row["requested_by"],
            fact=row["fact"],
            purpose=row["purpose"],
            at=datetime.fromisoformat(row["at"]),
        )
        for row in rows
    ]


def reads_for_case(conn: sqlite3.Connection, case_id: str) -> list[Read]:
    """The reads recorded for a case, oldest first."""
    rows = conn.execute(
        "SELECT case_id, requested_by, fact, subject_id_number, purpose FROM access_log "
        "WHERE case_id = ? ORDER BY id",
        (case_id,),
    ).fetchall()
    return [Read(*row) for row in rows]
