"""Service tokens: a department answers only callers holding its token; /health stays open."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from departments.app import create_app
from departments.population import Population
from onething.crypto.tokens import department_token
from onething.settings import Settings
from tests.unit.departments.conftest import bearer
from tests.unit.departments.helpers import birth_certificate, post


@pytest.fixture
def anonymous(settings: Settings) -> Iterator[TestClient]:
    """A client of the health department that holds no token."""
    app = create_app("health", settings)
    with TestClient(app) as client:
        yield client
    app.state.store.close()


def test_health_needs_no_token(anonymous: TestClient) -> None:
    assert anonymous.get("/health").json() == {"status": "ok", "department": "health"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
def test_a_missing_or_wrong_token_is_refused_with_401(
    anonymous: TestClient, population: Population, headers: dict[str, str]
) -> None:
    body = birth_certificate(population.family(0))

    responses = [
        post(anonymous, "/birth-certificates", body, headers=headers),
        anonymous.get("/admin/faults", headers=headers),
        anonymous.get("/openapi.json", headers=headers),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert set(response.json()) == {"error", "detail"}
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_another_departments_token_is_refused(
    anonymous: TestClient, settings: Settings, population: Population
) -> None:
    police = bearer(department_token(settings, "police"))

    response = post(
        anonymous, "/birth-certificates", birth_certificate(population.family(0)), headers=police
    )

    assert response.status_code == 401


def test_the_departments_own_token_is_accepted(
    anonymous: TestClient, settings: Settings, population: Population
) -> None:
    own = bearer(department_token(settings, "health"))

    response = post(
        anonymous, "/birth-certificates", birth_certificate(population.family(0)), headers=own
    )

    assert response.status_code == 200


def test_a_refused_attempt_is_recorded_without_personal_data_or_token(
    anonymous: TestClient, population: Population, caplog: pytest.LogCaptureFixture
) -> None:
    family = population.family(0)
    caplog.set_level(logging.WARNING, logger="departments.auth")

    post(
        anonymous,
        "/birth-certificates",
        birth_certificate(family),
        headers={"Authorization": "Bearer guessed-token-1234"},
    )

    [record] = [r for r in caplog.records if r.name == "departments.auth"]
    message = record.getMessage()
    assert message == "health refused POST /birth-certificates from testclient: service token wrong"
    for secret in (family.mother.id_number, family.mother.name, "guessed-token-1234"):
        assert secret not in message
