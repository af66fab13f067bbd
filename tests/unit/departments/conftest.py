"""Fixtures for the department services: a temporary home and a 200-family population."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from departments.app import create_app
from departments.population import Population, load_population
from onething.constants import Department
from onething.crypto.tokens import department_token
from onething.settings import Settings, get_settings

SMALL_POPULATION = 200


@pytest.fixture(scope="session")
def template_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One template cache for the session: each population's templates are built once."""
    return tmp_path_factory.mktemp("template-cache")


@pytest.fixture
def settings(
    tmp_path: Any, template_cache: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings whose home is a fresh temporary folder and whose population is small."""
    monkeypatch.setenv("ONETHING_HOME", str(tmp_path))
    monkeypatch.setenv("ONETHING_CACHE_DIR", str(template_cache))
    monkeypatch.setenv("ONETHING_POPULATION_FAMILIES", str(SMALL_POPULATION))
    monkeypatch.delenv("ONETHING_FAULT_LATENCY_MS", raising=False)
    monkeypatch.delenv("ONETHING_FAULT_ERROR_RATE", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def population(settings: Settings) -> Population:
    """The population the departments of ``settings`` are seeded with."""
    return load_population(settings.population_families)


def bearer(token: str) -> dict[str, str]:
    """The header that presents a service token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def department(settings: Settings) -> Iterator[Callable[[Department], TestClient]]:
    """Builds a test client for a department, holding its service token; stores closed after."""
    clients: list[TestClient] = []

    def make(name: Department) -> TestClient:
        token = department_token(settings, name)
        client = TestClient(create_app(name, settings), headers=bearer(token))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
        client.app.state.store.close()  # type: ignore[attr-defined]
