"""The one middleware in front of every department: request log, service token, faults.

It is plain ASGI: a request costs one function call here, not the task, memory stream and
response wrapper that each ``@app.middleware("http")`` layer adds (``docs/benchmark.md``). The
log line holds method, path, status and duration only, never a header or body value.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from departments.auth import ServiceToken
from departments.faults import FaultInjector
from departments.http import error_response

request_log = logging.getLogger("departments.requests")

_SERVER_ERROR: Final = 500


class DepartmentGate:
    """Log every HTTP request; refuse it without the service token; apply injected faults.

    An unexpected failure below becomes a 500 :class:`~departments.api.ErrorBody`, logged with
    its type and stack but not its message, which could quote data.

    Args:
        app: The application behind the gate.
        token: The service token check.
        faults: The department's injected faults.
    """

    def __init__(self, app: ASGIApp, *, token: ServiceToken, faults: FaultInjector) -> None:
        self.app = app
        self.token = token
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = _SERVER_ERROR
        responded = False

        async def send_noting_status(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
            await send(message)

        try:
            refusal = self.token.refusal(scope) or await self.faults.refusal(scope["path"])
            if refusal is not None:
                status = refusal.status_code
                await refusal(scope, receive, send)
            else:
                await self.app(scope, receive, send_noting_status)
        except Exception as exc:
            request_log.error(
                "unhandled %s on %s %s\n%s",
                type(exc).__name__,
                scope["method"],
                scope["path"],
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if responded:
                raise  # Too late for an error answer: the server drops the connection.
            status = _SERVER_ERROR
            failed = error_response(
                _SERVER_ERROR, "internal_error", "the department failed; see its log"
            )
            await failed(scope, receive, send)
        request_log.info(
            "%s %s %d %.1fms",
            scope["method"],
            scope["path"],
            status,
            (time.perf_counter() - started) * 1000,
        )
