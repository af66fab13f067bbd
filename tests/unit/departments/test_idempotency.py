"""Idempotency keys: a retried write issues nothing new; a reused key with another body is 409."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from departments import health as health_service
from departments.api import BirthCertificateRequest
from departments.audit import Read, record_reads
from departments.idempotency import run_once
from departments.population import Population
from departments.service import PopulationSource
from departments.store import Store
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER
from onething.identifiers import validate_id_number
from tests.unit.departments.helpers import (
    birth_certificate,
    household_registration,
    post,
    scope_for,
)

Client = Callable[[Department], TestClient]


def _documents(client: TestClient) -> int:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    with store.transaction() as conn:
        (count,) = conn.execute("SELECT count(*) FROM documents").fetchone()
    return int(count)


def test_same_key_and_body_returns_the_first_document(
    department: Client, population: Population
) -> None:
    health = department("health")
    body = birth_certificate(population.family(0))

    first = post(health, "/birth-certificates", body, key="case-1:birth")
    again = post(health, "/birth-certificates", body, key="case-1:birth")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["number"].startswith("HLT-BMC-")
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _documents(health) == 1


def test_document_numbers_are_sequential_and_hold_no_personal_data(
    department: Client, population: Population
) -> None:
    health = department("health")
    family = population.family(0)
    numbers = [
        post(health, "/birth-certificates", birth_certificate(family)).json()["number"]
        for _ in range(3)
    ]
    year = numbers[0].split("-")[2]
    assert numbers == [f"HLT-BMC-{year}-00000{n}" for n in (1, 2, 3)]
    assert not any(family.mother.id_number[-6:] in n for n in numbers)


def test_same_key_with_another_body_is_a_conflict(
    department: Client, population: Population
) -> None:
    health = department("health")
    post(health, "/birth-certificates", birth_certificate(population.family(0)), key="k")

    other = post(health, "/birth-certificates", birth_certificate(population.family(1)), key="k")

    assert other.status_code == 409
    assert other.json()["error"] == "idempotency_conflict"
    assert _documents(health) == 1


def test_keys_are_scoped_per_endpoint(department: Client, population: Population) -> None:
    health = department("health")
    certificate = post(
        health, "/birth-certificates", birth_certificate(population.family(0)), key="case-9"
    ).json()
    vaccination = post(
        health,
        "/vaccination-records",
        {
            "case_id": "newborn-T0",
            "birth_certificate_number": certificate["number"],
            "born_at": "2026-11-20T23:30:00+08:00",
        },
        key="case-9",
    )
    assert vaccination.status_code == 200


def test_a_post_without_idempotency_key_is_refused(
    department: Client, population: Population
) -> None:
    health = department("health")
    body = birth_certificate(population.family(0))
    scope = {SCOPE_HEADER: scope_for(health, body, "/birth-certificates")}
    response = health.post("/birth-certificates", json=body, headers=scope)
    assert response.status_code == 400
    assert response.json()["error"] == "idempotency_key_missing"
    assert _documents(health) == 0


def test_household_registration_retry_gives_the_same_child_id_number(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = population.family(3)
    body = household_registration(family)

    first = post(police, "/household-registrations", body, key="reg-1")
    retry = post(police, "/household-registrations", body, key="reg-1")
    new_key = post(police, "/household-registrations", body, key="reg-2")

    assert first.status_code == 200
    assert retry.json() == first.json()
    assert new_key.json() == first.json()
    assert _documents(police) == 1


def test_a_refusal_is_stored_and_replayed(department: Client, population: Population) -> None:
    police = department("police")
    body = household_registration(population.family(0))
    body["household_parent_id_number"] = "11010519491231002X"

    first = post(police, "/household-registrations", body, key="unknown-parent")
    again = post(police, "/household-registrations", body, key="unknown-parent")

    assert first.status_code == again.status_code == 422
    assert first.json()["error"] == "person_not_found"
    assert again.headers["Idempotent-Replayed"] == "true"


def test_concurrent_retries_issue_one_document(tmp_path: Path) -> None:
    store = Store(tmp_path / "health.db")
    store.apply_schema(health_service.SCHEMA)
    store.seed("test", lambda conn: health_service.seed(conn, PopulationSource(100)))
    population = Population.build(100)
    body = BirthCertificateRequest.model_validate(birth_certificate(population.family(0)))
    write = partial(
        run_once,
        store,
        scope="/birth-certificates",
        key="same",
        body=body,
        handler=partial(health_service.issue_birth_certificate, body=body),
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: write(), range(16)))

    assert len({o.body for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    with store.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    store.close()


def test_new_child_id_number_is_valid_and_placed_in_the_parents_household(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = population.family(5)
    boy = post(police, "/household-registrations", household_registration(family)).json()
    girl = post(
        police,
        "/household-registrations",
        household_registration(family, certificate="HLT-BMC-2026-000002", name="王小红", sex="F"),
    ).json()

    household = next(h for h in family.households if h.number == family.father.household_number)
    for registration, parity in ((boy, 1), (girl, 0)):
        child_id = validate_id_number(registration["child_id_number"])
        assert child_id[:6] == household.region
        assert child_id[6:14] == "20261120"
        assert int(child_id[16]) % 2 == parity
        assert registration["household_number"] == household.number
        assert registration["number"].startswith("POL-HHR-")
    assert boy["child_id_number"] != girl["child_id_number"]


def test_born_at_is_dated_in_china(department: Client, population: Population) -> None:
    police = department("police")
    body = household_registration(population.family(6), born_at="2026-11-20T17:30:00Z")
    registration = post(police, "/household-registrations", body).json()
    assert registration["child_id_number"][6:14] == "20261121"


def test_another_child_on_a_used_birth_certificate_is_refused(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = population.family(7)
    post(police, "/household-registrations", household_registration(family))

    other = post(police, "/household-registrations", household_registration(family, name="王二"))

    assert other.status_code == 422
    assert other.json()["error"] == "birth_already_registered"


def test_access_log_is_append_only(department: Client) -> None:
    store: Store = department("civil_affairs").app.state.store  # type: ignore[attr-defined]
    with store.transaction() as conn:
        record_reads(conn, [Read("c", "police", "f", "s", "p")])
    for statement in ("UPDATE access_log SET fact = 'x'", "DELETE FROM access_log"):
        with pytest.raises(sqlite3.DatabaseError), store.transaction() as conn:
            conn.execute(statement)
