"""Service tokens: a department answers only callers holding a department's service token.

Every path but ``/health`` needs ``Authorization: Bearer <token>``. The department's own token
opens every path; another department's token opens only the queries departments put to each
other (:data:`SHARED_PATHS`). Whoever holds the token presented is the caller the access log
records: what a body or header claims is never asked. A refused attempt is answered 401 with an
:class:`~departments.api.ErrorBody` and recorded in the log with the method, path, caller
address and why (token missing, wrong, or another department's on a path only the owner may
call), never a header or body value.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from departments.http import CALLER_SCOPE_KEY, error_response

OPEN_PATHS: Final = frozenset({"/health"})
#: Queries about a person, verifications and address checks: any department may POST these,
#: each as itself. Everything else (issuing, paying, revoking, admin) is the owner's alone.
SHARED_PATHS: Final = frozenset(
    {
        "/identity-records",
        "/next-of-kin",
        "/address-checks",
        "/marriage-queries",
        "/contribution-records",
        "/pledge-eligibility",
        "/verifications",
    }
)

auth_log = logging.getLogger("departments.auth")


class ServiceToken:
    """The check every request but ``/health`` passes: a department's service token.

    Args:
        department: The department served, for the log and the refusal.
        token: Its own token, which opens every path.
        others: Other departments' tokens by department; each opens :data:`SHARED_PATHS`.
    """

    def __init__(
        self, department: str, token: str, *, others: Mapping[str, str] | None = None
    ) -> None:
        self.department = department
        self._holders = [(department, token.encode())] + [
            (holder, other.encode())
            for holder, other in (others or {}).items()
            if holder != department
        ]

    def holder(self, presented: str) -> str | None:
        """The department whose token ``presented`` is, or None."""
        found = None
        for department, expected in self._holders:
            # Every token is compared, so the time taken does not tell which one nearly matched.
            if hmac.compare_digest(presented.encode(), expected):
                found = department
        return found

    def refusal(self, scope: Scope) -> Response | None:
        """None when the request may pass (its caller noted in the scope); else the 401 answer.

        Args:
            scope: The request's ASGI scope; ``scope["onething.caller"]`` is set to the
                department whose token it presented.
        """
        path = scope["path"]
        if path in OPEN_PATHS:
            return None
        scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
        presented = presented.strip()
        if scheme.lower() == "bearer" and presented:
            holder = self.holder(presented)
            if holder == self.department or (
                holder is not None and scope["method"] == "POST" and path in SHARED_PATHS
            ):
                scope[CALLER_SCOPE_KEY] = holder
                return None
            reason = "wrong" if holder is None else f"of {holder}, which may not call this path"
        else:
            reason = "missing"
        client = scope.get("client")
        auth_log.warning(
            "%s refused %s %s from %s: service token %s",
            self.department,
            scope["method"],
            path,
            client[0] if client else "unknown",
            reason,
        )
        response = error_response(
            401,
            "unauthorized",
            f"{self.department} answers only callers holding a department's service token",
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
