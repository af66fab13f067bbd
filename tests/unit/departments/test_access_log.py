"""``POST /access-log/query``: a person's reads at one department, and the log's guarantees."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from departments.audit import Read, default_purpose, reads_of_person, record_reads
from departments.population import Population
from departments.store import Store
from onething.constants import Department
from tests.unit.departments.helpers import post

Client = Callable[[Department], TestClient]


def _marriage_query(civil: TestClient, population: Population, case_id: str) -> None:
    family = population.family(4)
    answered = post(
        civil,
        "/marriage-queries",
        {
            "case_id": case_id,
            "requested_by": "police",
            "spouse_a_id_number": family.mother.id_number,
            "spouse_b_id_number": family.father.id_number,
        },
    )
    assert answered.status_code == 200


def test_a_person_sees_every_read_of_their_data_newest_first(
    department: Client, population: Population
) -> None:
    civil = department("civil_affairs")
    mother = population.family(4).mother.id_number
    _marriage_query(civil, population, "newborn-T4a")
    _marriage_query(civil, population, "newborn-T4b")

    answer = civil.post("/access-log/query", json={"id_number": mother})

    assert answer.status_code == 200
    reads = answer.json()["reads"]
    assert [r["case_id"] for r in reads] == ["newborn-T4b", "newborn-T4a"]
    assert {(r["requested_by"], r["held_by"], r["fact"]) for r in reads} == {
        ("police", "civil_affairs", "marital_status")
    }
    assert all(r["purpose"] for r in reads)
    assert all(datetime.fromisoformat(r["at"]).utcoffset() is not None for r in reads)


def test_a_person_nobody_read_has_an_empty_log(department: Client, population: Population) -> None:
    answer = department("tax").post(
        "/access-log/query", json={"id_number": population.family(5).father.id_number}
    )
    assert answer.status_code == 200
    assert answer.json() == {"reads": []}


def test_the_query_refuses_a_malformed_id_number_without_echoing_it(department: Client) -> None:
    answer = department("police").post("/access-log/query", json={"id_number": "33070219"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_id_number"
    assert "33070219" not in answer.text


def test_the_query_needs_the_department_token(department: Client, population: Population) -> None:
    police = department("police")
    body = {"id_number": population.family(4).mother.id_number}
    refused = police.post("/access-log/query", json=body, headers={"Authorization": ""})
    assert refused.status_code == 401


def test_the_access_log_has_no_endpoint_that_changes_it(department: Client) -> None:
    paths = department("civil_affairs").get("/openapi.json").json()["paths"]
    log_paths = {path: set(ops) for path, ops in paths.items() if "access-log" in path}
    assert log_paths == {"/access-log/query": {"post"}}


def test_a_read_without_a_purpose_is_recorded_with_one(
    department: Client, population: Population
) -> None:
    store: Store = department("social_security").app.state.store  # type: ignore[attr-defined]
    person = population.family(6).mother.id_number
    with store.transaction() as conn:
        record_reads(conn, [Read("death-DTH-1", "health", "insurance_status", person, "  ")])
        logged = reads_of_person(conn, person)
    assert [r.purpose for r in logged] == [default_purpose("death-DTH-1", "insurance_status")]
    assert logged[0].purpose.startswith("death: ")


def test_a_recorded_read_cannot_be_changed_or_removed(
    department: Client, population: Population
) -> None:
    civil = department("civil_affairs")
    _marriage_query(civil, population, "newborn-T4c")
    store: Store = civil.app.state.store  # type: ignore[attr-defined]
    for statement in (
        "UPDATE access_log SET purpose = 'nothing to see'",
        "DELETE FROM access_log WHERE case_id = 'newborn-T4c'",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction() as c:
            c.execute(statement)
    with store.transaction() as conn:
        remaining = conn.execute(
            "SELECT COUNT(*) FROM access_log WHERE case_id = 'newborn-T4c'"
        ).fetchone()[0]
    assert remaining == 2
