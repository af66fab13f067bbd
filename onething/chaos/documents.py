"""What the departments actually issued: read straight from each department's database.

A case view says what the case believes it obtained; the department's ``documents`` table is
what was issued. Exactly once is judged here, where a duplicate would really exist.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass

from onething.constants import DEPARTMENTS, Department
from onething.settings import Settings


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    """One row of a department's ``documents`` table (no personal data)."""

    department: Department
    kind: str
    case_id: str
    number: str


def department_documents(
    settings: Settings, departments: Iterable[Department] = DEPARTMENTS
) -> list[IssuedRecord]:
    """Every document the departments have issued, revoked ones included.

    Args:
        settings: Where the department databases live (``Settings.department_db``).
        departments: Which departments to read; a database not created yet holds nothing.

    Returns:
        The documents, department by department.
    """
    records: list[IssuedRecord] = []
    for department in departments:
        path = settings.department_db(department)
        if not path.exists():
            continue
        # Read-only, so a running department service never waits on this reader.
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            rows = conn.execute("SELECT kind, case_id, number FROM documents").fetchall()
        records.extend(
            IssuedRecord(department=department, kind=kind, case_id=case_id, number=number)
            for kind, case_id, number in rows
        )
    return records


def issued_twice(records: Iterable[IssuedRecord]) -> dict[tuple[str, str], int]:
    """The ``(case_id, kind)`` pairs issued more than once, with how many times.

    Args:
        records: Documents as :func:`department_documents` returns them.

    Returns:
        Each duplicated pair and its count; empty when every document was issued once.
    """
    counts = Counter((record.case_id, record.kind) for record in records)
    return {pair: count for pair, count in counts.items() if count > 1}


def documents_of(records: Iterable[IssuedRecord], case_ids: Iterable[str]) -> dict[str, set[str]]:
    """The numbers of the documents issued for each of ``case_ids``.

    Args:
        records: Documents as :func:`department_documents` returns them.
        case_ids: The cases of interest.

    Returns:
        Each case's document numbers (an empty set for a case with none).
    """
    by_case: dict[str, set[str]] = {case_id: set() for case_id in case_ids}
    for record in records:
        if record.case_id in by_case:
            by_case[record.case_id].add(record.number)
    return by_case
