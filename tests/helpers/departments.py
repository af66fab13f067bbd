"""Talking to a running stack's department services from tests (with the service token)."""

from __future__ import annotations

from typing import Any

import httpx

from onething.constants import Department
from onething.crypto.tokens import department_token
from onething.settings import Settings


async def set_faults(
    settings: Settings, department: Department, *, latency_ms: int = 0, error_rate: float = 0.0
) -> None:
    """Make a department slow or failing (``PUT /admin/faults``); zeros restore it."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.put(
            settings.department_url(department) + "/admin/faults",
            json={"latency_ms": latency_ms, "error_rate": error_rate},
            headers={"Authorization": f"Bearer {department_token(settings, department)}"},
        )
        response.raise_for_status()


async def verifications(
    settings: Settings, department: Department, *, status: str | None = None
) -> list[dict[str, Any]]:
    """The department's verifications as its operators list them (``GET /verifications``)."""
    params = {"limit": "1000"} | ({"status": status} if status else {})
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(
            settings.department_url(department) + "/verifications",
            params=params,
            headers={"Authorization": f"Bearer {department_token(settings, department)}"},
        )
        response.raise_for_status()
        listed: list[dict[str, Any]] = response.json()
        return listed
