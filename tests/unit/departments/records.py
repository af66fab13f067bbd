"""Reading a department's database in tests: its access log and its documents."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from departments.audit import Read, reads_for_case
from departments.store import Store


def store_of(client: TestClient) -> Store:
    """The database behind a department's test client."""
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def reads(client: TestClient, case_id: str) -> list[Read]:
    """The access log entries of a case, oldest first."""
    with store_of(client).transaction() as conn:
        return reads_for_case(conn, case_id)


def one(client: TestClient, sql: str, *params: Any) -> Any:
    """The first column of the first row of a query (None when there is no row)."""
    with store_of(client).transaction() as conn:
        row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]
