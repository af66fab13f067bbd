"""The access log: every read of a person's data, who asked, for which case and why.

The table is append-only: triggers refuse updates, deletes and an insert that would replace a
row (``INSERT OR REPLACE``, from any connection). Each row also carries ``row_hash``, the SHA-256
of the previous row's hash and its own fields, so a log edited behind SQLite's back (triggers
dropped, the file rewritten) is detected by :func:`verify_chain` (``onething access-log
--verify``) at the first row that no longer follows. Rows are written in the same transaction
as the answer they explain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from departments.clock import now_in_china
from onething.constants import BUNDLES

#: The ``row_hash`` the first row chains from.
GENESIS_HASH: Final = "0" * 64


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


def record_reads(conn: sqlite3.Connection, reads: Iterable[Read]) -> None:
    """Append reads to the access log, inside the caller's transaction, each chained to the last.

    A read whose purpose is blank is recorded with :func:`default_purpose`: no read goes
    unexplained.
    """
    at = now_in_china().isoformat()
    last = conn.execute("SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    row_id, previous = (0, GENESIS_HASH) if last is None else (last[0], last[1])
    rows = []
    for r in reads:
        row_id += 1
        fields = (
            row_id,
            r.case_id,
            r.requested_by,
            r.fact,
            r.subject_id_number,
            r.purpose.strip() or default_purpose(r.case_id, r.fact),
            at,
        )
        previous = row_hash(previous, fields)
        rows.append((*fields, previous))
    conn.executemany(
        "INSERT INTO access_log "
        "(id, case_id, requested_by, fact, subject_id_number, purpose, at, row_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def row_hash(previous: str, fields: tuple[object, ...]) -> str:
    """The hash of one access log row: SHA-256 over the previous row's hash and its fields.

    Args:
        previous: The previous row's ``row_hash`` (:data:`GENESIS_HASH` for the first row).
        fields: ``(id, case_id, requested_by, fact, subject_id_number, purpose, at)``.
    """
    message = json.dumps([previous, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(message.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :func:`verify_chain` found.

    Attributes:
        rows: How many rows were checked.
        first_broken: The ``id`` of the first row that does not follow from the one before
            (edited, inserted out of turn, or following a removed row); None when intact.
    """

    rows: int
    first_broken: int | None


def verify_chain(conn: sqlite3.Connection) -> ChainCheck:
    """Recompute the access log's hash chain from the first row to the last."""
    previous, expected_id, rows = GENESIS_HASH, 1, 0
    for row in conn.execute(
        "SELECT id, case_id, requested_by, fact, subject_id_number, purpose, at, row_hash "
        "FROM access_log ORDER BY id"
    ):
        values = tuple(row)
        rows += 1
        if values[0] != expected_id or row_hash(previous, values[:7]) != values[7]:
            return ChainCheck(rows=rows, first_broken=values[0])
        previous, expected_id = values[7], values[0] + 1
    return ChainCheck(rows=rows, first_broken=None)


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
