"""Calls to the department services: one pooled HTTP client per process, errors mapped.

Each call carries the called department's service token. A 4xx answer is a refusal the case
must see (``DepartmentRejected``, not retried); a 5xx answer, a timeout or a refused connection
is an outage (``DepartmentUnavailable``, retried by Temporal).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
from httpx_aiohttp import AiohttpTransport
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_STEP_INPUT, DEPARTMENT_REJECTED, DEPARTMENT_UNAVAILABLE
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER, scope_header
from onething.crypto.tokens import department_token
from onething.settings import Settings, get_settings
from workflows.models import CaseScope

ResponseT = TypeVar("ResponseT", bound=BaseModel)
InputT = TypeVar("InputT", bound=BaseModel)

_client: httpx.AsyncClient | None = None
_transport: httpx.AsyncBaseTransport | None = None
_tokens: dict[tuple[Path, Department], str] = {}


def use_transport(transport: httpx.AsyncBaseTransport | None) -> None:
    """Route department calls through ``transport`` (unit tests), or back to the network."""
    global _client, _transport
    _transport, _client = transport, None


def _http(settings: Settings) -> httpx.AsyncClient:
    global _client
    if _client is None:
        # Connections are reused across activities: one TLS/TCP set-up per department, not per
        # call. aiohttp moves the bytes: the worker then needs a sixth to a third less CPU per
        # call than with httpx's own transport (docs/benchmark.md).
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        _client = httpx.AsyncClient(
            transport=_transport or AiohttpTransport(limits=limits),
            timeout=settings.department_timeout_s,
        )
    return _client


def _token(settings: Settings, department: Department) -> str:
    # Read once per process: the token file or setting does not change while workers run.
    key = (settings.home, department)
    if key not in _tokens:
        _tokens[key] = department_token(settings, department)
    return _tokens[key]


def parse_facts(model: type[InputT], facts: object) -> InputT:
    """Validate the facts a step was given, without echoing their values in the error."""
    try:
        return model.model_validate(facts)
    except ValidationError as err:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in err.errors()})
        raise ApplicationError(
            f"step input does not fit {model.__name__}: fields {fields}",
            type=BAD_STEP_INPUT,
            non_retryable=True,
        ) from None


async def call_department(
    department: Department,
    path: str,
    body: BaseModel,
    response_model: type[ResponseT],
    *,
    idempotency_key: str,
    scope: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> ResponseT:
    """POST ``body`` to a department service and parse its answer.

    Args:
        department: whose service to call.
        path: the endpoint, e.g. ``/birth-certificates``.
        body: the request body.
        response_model: the model of a successful answer.
        idempotency_key: makes a retried call return the first answer instead of acting twice.
        scope: the case's signed scope, which a query about a person must carry.
        settings: where departments live; the process settings when omitted.

    Raises:
        ApplicationError: ``DepartmentRejected`` (non-retryable) on a 4xx answer,
            ``DepartmentUnavailable`` (retryable) on a 5xx answer or a network failure.
    """
    settings = settings or get_settings()
    url = settings.department_url(department) + path
    headers = {
        "Idempotency-Key": idempotency_key,
        "X-Onething-Department": department,
        "Authorization": f"Bearer {_token(settings, department)}",
    }
    if scope is not None:
        headers[SCOPE_HEADER] = scope_header(CaseScope.model_validate(scope))
    try:
        response = await _http(settings).post(
            url, content=body.model_dump_json(), headers=headers | _JSON
        )
    except httpx.HTTPError as err:
        raise ApplicationError(
            f"{department} unreachable at {path}: {type(err).__name__}",
            type=DEPARTMENT_UNAVAILABLE,
        ) from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ApplicationError(
            f"{department} answered {response.status_code} at {path}: {_error_type(response)}",
            type=DEPARTMENT_UNAVAILABLE,
        )
    if response.status_code >= 400:
        raise ApplicationError(
            f"{department} refused {path} ({response.status_code}): {_error_type(response)}",
            type=DEPARTMENT_REJECTED,
            non_retryable=True,
        )
    return response_model.model_validate_json(response.content)


_JSON = {"Content-Type": "application/json"}


def _error_type(response: httpx.Response) -> str:
    """The department's searchable error type and detail (which never hold personal data)."""
    try:
        payload = response.json()
    except ValueError:
        return "unreadable error body"
    if isinstance(payload, dict) and "error" in payload:
        return f"{payload['error']}: {payload.get('detail', '')}"
    return "unexpected error body"
