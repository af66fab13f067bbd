"""Calls to the department services: one pooled HTTP client per process, errors mapped.

Each call carries a service token: the asking department's when the call is made on its
behalf and this process holds it, else the called department's own. A 4xx answer is a
refusal the case must see (``DepartmentRejected``, not retried); a 5xx answer, a timeout or a
refused connection is an outage (``DepartmentUnavailable``, retried by Temporal).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import httpx
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_STEP_INPUT, DEPARTMENT_REJECTED, DEPARTMENT_UNAVAILABLE
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER, scope_header
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import department_token
from onething.settings import Settings, get_settings
from workflows.models import CaseScope

ResponseT = TypeVar("ResponseT", bound=BaseModel)
InputT = TypeVar("InputT", bound=BaseModel)

#: The pooled session of this process, and the event loop it belongs to.
_session: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = None
_transport: httpx.AsyncBaseTransport | None = None
_tokens: dict[tuple[Path, Department], str] = {}
_MAX_CONNECTIONS = 200


class _Unreachable(Exception):
    """The department could not be reached, or did not answer in time."""


def use_transport(transport: httpx.AsyncBaseTransport | None) -> None:
    """Route department calls through ``transport`` (unit tests), or back to the network."""
    global _transport
    _transport = transport


async def close_connections() -> None:
    """Close this process's pooled connections to the departments (when its worker stops)."""
    global _session
    if _session is not None:
        _, session = _session
        _session = None
        await session.close()


def _pooled(settings: Settings) -> aiohttp.ClientSession:
    global _session
    loop = asyncio.get_running_loop()
    if _session is None or _session[0] is not loop or _session[1].closed:
        # Connections are reused across activities: one TCP set-up per department, not per
        # call. aiohttp is used directly: a call then costs the worker about a third of the CPU
        # it cost through httpx (docs/benchmark.md). No cookies are kept.
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=_MAX_CONNECTIONS),
            timeout=aiohttp.ClientTimeout(total=settings.department_timeout_s),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        _session = (loop, session)
    return _session[1]


async def _post(
    settings: Settings, url: str, content: bytes, headers: Mapping[str, str]
) -> tuple[int, bytes]:
    """POST and return the status and body.

    Raises:
        _Unreachable: On a network failure or a timeout.
    """
    if _transport is not None:
        async with httpx.AsyncClient(
            transport=_transport, timeout=settings.department_timeout_s
        ) as client:
            try:
                answer = await client.post(url, content=content, headers=headers)
            except httpx.HTTPError as err:
                raise _Unreachable(type(err).__name__) from None
            return answer.status_code, answer.content
    try:
        async with _pooled(settings).post(url, data=content, headers=headers) as response:
            return response.status, await response.read()
    except (aiohttp.ClientError, TimeoutError) as err:
        raise _Unreachable(type(err).__name__) from None


def _token(settings: Settings, department: Department) -> str:
    # Read once per process: the token file or setting does not change while workers run.
    key = (settings.home, department)
    if key not in _tokens:
        _tokens[key] = department_token(settings, department)
    return _tokens[key]


def _caller_token(settings: Settings, called: Department, asked_by: Department | None) -> str:
    """The token to present: ``asked_by``'s when this process holds it, else ``called``'s own.

    The called department records whoever holds the token as the asker, so a worker that
    holds only its own department's token is recorded as that department.
    """
    if asked_by is not None and asked_by != called:
        try:
            return _token(settings, asked_by)
        except SecretConfigError:
            pass
    return _token(settings, called)


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
    asked_by: Department | None = None,
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
        asked_by: the department on whose behalf the call is made; its token is presented
            when this process holds it (see :func:`_caller_token`).
        settings: where departments live; the process settings when omitted.

    Raises:
        ApplicationError: ``DepartmentRejected`` (non-retryable) on a 4xx answer,
            ``DepartmentUnavailable`` (retryable) on a 5xx answer or a network failure.
    """
    settings = settings or get_settings()
    url = settings.department_url(department) + path
    headers = {
        "Idempotency-Key": idempotency_key,
        "Authorization": f"Bearer {_caller_token(settings, department, asked_by)}",
    }
    if scope is not None:
        headers[SCOPE_HEADER] = scope_header(CaseScope.model_validate(scope))
    try:
        status, content = await _post(
            settings, url, body.model_dump_json().encode(), headers | _JSON
        )
    except _Unreachable as err:
        raise ApplicationError(
            f"{department} unreachable at {path}: {err}", type=DEPARTMENT_UNAVAILABLE
        ) from None
    if status >= 500 or status in (408, 429):
        raise ApplicationError(
            f"{department} answered {status} at {path}: {_error_type(content)}",
            type=DEPARTMENT_UNAVAILABLE,
        )
    if status >= 400:
        raise ApplicationError(
            f"{department} refused {path} ({status}): {_error_type(content)}",
            type=DEPARTMENT_REJECTED,
            non_retryable=True,
        )
    return response_model.model_validate_json(content)


_JSON = {"Content-Type": "application/json"}


def _error_type(content: bytes) -> str:
    """The department's searchable error type and detail (which never hold personal data)."""
    try:
        payload = json.loads(content)
    except ValueError:
        return "unreadable error body"
    if isinstance(payload, dict) and "error" in payload:
        return f"{payload['error']}: {payload.get('detail', '')}"
    return "unexpected error body"
