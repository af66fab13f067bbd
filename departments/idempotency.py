"""Exactly-once writes: an ``Idempotency-Key`` is answered once and replayed ever after.

The request row and whatever the handler writes commit in one transaction, so a request retried
after a timeout, a crash or a lost response never issues a second document.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel

from departments.refusals import DepartmentError
from departments.store import Store

MAX_KEY_LENGTH: Final = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to a write: status and JSON body, and whether it is a replay."""

    status: int
    body: str
    replayed: bool


def body_hash(body: BaseModel) -> str:
    """A fingerprint of a request body that ignores key order and whitespace."""
    canonical = json.dumps(
        body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def answered(conn: sqlite3.Connection, *, scope: str, key: str) -> bool:
    """Whether a write with this key was already answered at this endpoint (a retry replays)."""
    row = conn.execute("SELECT 1 FROM requests WHERE key = ?", (f"{scope} {key}",)).fetchone()
    return row is not None


def run_once(
    store: Store,
    *,
    scope: str,
    key: str,
    body: BaseModel,
    handler: Callable[[sqlite3.Connection], BaseModel],
) -> Outcome:
    """Answer a write once per idempotency key.

    A refusal the handler raises is stored like an answer (its writes rolled back), so a retry
    gets the same refusal.

    Args:
        store: The department's database.
        scope: The endpoint; keys are unique per endpoint.
        key: The client's ``Idempotency-Key``.
        body: The validated request body.
        handler: Does the work inside the transaction and returns the response body.

    Returns:
        The first answer to this key.

    Raises:
        DepartmentError: ``idempotency_conflict`` (409) when the key was used with another body.
    """
    fingerprint = body_hash(body)
    scoped_key = f"{scope} {key}"
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT body_hash, status, response FROM requests WHERE key = ?", (scoped_key,)
        ).fetchone()
        if row is not None:
            if row["body_hash"] != fingerprint:
                raise DepartmentError(
                    409,
                    "idempotency_conflict",
                    "this Idempotency-Key was already used with a different request body",
                )
            return Outcome(status=row["status"], body=row["response"], replayed=True)
        conn.execute("SAVEPOINT handler")
        try:
            status, response = 200, handler(conn).model_dump_json()
            conn.execute("RELEASE handler")
        except DepartmentError as refusal:
            conn.execute("ROLLBACK TO handler")
            conn.execute("RELEASE handler")
            status, response = refusal.status, refusal.body().model_dump_json()
        conn.execute(
            "INSERT INTO requests (key, body_hash, status, response) VALUES (?, ?, ?, ?)",
            (scoped_key, fingerprint, status, response),
        )
    return Outcome(status=status, body=response, replayed=False)
