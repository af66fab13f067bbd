"""Seeding: once per population, quick, and redone when the population changes."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from departments import tax
from departments.app import create_app
from departments.population import Population
from departments.service import open_store
from departments.store import Store
from onething.settings import Settings, get_settings


def test_seeding_happens_once(settings: Settings) -> None:
    first = create_app("police", settings)
    first.state.store.close()
    again = create_app("police", settings)
    again.state.store.close()

    assert first.state.seeded is True
    assert again.state.seeded is False
    assert settings.department_db("police").exists()


def test_each_department_holds_its_share(settings: Settings, population: Population) -> None:
    expected = {
        "police": ("SELECT count(*) FROM persons", 4 * len(population.families)),
        "civil_affairs": ("SELECT count(*) FROM marriages", 2 * len(population.families)),
        "health": ("SELECT count(*) FROM hospitals", len(population.hospitals)),
        "market_regulation": ("SELECT count(*) FROM businesses", 0),
        "tax": (
            "SELECT count(*) FROM taxpayers",
            sum(p.employer is not None for p in population.people()),
        ),
        "social_security": (
            "SELECT count(*) FROM cards WHERE bank_account IS NOT NULL",
            sum(p.insurance is not None for p in population.people()),
        ),
    }
    for department, (query, count) in expected.items():
        app = create_app(department, settings)  # type: ignore[arg-type]
        with app.state.store.transaction() as conn:
            assert conn.execute(query).fetchone()[0] == count, department
        app.state.store.close()


def test_another_population_size_reseeds(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_app("civil_affairs", settings).state.store.close()
    monkeypatch.setenv("ONETHING_POPULATION_FAMILIES", "150")
    get_settings.cache_clear()

    app = create_app("civil_affairs", get_settings())

    assert app.state.seeded is True
    with app.state.store.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM marriages").fetchone()[0] == 300
    app.state.store.close()


def test_changed_tables_start_the_database_afresh(settings: Settings) -> None:
    store, seeded = open_store(tax.SERVICE, settings)
    with store.transaction() as conn:
        conn.execute("INSERT INTO counters (prefix, last) VALUES ('old', 1)")
    store.close()
    changed = replace(tax.SERVICE, schema=tax.SCHEMA + "CREATE TABLE IF NOT EXISTS extra (x);")

    store, reseeded = open_store(changed, settings)

    with store.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM counters").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM taxpayers").fetchone()[0] > 0
    store.close()
    assert seeded is True
    assert reseeded is True


def test_a_database_from_before_withdrawals_learns_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE verifications (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
        "requested_by TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, "
        "status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused')), "
        "detail TEXT NOT NULL, answered_by TEXT, reason TEXT, opened_at TEXT NOT NULL, "
        "answered_at TEXT);"
        "INSERT INTO verifications VALUES ('V-1', 'c', 'health', 'k', '{}', 'pending', '', "
        "NULL, NULL, '2026-01-01', NULL);"
    )
    old.commit()
    old.close()

    store = Store(path)
    with store.transaction() as conn:
        conn.execute("UPDATE verifications SET status = 'withdrawn' WHERE id = 'V-1'")
        kept = conn.execute("SELECT case_id, status FROM verifications").fetchall()
    store.close()

    assert [tuple(row) for row in kept] == [("c", "withdrawn")]
