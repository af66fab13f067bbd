"""One department's SQLite database: the connection, its transactions and its one-time seeding.

A service holds one connection. Its endpoints are ``async def`` and answer on the event loop, one
transaction at a time, with no thread hand-off per request (``docs/benchmark.md``); a lock
still serialises any other thread that uses the store. Plenty for a simulated department, and
every transaction stays simple.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from onething.owner_only import private_dir

_VERIFICATIONS_TABLE: Final = """
CREATE TABLE IF NOT EXISTS verifications (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused', 'withdrawn')),
    detail TEXT NOT NULL,
    answered_by TEXT,
    reason TEXT,
    opened_at TEXT NOT NULL,
    answered_at TEXT
)"""
_VERIFICATIONS_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS verifications_by_status ON verifications (status, opened_at)"
)

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS counters (
    prefix TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    subject_id_number TEXT,
    body TEXT NOT NULL,
    revoked_at TEXT,
    revoked_for_case TEXT,
    revocation_reason TEXT
);
CREATE INDEX IF NOT EXISTS documents_by_case ON documents (case_id);
"""
_ACCESS_LOG: Final = """
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    fact TEXT NOT NULL,
    subject_id_number TEXT NOT NULL,
    purpose TEXT NOT NULL,
    at TEXT NOT NULL,
    row_hash TEXT NOT NULL CHECK (length(row_hash) = 64)
);
CREATE INDEX IF NOT EXISTS access_log_by_case ON access_log (case_id);
CREATE INDEX IF NOT EXISTS access_log_by_subject ON access_log (subject_id_number);
CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TABLE IF NOT EXISTS closed_cases (
    case_id TEXT PRIMARY KEY,
    closed_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS access_log_no_replace BEFORE INSERT ON access_log
WHEN EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
"""
COMMON_SCHEMA: Final = ";\n".join(
    (_TABLES, _VERIFICATIONS_TABLE, _VERIFICATIONS_INDEX, _ACCESS_LOG)
)

_STAMP_KEY: Final = "population"

Seeder = Callable[[sqlite3.Connection], None]


class Store:
    """A department's database, safe to share between threads.

    Opening it creates the tables every department has (``meta``, ``requests``, ``counters``,
    ``documents``, ``verifications``, ``access_log``); :meth:`apply_schema` adds the
    department's own.

    Args:
        path: The SQLite file; its parent folders are created.
    """

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL sync keeps every commit atomic; a power cut may lose the last commits
        # whole (document and idempotency row together), never half of one.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        # REPLACE deletes the row it replaces without firing DELETE triggers unless this is on.
        self._conn.execute("PRAGMA recursive_triggers=ON")
        self._conn.executescript(COMMON_SCHEMA)
        _allow_withdrawn_verifications(self._conn)

    def apply_schema(self, schema: str) -> None:
        """Create the department's own tables (``CREATE ... IF NOT EXISTS`` statements)."""
        with self._lock:
            self._conn.executescript(schema)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for one write transaction, committed on success.

        Yields:
            The connection, inside ``BEGIN IMMEDIATE``; an exception rolls everything back.
        """
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def stamp(self) -> str | None:
        """What the database was seeded with, or None before seeding."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM meta WHERE key = ?", (_STAMP_KEY,)
            ).fetchone()
        return None if row is None else str(row["value"])

    def seed(self, stamp: str, seeder: Seeder) -> bool:
        """Seed the database once: run ``seeder`` and record ``stamp`` in one transaction.

        Args:
            stamp: Identifies the population seeded (version, seed, size).
            seeder: Inserts the department's records.

        Returns:
            True if this call seeded, False if the database already held ``stamp``.

        Raises:
            StaleSeedError: The database was seeded with another population.
        """
        # The population is consistent by construction, and checking its ~100,000 references
        # would slow seeding by a quarter. The pragma only works outside a transaction.
        self._conn.execute("PRAGMA foreign_keys=OFF")
        try:
            with self.transaction() as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (_STAMP_KEY,)).fetchone()
                if row is not None:
                    if row["value"] != stamp:
                        raise StaleSeedError(self.path)
                    return False
                seeder(conn)
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (_STAMP_KEY, stamp))
        finally:
            self._conn.execute("PRAGMA foreign_keys=ON")
        return True

    def close_as_single_file(self) -> None:
        """Fold the write-ahead log into the file, stop using one, and close the connection.

        The file alone is then the whole database, safe to copy (see ``departments.templates``).
        """
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.close()

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        with self._lock:
            self._conn.close()


def _allow_withdrawn_verifications(conn: sqlite3.Connection) -> None:
    """Let a database made before verifications could be withdrawn record ``withdrawn``.

    SQLite cannot alter a CHECK constraint, so the table is copied into one with the new
    constraint, in one transaction.
    """
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'verifications'"
    ).fetchone()
    if row is None or "'withdrawn'" in row["sql"]:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("ALTER TABLE verifications RENAME TO verifications_before_withdrawn")
        conn.execute("DROP INDEX IF EXISTS verifications_by_status")
        conn.execute(_VERIFICATIONS_TABLE)
        conn.execute(_VERIFICATIONS_INDEX)
        conn.execute("INSERT INTO verifications SELECT * FROM verifications_before_withdrawn")
        conn.execute("DROP TABLE verifications_before_withdrawn")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class StaleSeedError(RuntimeError):
    """The database holds another population than the one this process would seed."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} was seeded with another population")
        self.path = path


def remove_database(path: Path) -> None:
    """Delete a SQLite database and its WAL files (used before reseeding)."""
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
