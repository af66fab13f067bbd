"""The residents register a department keeps: who lives in Jinhua, born when, and whether alive.

Departments that pay or certify for a person must not take the orchestrator's word that the
person exists: each keeps this copy of the population register (as the provincial population
database is shared with them), seeded with the population and told of deaths only through its
own endpoints. A person missing from it is refused, not served.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from departments.population import Population

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS residents (
    id_number TEXT PRIMARY KEY,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    birth_date TEXT NOT NULL,
    died_on TEXT
);
"""


@dataclass(frozen=True, slots=True)
class Resident:
    """A person in the register: sex, birth date and the day of death if recorded."""

    sex: Literal["F", "M"]
    birth_date: date
    died_on: date | None


def seed_residents(conn: sqlite3.Connection, population: Population) -> None:
    """Register every person of the population, alive."""
    conn.executemany(
        "INSERT INTO residents (id_number, sex, birth_date) VALUES (?, ?, ?)",
        [(p.id_number, p.sex, p.birth_date.isoformat()) for p in population.people()],
    )


def find_resident(conn: sqlite3.Connection, id_number: str) -> Resident | None:
    """The resident with ``id_number``, or None when the register has no such person."""
    row = conn.execute(
        "SELECT sex, birth_date, died_on FROM residents WHERE id_number = ?", (id_number,)
    ).fetchone()
    if row is None:
        return None
    died_on = date.fromisoformat(row["died_on"]) if row["died_on"] else None
    return Resident(row["sex"], date.fromisoformat(row["birth_date"]), died_on)


def record_death(conn: sqlite3.Connection, id_number: str, died_on: date) -> None:
    """Mark a resident dead from ``died_on`` (no-op for a person not in the register)."""
    conn.execute(
        "UPDATE residents SET died_on = ? WHERE id_number = ?", (died_on.isoformat(), id_number)
    )
