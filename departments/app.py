"""The FastAPI application of one simulated department."""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI

from departments import (
    civil_affairs,
    health,
    market_regulation,
    police,
    social_security,
    tax,
)
from departments.api import Faults, Health
from departments.faults import FaultInjector
from departments.http import install_error_handlers, log_requests
from departments.service import DepartmentService, open_store
from onething.constants import Department
from onething.settings import Settings, get_settings

SERVICES: Final[dict[Department, DepartmentService]] = {
    module.SERVICE.department: module.SERVICE
    for module in (health, police, civil_affairs, social_security, tax, market_regulation)
}


def create_app(
    department: Department, settings: Settings | None = None, *, faults: Faults | None = None
) -> FastAPI:
    """Build a department's service, seeding its database first if needed.

    Args:
        department: Which department.
        settings: Where its database lives and the population size; the process settings
            when None.
        faults: Faults to start with; from ``ONETHING_FAULT_*`` when None.

    Returns:
        The application. ``app.state.store`` is its database (close it after serving),
        ``app.state.seeded`` says whether this call seeded it.
    """
    settings = settings or get_settings()
    service = SERVICES[department]
    store, seeded = open_store(service, settings)
    injector = FaultInjector(faults) if faults is not None else FaultInjector.from_environment()

    app = FastAPI(title=f"onething {department} (simulated)", version="1")
    app.state.store = store
    app.state.seeded = seeded
    app.state.faults = injector
    install_error_handlers(app)
    app.middleware("http")(injector.middleware)
    app.middleware("http")(log_requests)

    @app.get("/health", tags=["admin"])
    def health_check() -> Health:
        return Health(status="ok", department=department)

    app.include_router(injector.router())
    app.include_router(service.routes(store))
    return app
