"""Claims: an officer holds a verification before acting, so two never visit the same home.

Kept in a small SQLite file under ``$ONETHING_HOME`` (owner-only). A claim older than its time
to live returns to the pool: anyone may take it, and nobody is shown as holding it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

_OWNER_ONLY: Final = 0o600
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS claims (
    case_id TEXT NOT NULL,
    step TEXT NOT NULL,
    department TEXT NOT NULL,
    officer TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (case_id, step)
)
"""


@dataclass(frozen=True)
class Claim:
    """Who holds a verification since when."""

    case_id: str
    step: str
    department: str
    officer: str
    claimed_at: datetime


class ClaimStore:
    """Claims in a SQLite file; every method is one short transaction."""

    def __init__(self, path: Path, *, ttl: timedelta) -> None:
        """Open (creating owner-only if missing) the claims file.

        Args:
            path: The SQLite file.
            ttl: How long a claim holds before it returns to the pool.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, _OWNER_ONLY))
        os.chmod(path, _OWNER_ONLY)
        self._path = path
        self._ttl = ttl
        with self._transaction() as conn:
            conn.execute(_SCHEMA)

    def claim(
        self, case_id: str, step: str, *, department: str, officer: str, now: datetime
    ) -> Claim:
        """Take the item for ``officer`` unless someone else holds it.

        Returns:
            The claim that stands: ``officer``'s (new, or renewed), or the other holder's.
        """
        with self._transaction() as conn:
            held = self._held(conn, case_id, step, now)
            if held is not None and held.officer != officer:
                return held
            conn.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?)",
                (case_id, step, department, officer, now.isoformat()),
            )
            return Claim(case_id, step, department, officer, now)

    def release(self, case_id: str, step: str, *, officer: str) -> bool:
        """Give the item back to the pool; only its holder can. Returns whether it was held."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM claims WHERE case_id = ? AND step = ? AND officer = ?",
                (case_id, step, officer),
            )
            return cursor.rowcount > 0

    def holder(self, case_id: str, step: str, *, now: datetime) -> Claim | None:
        """Who holds the item now, if anyone."""
        with self._transaction() as conn:
            return self._held(conn, case_id, step, now)

    def of_department(self, department: str, *, now: datetime) -> dict[tuple[str, str], Claim]:
        """The standing claims on a department's items, by (case, step)."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM claims WHERE department = ? AND claimed_at > ?",
                (department, (now - self._ttl).isoformat()),
            ).fetchall()
        claims = (_claim(row) for row in rows)
        return {(claim.case_id, claim.step): claim for claim in claims}

    def _held(
        self, conn: sqlite3.Connection, case_id: str, step: str, now: datetime
    ) -> Claim | None:
        row = conn.execute(
            "SELECT * FROM claims WHERE case_id = ? AND step = ?", (case_id, step)
        ).fetchone()
        if row is None:
            return None
        claim = _claim(row)
        return claim if claim.claimed_at > now - self._ttl else None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()


def _claim(row: sqlite3.Row) -> Claim:
    claimed_at = datetime.fromisoformat(row["claimed_at"])
    if claimed_at.tzinfo is None:
        claimed_at = claimed_at.replace(tzinfo=UTC)
    return Claim(row["case_id"], row["step"], row["department"], row["officer"], claimed_at)
