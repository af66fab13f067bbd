"""Fault injection: added latency and a share of requests answered 503, changeable at runtime.

Scenario tests and the performance harness use it to show that cases ride out slow or failing
departments. ``/health`` and ``/admin/*`` are exempt, so a stack under injected faults still
reports ready and can always be healed.
"""

from __future__ import annotations

import asyncio
import random
from typing import Final

from fastapi import APIRouter, Response
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from departments.api import Faults
from departments.http import error_response
from departments.refusals import refuse

_EXEMPT_PREFIXES: Final = ("/health", "/admin/")
_MAX_LATENCY_MS: Final = 600_000


class FaultSettings(BaseSettings):
    """The faults a department starts with: ``ONETHING_FAULT_LATENCY_MS``, ``..._ERROR_RATE``."""

    model_config = SettingsConfigDict(env_prefix="ONETHING_FAULT_", extra="ignore")

    latency_ms: int = Field(default=0, ge=0, le=_MAX_LATENCY_MS)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)


class FaultInjector:
    """The current faults of one service, and how a request meets them."""

    def __init__(self, initial: Faults) -> None:
        self.faults = initial
        self._random = random.Random()

    @classmethod
    def from_environment(cls) -> FaultInjector:
        """Start with the faults the environment sets (none by default)."""
        settings = FaultSettings()
        return cls(Faults(latency_ms=settings.latency_ms, error_rate=settings.error_rate))

    def set(self, faults: Faults) -> Faults:
        """Replace the faults.

        Raises:
            DepartmentError: ``invalid_faults`` when latency or rate is out of range.
        """
        if not 0 <= faults.latency_ms <= _MAX_LATENCY_MS:
            raise refuse("invalid_faults", f"latency_ms must be 0 to {_MAX_LATENCY_MS}")
        if not 0.0 <= faults.error_rate <= 1.0:
            raise refuse("invalid_faults", "error_rate must be between 0 and 1")
        self.faults = faults
        return faults

    async def refusal(self, path: str) -> Response | None:
        """Delay a request outside the exempt paths, then maybe answer it 503 instead.

        Returns:
            None when the request may go on; else the ``injected_fault`` answer.
        """
        if path.startswith(_EXEMPT_PREFIXES):
            return None
        faults = self.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.error_rate and self._random.random() < faults.error_rate:
            return error_response(503, "injected_fault", "fault injection refused this request")
        return None

    def router(self) -> APIRouter:
        """``GET`` and ``PUT /admin/faults``."""
        router = APIRouter(prefix="/admin", tags=["admin"])

        @router.get("/faults")
        async def get_faults() -> Faults:
            return self.faults

        @router.put("/faults")
        async def put_faults(faults: Faults) -> Faults:
            return self.set(faults)

        return router
