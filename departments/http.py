"""HTTP plumbing shared by every department: headers, answers and errors.

Nothing here writes a value from a request body into a response detail: errors name fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from departments.api import ErrorBody
from departments.idempotency import MAX_KEY_LENGTH, Outcome
from departments.refusals import DepartmentError

REPLAY_HEADER: Final = "Idempotent-Replayed"
UNKNOWN_CALLER: Final = "unknown"
#: Where the gate leaves the department whose service token a request presented.
CALLER_SCOPE_KEY: Final = "onething.caller"

_SAFE_LOCATION: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
_MAX_REPORTED_ERRORS: Final = 10
_HTTP_ERROR_TYPES: Final = {404: "not_found", 405: "method_not_allowed"}


async def _idempotency_key(
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> str:
    if not idempotency_key:
        raise DepartmentError(
            400, "idempotency_key_missing", "POST requests need an Idempotency-Key header"
        )
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise DepartmentError(
            400,
            "idempotency_key_invalid",
            f"the Idempotency-Key header is longer than {MAX_KEY_LENGTH} characters",
        )
    return idempotency_key


async def _caller(request: Request) -> str:
    # Set by the gate from the service token presented; ``unknown`` only where no gate runs.
    caller = request.scope.get(CALLER_SCOPE_KEY)
    return caller if isinstance(caller, str) else UNKNOWN_CALLER


#: The ``Idempotency-Key`` header of a write; a missing one is refused with 400.
IdempotencyKey = Annotated[str, Depends(_idempotency_key)]
#: The department whose service token the request presented (never what it claims).
Caller = Annotated[str, Depends(_caller)]


def respond(outcome: Outcome) -> Response:
    """The HTTP response for a write's outcome, marking replays with a header."""
    headers = {REPLAY_HEADER: "true"} if outcome.replayed else None
    return Response(
        content=outcome.body,
        status_code=outcome.status,
        media_type="application/json",
        headers=headers,
    )


def error_response(status: int, error: str, detail: str) -> JSONResponse:
    """An :class:`ErrorBody` response."""
    return JSONResponse(ErrorBody(error=error, detail=detail).model_dump(), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as an :class:`ErrorBody` that echoes no submitted value."""

    async def on_refusal(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DepartmentError)
        return error_response(exc.status, exc.error, exc.detail)

    async def on_invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, "invalid_request", describe_validation_errors(exc.errors()))

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error = _HTTP_ERROR_TYPES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, error, str(exc.detail))

    app.add_exception_handler(DepartmentError, on_refusal)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """Name each invalid field and the kind of problem, never the value sent.

    Pydantic's messages are left out because some quote the input; a location part that is not
    a plain identifier (it could be a key the client invented) is shown as ``?``.
    """
    parts = []
    for error in errors[:_MAX_REPORTED_ERRORS]:
        location = ".".join(_location_part(part) for part in error.get("loc", ()))
        parts.append(f"{location or 'request'} ({error.get('type', 'invalid')})")
    more = len(errors) - _MAX_REPORTED_ERRORS
    suffix = f"; and {more} more" if more > 0 else ""
    return "invalid fields: " + "; ".join(parts) + suffix


def _location_part(part: object) -> str:
    if isinstance(part, int) or (isinstance(part, str) and _SAFE_LOCATION.match(part)):
        return str(part)
    return "?"
