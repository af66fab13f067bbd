"""The FastAPI application of one simulated department."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Depends, FastAPI

from departments import (
    access_log,
    civil_affairs,
    closures,
    health,
    market_regulation,
    police,
    revocations,
    social_security,
    tax,
    verifications,
)
from departments.api import ErrorBody, Faults, Health
from departments.auth import ServiceToken
from departments.faults import FaultInjector
from departments.gate import DepartmentGate
from departments.http import install_error_handlers
from departments.scope_guard import require_issue_scope
from departments.service import DepartmentService, open_store
from departments.templates import Progress
from onething.constants import DEPARTMENTS, Department
from onething.crypto.scope import case_scope_key
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import department_token
from onething.settings import Settings, get_settings

SERVICES: Final[dict[Department, DepartmentService]] = {
    module.SERVICE.department: module.SERVICE
    for module in (health, police, civil_affairs, social_security, tax, market_regulation)
}

#: Every refusal and failure is an ErrorBody (see ``install_error_handlers``), 401 and 422 included.
ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    "4XX": {
        "model": ErrorBody,
        "description": "Refused: missing service token, invalid request...",
    },
    "5XX": {"model": ErrorBody, "description": "The department failed or is unavailable."},
}


def create_app(
    department: Department,
    settings: Settings | None = None,
    *,
    faults: Faults | None = None,
    token: str | None = None,
    progress: Progress | None = None,
) -> FastAPI:
    """Build a department's service, copying its database from its template first if needed.

    Args:
        department: Which department.
        settings: Where its database lives and the population size; the process settings
            when None.
        faults: Faults to start with; from ``ONETHING_FAULT_*`` when None.
        token: The service token every caller must present (``/health`` excepted); the
            department's token from the settings or ``<home>/keys`` when None.
        progress: Receives what is being done while the database is prepared.

    Returns:
        The application. ``app.state.store`` is its database (close it after serving),
        ``app.state.seeded`` says whether this call filled it, ``app.state.scope_key`` is the
        key that checks case scopes.
    """
    settings = settings or get_settings()
    token = token or department_token(settings, department)
    service = SERVICES[department]
    store, seeded = open_store(service, settings, services=SERVICES, progress=progress)
    injector = FaultInjector(faults) if faults is not None else FaultInjector.from_environment()

    app = FastAPI(
        title=f"onething {department} (simulated)", version="1", responses=ERROR_RESPONSES
    )
    app.state.store = store
    app.state.settings = settings
    # Read once: the key file would otherwise be read again for every query about a person.
    app.state.scope_key = case_scope_key(settings)
    app.state.seeded = seeded
    app.state.faults = injector
    install_error_handlers(app)
    service_token = ServiceToken(department, token, others=_other_tokens(settings, department))
    app.add_middleware(DepartmentGate, token=service_token, faults=injector)

    @app.get("/health", tags=["admin"])
    async def health_check() -> Health:
        return Health(status="ok", department=department)

    app.include_router(injector.router())
    # Every POST of the department's own routes but the shared queries issues or pays.
    app.include_router(service.routes(store), dependencies=[Depends(require_issue_scope)])
    app.include_router(verifications.routes(store, department, service.verifications))
    app.include_router(revocations.routes(store))
    app.include_router(access_log.routes(store, department))
    app.include_router(closures.routes(store))
    return app


def _other_tokens(settings: Settings, department: Department) -> dict[str, str]:
    """The other departments' tokens this service can know (all, on the local stack)."""
    tokens: dict[str, str] = {}
    for other in DEPARTMENTS:
        if other == department:
            continue
        try:
            tokens[other] = department_token(settings, other)
        except SecretConfigError:
            continue  # a deployment that gives this service only its own token: owner-only
    return tokens
