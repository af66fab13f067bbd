"""Fault injection through ``/admin/faults`` and the ``ONETHING_FAULT_*`` environment."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from departments.app import create_app
from departments.population import Population
from onething.constants import Department
from onething.crypto.tokens import department_token
from onething.settings import Settings
from tests.unit.departments.conftest import bearer
from tests.unit.departments.helpers import birth_certificate, post

Client = Callable[[Department], TestClient]


def test_faults_start_at_zero_and_can_be_set(department: Client, population: Population) -> None:
    health = department("health")
    assert health.get("/admin/faults").json() == {"latency_ms": 0, "error_rate": 0.0}

    assert health.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0}).status_code == 200
    refused = post(health, "/birth-certificates", birth_certificate(population.family(0)))
    assert refused.status_code == 503
    assert refused.json()["error"] == "injected_fault"
    assert health.get("/health").status_code == 200
    assert health.get("/admin/faults").json()["error_rate"] == 1.0

    health.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0.0})
    accepted = post(health, "/birth-certificates", birth_certificate(population.family(0)))
    assert accepted.status_code == 200


def test_out_of_range_faults_are_refused(department: Client) -> None:
    health = department("health")
    response = health.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.5})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_faults"


def test_initial_faults_come_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONETHING_FAULT_LATENCY_MS", "5")
    monkeypatch.setenv("ONETHING_FAULT_ERROR_RATE", "0.25")
    app = create_app("market_regulation", settings)
    with TestClient(app, headers=bearer(department_token(settings, "market_regulation"))) as client:
        assert client.get("/admin/faults").json() == {"latency_ms": 5, "error_rate": 0.25}
    app.state.store.close()


def test_added_latency_delays_answers(department: Client, population: Population) -> None:
    health = department("health")
    health.put("/admin/faults", json={"latency_ms": 150, "error_rate": 0.0})
    started = time.perf_counter()
    post(health, "/birth-certificates", birth_certificate(population.family(0)))
    assert time.perf_counter() - started >= 0.15
