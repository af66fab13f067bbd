"""Service tokens: a department answers only callers holding its token.

Every path but ``/health`` needs ``Authorization: Bearer <the department's token>``. A refused
attempt is answered 401 with an :class:`~departments.api.ErrorBody` and recorded in the log with
the method, path, caller address and why (token missing or wrong), never a header or body value.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import Request, Response

from departments.http import error_response

OPEN_PATHS: Final = frozenset({"/health"})

auth_log = logging.getLogger("departments.auth")

Middleware = Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]


def require_service_token(department: str, token: str) -> Middleware:
    """A middleware that refuses every request without the department's service token.

    Args:
        department: The department, for the log.
        token: The token callers must present.

    Returns:
        The middleware.
    """
    expected = token.encode()

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        presented = presented.strip()
        if scheme.lower() == "bearer" and presented:
            if hmac.compare_digest(presented.encode(), expected):
                return await call_next(request)
            reason = "wrong"
        else:
            reason = "missing"
        auth_log.warning(
            "%s refused %s %s from %s: service token %s",
            department,
            request.method,
            request.url.path,
            request.client.host if request.client is not None else "unknown",
            reason,
        )
        response = error_response(
            401, "unauthorized", f"{department} answers only callers holding its service token"
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    return middleware
