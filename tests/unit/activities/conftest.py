"""Fixtures for the activities: the simulated departments in process, reached over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from activities.department_client import use_transport
from departments.app import create_app
from onething.constants import DEPARTMENTS, Department
from onething.settings import Settings
from tests.unit.departments.conftest import population, settings, template_cache

__all__ = ["departments", "population", "settings", "template_cache"]


@pytest.fixture
def departments(settings: Settings) -> Iterator[dict[Department, FastAPI]]:
    """Every department service, answering the activities' calls in process.

    Department calls go through an ``httpx.MockTransport`` that hands each request to the
    application of the department whose port it addresses.
    """
    apps = {d: create_app(d, settings) for d in DEPARTMENTS}
    by_port = {settings.department_port(d): httpx.ASGITransport(app=app) for d, app in apps.items()}

    async def handle(request: httpx.Request) -> httpx.Response:
        port = request.url.port
        assert port in by_port, "a call to a department that is not running"
        return await by_port[port].handle_async_request(request)

    use_transport(httpx.MockTransport(handle))
    try:
        yield apps
    finally:
        use_transport(None)
        for app in apps.values():
            app.state.store.close()
