"""The market regulation bureau: the address registry and (later) business registration."""

from __future__ import annotations

import sqlite3
from typing import Final

from fastapi import APIRouter

from departments.population import business_addresses
from departments.service import DepartmentService, PopulationSource
from departments.store import Store

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS addresses (
    address TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    use TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS businesses (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    legal_representative_id_number TEXT NOT NULL,
    registered_capital_cny INTEGER NOT NULL,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
"""


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Load the address registry; no families are needed, so none are built."""
    conn.executemany(
        "INSERT INTO addresses (address, region, use) VALUES (?, ?, ?)",
        [(a.address, a.region, a.use) for a in business_addresses(source.seed)],
    )


def routes(_: Store) -> APIRouter:
    """No business endpoints yet; the service answers ``/health`` and ``/admin``."""
    return APIRouter(tags=["market_regulation"])


SERVICE: Final = DepartmentService(
    department="market_regulation", schema=SCHEMA, seed=seed, routes=routes
)
