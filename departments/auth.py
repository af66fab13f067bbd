"""Service tokens: a department answers only callers holding its token.

Every path but ``/health`` needs ``Authorization: Bearer <the department's token>``. A refused
attempt is answered 401 with an :class:`~departments.api.ErrorBody` and recorded in the log with
the method, path, caller address and why (token missing or wrong), never a header or body value.
"""

from __future__ import annotations

import hmac
import logging
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from departments.http import error_response

OPEN_PATHS: Final = frozenset({"/health"})

auth_log = logging.getLogger("departments.auth")


class ServiceToken:
    """The check every request but ``/health`` passes: the department's service token.

    Args:
        department: The department, for the log and the refusal.
        token: The token callers must present.
    """

    def __init__(self, department: str, token: str) -> None:
        self.department = department
        self._expected = token.encode()

    def refusal(self, scope: Scope) -> Response | None:
        """None when the request may pass; else the 401 answer, the attempt logged.

        Args:
            scope: The request's ASGI scope.
        """
        if scope["path"] in OPEN_PATHS:
            return None
        scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
        presented = presented.strip()
        if scheme.lower() == "bearer" and presented:
            if hmac.compare_digest(presented.encode(), self._expected):
                return None
            reason = "wrong"
        else:
            reason = "missing"
        client = scope.get("client")
        auth_log.warning(
            "%s refused %s %s from %s: service token %s",
            self.department,
            scope["method"],
            scope["path"],
            client[0] if client else "unknown",
            reason,
        )
        response = error_response(
            401,
            "unauthorized",
            f"{self.department} answers only callers holding its service token",
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
