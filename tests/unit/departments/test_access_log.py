"""``POST /access-log/query``: a person's reads at one department, and the log's guarantees."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from departments.audit import (
    ChainCheck,
    Read,
    default_purpose,
    reads_of_person,
    record_reads,
    verify_chain,
)
from departments.population import Population
from departments.store import Store
from onething.access_log import verify_local_logs
from onething.cli import app
from onething.constants import Department
from onething.settings import Settings
from tests.unit.departments.helpers import as_department, household_registration, post

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
        headers=as_department(civil, "police"),
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


_REPLACING = (
    "INSERT OR REPLACE INTO access_log "
    "(id, case_id, requested_by, fact, subject_id_number, purpose, at, row_hash) "
    "SELECT id, case_id, 'tax', fact, subject_id_number, 'rewritten', at, row_hash "
    "FROM access_log WHERE id = 1",
    "REPLACE INTO access_log "
    "(id, case_id, requested_by, fact, subject_id_number, purpose, at, row_hash) "
    "SELECT id, case_id, 'tax', fact, subject_id_number, 'rewritten', at, row_hash "
    "FROM access_log WHERE id = 1",
    "INSERT INTO access_log "
    "(id, case_id, requested_by, fact, subject_id_number, purpose, at, row_hash) "
    "SELECT id, case_id, 'tax', fact, subject_id_number, 'x', at, row_hash FROM access_log "
    "WHERE id = 1 ON CONFLICT (id) DO UPDATE SET purpose = 'rewritten'",
)


@pytest.mark.parametrize("statement", _REPLACING)
def test_a_row_cannot_be_replaced_from_any_connection(
    department: Client, population: Population, statement: str
) -> None:
    civil = department("civil_affairs")
    _marriage_query(civil, population, "newborn-T4d")
    store: Store = civil.app.state.store  # type: ignore[attr-defined]
    # A connection of its own, without the service's pragmas: what a hostile local user opens.
    with closing(sqlite3.connect(store.path, isolation_level=None)) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
        rows = raw.execute("SELECT requested_by, purpose FROM access_log WHERE id = 1").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction() as conn:
        conn.execute(statement)

    assert [(asker, purpose) for asker, purpose in rows] == [("police", rows[0][1])]
    assert rows[0][1] != "rewritten"
    with store.transaction() as conn:
        assert verify_chain(conn) == ChainCheck(rows=2, first_broken=None)


def test_a_log_rewritten_behind_sqlites_back_is_found_at_its_first_changed_row(
    department: Client, population: Population, settings: Settings
) -> None:
    civil = department("civil_affairs")
    for case in ("newborn-T4e", "newborn-T4f", "newborn-T4g"):
        _marriage_query(civil, population, case)
    store: Store = civil.app.state.store  # type: ignore[attr-defined]
    before = CliRunner().invoke(app, ["access-log", "--verify"], env=_env(settings))
    with closing(sqlite3.connect(store.path, isolation_level=None)) as raw:
        raw.execute("DROP TRIGGER access_log_no_update")
        raw.execute("UPDATE access_log SET requested_by = 'tax' WHERE id = 3")

    after = CliRunner().invoke(app, ["access-log", "--verify"], env=_env(settings))

    assert before.exit_code == 0, before.output
    assert "civil_affairs: 6 row(s), chain intact" in before.stdout
    assert after.exit_code == 1
    assert after.stderr == "error: civil_affairs: access log rewritten at row 3\n"
    assert verify_local_logs(settings, departments=("civil_affairs",)) == {
        "civil_affairs": ChainCheck(rows=3, first_broken=3)
    }


def _env(settings: Settings) -> dict[str, str]:
    return {"ONETHING_HOME": str(settings.home)}


def test_the_asker_is_the_department_whose_token_was_presented_never_what_it_claims(
    department: Client, population: Population
) -> None:
    police = department("police")
    person = population.family(4).mother.id_number
    askers: list[Department] = ["social_security", "tax", "market_regulation", "civil_affairs"]

    for asker in askers:
        answered = post(
            police,
            "/identity-records",
            {"case_id": "newborn-T4h", "requested_by": "tax", "id_number": person},
            headers={**as_department(police, asker), "X-Onething-Department": "tax"},
        )
        assert answered.status_code == 200

    logged = police.post("/access-log/query", json={"id_number": person}).json()["reads"]
    assert sorted(r["requested_by"] for r in logged) == sorted(askers)


def test_another_departments_token_may_ask_but_never_issue(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = population.family(4)

    issued = post(
        police,
        "/household-registrations",
        household_registration(family),
        headers=as_department(police, "health"),
    )

    assert issued.status_code == 401
