"""The access log: every read of a person's data, who asked, for which case and why.

The table is append-only (triggers refuse updates and deletes); rows are written in the same
transaction as the answer they explain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from departments.clock import now_in_china
from onething.constants import DEPARTMENTS

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


def requester(claimed: str | None) -> str:
    """The requesting department as recorded: a known department name, else ``unknown``."""
    if claimed in DEPARTMENTS:
        return claimed
    return UNKNOWN_REQUESTER


def record_reads(conn: sqlite3.Connection, reads: Iterable[Read]) -> None:
    """Append reads to the access log, inside the caller's transaction."""
    at = now_in_china().isoformat()
    conn.executemany(
        "INSERT INTO access_log (case_id, requested_by, fact, subject_id_number, purpose, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(r.case_id, r.requested_by, r.fact, r.subject_id_number, r.purpose, at) for r in reads],
    )


def reads_for_case(conn: sqlite3.Connection, case_id: str) -> list[Read]:
    """The reads recorded for a case, oldest first."""
    rows = conn.execute(
        "SELECT case_id, requested_by, fact, subject_id_number, purpose FROM access_log "
        "WHERE case_id = ? ORDER BY id",
        (case_id,),
    ).fetchall()
    return [Read(*row) for row in rows]
