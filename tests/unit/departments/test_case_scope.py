"""A case may ask departments only about the people its event names; other asks are recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from departments.population import Population
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER, scope_header, sign_scope
from tests.unit.departments.helpers import post
from workflows.models import CaseScope


@pytest.fixture
def police(department: Callable[[Department], TestClient]) -> TestClient:
    return department("police")


def query(person: str, case: str = "newborn-T-1") -> dict[str, str]:
    return {"case_id": case, "requested_by": "social_security", "id_number": person}


def refused_reads(client: TestClient, person: str) -> list[str]:
    app = client.app
    path = app.state.settings.department_db("police")  # type: ignore[attr-defined]
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT purpose FROM access_log WHERE subject_id_number = ?", (person,)
        ).fetchall()
    return [purpose for (purpose,) in rows if purpose.startswith("REFUSED")]


def test_a_query_within_the_scope_is_answered(police: TestClient, population: Population) -> None:
    person = population.family(0).grandfather.id_number
    assert post(police, "/identity-records", query(person)).status_code == 200


def test_a_query_about_someone_else_is_refused_and_recorded(
    police: TestClient, population: Population
) -> None:
    named, other = population.family(0).father.id_number, population.family(1).father.id_number
    scope = scope_header(sign_scope(police.app.state.settings, "newborn-T-2", [named]))  # type: ignore[attr-defined]
    answer = post(
        police, "/identity-records", query(other, "newborn-T-2"), headers={SCOPE_HEADER: scope}
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == "outside_case_scope"
    assert other not in answer.text
    assert len(refused_reads(police, other)) == 1


def test_a_query_without_a_scope_or_with_a_forged_one_is_refused(
    police: TestClient, population: Population
) -> None:
    person = population.family(2).father.id_number
    missing = police.post(
        "/identity-records", json=query(person, "newborn-T-3"), headers={"Idempotency-Key": "k1"}
    )
    assert missing.status_code == 403
    forged = CaseScope(case_id="newborn-T-3", id_numbers=[person], signature="0" * 64)
    answer = post(
        police,
        "/identity-records",
        query(person, "newborn-T-3"),
        headers={SCOPE_HEADER: scope_header(forged)},
    )
    assert answer.status_code == 403
    assert "signature" in answer.json()["detail"]


def test_a_scope_of_another_case_is_refused(police: TestClient, population: Population) -> None:
    person = population.family(3).father.id_number
    theirs = scope_header(sign_scope(police.app.state.settings, "newborn-OTHER", [person]))  # type: ignore[attr-defined]
    answer = post(
        police, "/identity-records", query(person, "newborn-T-4"), headers={SCOPE_HEADER: theirs}
    )
    assert answer.status_code == 403
