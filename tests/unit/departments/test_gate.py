"""The gate in front of every department: request log, unexpected failures, token before faults."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from onething.constants import Department

Client = Callable[[Department], TestClient]

_SECRET = "张秀英 330702194803100036"


def test_an_unexpected_failure_is_a_500_error_body_without_its_message(
    department: Client, caplog: pytest.LogCaptureFixture
) -> None:
    tax = department("tax")

    @tax.app.get("/boom")  # type: ignore[attr-defined, untyped-decorator]
    async def boom() -> None:
        raise RuntimeError(_SECRET)

    caplog.set_level(logging.INFO, logger="departments.requests")
    with TestClient(tax.app, headers=tax.headers, raise_server_exceptions=False) as client:
        response = client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "the department failed; see its log",
    }
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unhandled RuntimeError on GET /boom" in logged
    assert "GET /boom 500" in logged
    assert _SECRET not in logged


def test_every_request_is_logged_with_method_path_status_and_nothing_else(
    department: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="departments.requests")
    health = department("health")

    health.get("/health")
    health.get("/admin/faults")
    health.post("/birth-certificates", json={"mother_id_number": _SECRET})

    lines = [r.getMessage() for r in caplog.records if r.name == "departments.requests"]
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "GET /health 200",
        "GET /admin/faults 200",
        "POST /birth-certificates 400",
    ]
    assert all(line.endswith("ms") for line in lines)
    assert not any(_SECRET in line for line in lines)


def test_the_token_is_checked_before_injected_faults(department: Client) -> None:
    health = department("health")
    health.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0})

    anonymous = TestClient(health.app)
    assert anonymous.post("/birth-certificates", json={}).status_code == 401
    assert health.post("/birth-certificates", json={}).status_code == 503
