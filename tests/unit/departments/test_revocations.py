"""Revocations, on every department: a document it issued is marked revoked, once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from departments.population import Population
from onething.constants import DEPARTMENTS, Department
from tests.unit.departments.helpers import birth_certificate, post
from tests.unit.departments.records import one

Client = Callable[[Department], TestClient]


def test_a_document_is_revoked_once(department: Client, population: Population) -> None:
    health = department("health")
    number = post(health, "/birth-certificates", birth_certificate(population.family(0))).json()[
        "number"
    ]
    body = {"case_id": "newborn-T0", "document_number": number, "reason": "FalsePledge"}

    revoked = post(health, "/revocations", body, key="newborn-T0/revoke/1")
    replayed = post(health, "/revocations", body, key="newborn-T0/revoke/1")
    again = post(health, "/revocations", {**body, "reason": "again"})

    assert revoked.status_code == 200
    assert revoked.json()["document_number"] == number
    assert replayed.json() == again.json() == revoked.json()
    assert one(health, "SELECT revoked_at FROM documents WHERE number = ?", number) is not None
    assert one(health, "SELECT revocation_reason FROM documents WHERE number = ?", number) == (
        "FalsePledge"
    )


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_every_department_refuses_to_revoke_what_it_never_issued(
    department: Client, name: Department
) -> None:
    body = {"case_id": "x", "document_number": "HLT-BMC-2026-999999", "reason": "test"}
    response = post(department(name), "/revocations", body)
    assert response.status_code == 422
    assert response.json()["error"] == "unknown_document"
