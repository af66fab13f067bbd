"""Case closures: once a case has closed, its scope opens nothing at this department.

The orchestrator tells each department when a case closes (``POST /case-closures``, the
department's own token); a closure is recorded once and never undone. Until a department hears
of it, the scope's own expiry still bounds how long it opens anything.
"""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter

from departments.api import CaseClosure
from departments.clock import now_in_china
from departments.store import Store
from onething.crypto.scope import CLOSURE_PATH


def is_closed(conn: sqlite3.Connection, case_id: str) -> bool:
    """Whether this department was told that ``case_id`` closed."""
    row = conn.execute("SELECT 1 FROM closed_cases WHERE case_id = ?", (case_id,)).fetchone()
    return row is not None


def routes(store: Store) -> APIRouter:
    """``POST /case-closures``."""
    router = APIRouter(tags=["case closures"])

    @router.post(CLOSURE_PATH, response_model=CaseClosure)
    async def close(body: CaseClosure) -> CaseClosure:
        with store.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO closed_cases (case_id, closed_at) VALUES (?, ?)",
                (body.case_id, now_in_china().isoformat()),
            )
        return body

    return router
