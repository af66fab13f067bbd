"""The codec server's HTTP API: Temporal's remote codec protocol, behind a bearer token.

``POST /encode`` and ``POST /decode`` take and return ``{"payloads": [...]}``, the protobuf JSON
of ``temporal.api.common.v1.Payloads`` (metadata values and data in base64), as the Web UI and
``temporal --codec-endpoint`` send it. Every call needs ``Authorization: Bearer <token>``, and
the token decides what the caller may do:

- the codec token (operators): decode everything, encode;
- a department's service token: decode only payloads under that department's own keys (any
  other payload comes back as it was, still encrypted); never encode.

One exception, off by default and logged as a WARNING at start when on
(``ONETHING_CODEC_TRUST_LOCAL_UI``): a request from a loopback address whose ``Origin`` is the
local Web UI decodes as an operator. The dev server's UI has no login and cannot send a token
(its only codec flag is ``--ui-codec-endpoint``); a browser cannot forge ``Origin``, but any
local process can, so switching it on hands every case to every local user.

A request with any other ``Origin`` is refused, CORS is answered for the UI's origin only, and an
``X-Namespace`` other than the configured namespace is refused. A body over
:data:`MAX_BODY_BYTES` is refused (413) from its ``Content-Length`` before any of it is read, or
as soon as a streamed body passes the limit. Every decode is logged with who asked, for which
workflow (``X-Workflow-Id``, when sent) and how many payloads; nothing here logs or echoes a
payload.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from starlette.middleware.cors import CORSMiddleware
from temporalio.api.common.v1 import Payload, Payloads

from onething.constants import DEPARTMENTS
from onething.crypto.codec import (
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptionError,
    is_encrypted,
)
from onething.crypto.routing import KeyRings, RoutingCodec, load_key_rings
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import codec_token, department_token, department_token_path
from onething.settings import Settings

#: Temporal refuses payloads over 2 MiB by default; a request this big is a mistake or an attack.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
ALLOWED_HEADERS: Final = ("Authorization", "Content-Type", "X-Namespace", "X-Workflow-Id")
OPEN_PATHS: Final = frozenset({"/health"})
#: Who the caller is, once the guard let it through: ``operator``, ``local-ui`` or
#: ``department:<name>``.
OPERATOR: Final = "operator"
LOCAL_UI: Final = "local-ui"
_SAFE_WORKFLOW_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

log = logging.getLogger("onething.codec")
_LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1"})

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class CodecAccess:
    """Who may use the codec server, and for what.

    Attributes:
        token: The operators' bearer token: decodes everything, encodes.
        namespace: The only namespace served.
        ui_origins: The Web UI's origins: the only ones CORS answers and the only ``Origin``
            headers accepted.
        trust_local_ui: Accept requests without a token from a loopback peer whose ``Origin``
            is one of ``ui_origins``, as an operator.
        department_tokens: Each department's service token, by department.
        department_keys: The payload key IDs each department's token may decode.
    """

    token: str
    namespace: str
    ui_origins: frozenset[str]
    trust_local_ui: bool
    department_tokens: Mapping[str, str] = field(default_factory=dict)
    department_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, rings: KeyRings | None = None) -> CodecAccess:
        """The access rules of the configured stack (department keys from ``rings``)."""
        tokens: dict[str, str] = {}
        for department in DEPARTMENTS:
            local = department_token_path(settings.home, department)
            if settings.department_tokens is None and not local.exists():
                continue  # a department token nobody was given: not one to mint here
            try:
                tokens[department] = department_token(settings, department)
            except SecretConfigError:
                continue  # a deployment that does not give this server that token
        return cls(
            token=codec_token(settings),
            namespace=settings.temporal_namespace,
            ui_origins=ui_origins(settings),
            trust_local_ui=settings.codec_trust_local_ui,
            department_tokens=tokens,
            department_keys={d: rings.key_ids(d) for d in DEPARTMENTS} if rings else {},
        )

    def role_of(self, presented: str) -> str | None:
        """The role a presented bearer token gives, or None for an unknown token."""
        found = None
        candidates = [(OPERATOR, self.token)] + [
            (f"department:{d}", token) for d, token in self.department_tokens.items()
        ]
        # Every token is compared, so the time taken does not tell which one nearly matched.
        for role, token in candidates:
            if hmac.compare_digest(presented.encode(), token.encode()):
                found = role
        return found

    def may_decode(self, role: str, key_id: str) -> bool:
        """Whether ``role`` may decode a payload encrypted under ``key_id``."""
        if role in (OPERATOR, LOCAL_UI):
            return True
        department = role.removeprefix("department:")
        return key_id in self.department_keys.get(department, frozenset())


def ui_origins(settings: Settings) -> frozenset[str]:
    """The Web UI's origin, and its ``localhost`` spelling when it listens on 127.0.0.1."""
    origins = {settings.ui_url}
    if settings.local_host in _LOOPBACK_NAMES:
        origins |= {f"http://{name}:{settings.local_ui_port}" for name in _LOOPBACK_NAMES}
    return frozenset(origins)


def create_codec_app(
    settings: Settings,
    *,
    codec: EncryptionCodec | RoutingCodec | None = None,
    access: CodecAccess | None = None,
) -> FastAPI:
    """The codec server application.

    Args:
        settings: The stack's settings: keys, token, namespace and the UI's address.
        codec: The codec; one over the configured key ring when omitted.
        access: Who may call; from ``settings`` when omitted.

    Returns:
        The application.
    """
    rings = load_key_rings(settings)
    codec = codec or RoutingCodec(rings, reload=lambda: load_key_rings(settings))
    access = access or CodecAccess.from_settings(settings, rings)
    if access.trust_local_ui:
        log.warning(
            "ONETHING_CODEC_TRUST_LOCAL_UI is on: any local process that sends the Web UI's "
            "Origin decodes every case without a token; switch it off outside a laptop demo"
        )
    app = FastAPI(
        title="onething payload codec", version="1", docs_url=None, redoc_url=None, openapi_url=None
    )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/encode")
    async def encode(request: Request) -> Response:
        role = _role(request)
        if role not in (OPERATOR, LOCAL_UI):
            return _refusal(403, "role_not_allowed", "only operators may encode")
        payloads = await _read_payloads(request)
        if isinstance(payloads, Response):
            return payloads
        return _payloads_response(await codec.encode(payloads.payloads))

    @app.post("/decode")
    async def decode(request: Request) -> Response:
        role = _role(request)
        payloads = await _read_payloads(request)
        if isinstance(payloads, Response):
            return payloads
        allowed = [
            not is_encrypted(p) or access.may_decode(role, _key_id(p)) for p in payloads.payloads
        ]
        try:
            decoded = [
                codec.decrypt(p) if may else p
                for p, may in zip(payloads.payloads, allowed, strict=True)
            ]
        except PayloadDecryptionError as error:
            return _refusal(400, "undecryptable", str(error))
        log.info(
            "decode by %s for workflow %s in %s: %d payload(s), %d withheld",
            role,
            _workflow_of(request),
            access.namespace,
            len(decoded),
            allowed.count(False),
        )
        return _payloads_response(decoded)

    async def guard(request: Request, call_next: Handler) -> Response:
        refusal = _check(request, access)
        if refusal is not None:
            status, error, detail = refusal
            log.warning(
                "refused %s %s from %s: %s",
                request.method,
                request.url.path,
                _peer(request),
                error,
            )
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return _refusal(status, error, detail, headers=headers)
        return await call_next(request)

    app.middleware("http")(guard)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted(access.ui_origins),
        allow_methods=["POST"],
        allow_headers=list(ALLOWED_HEADERS),
        max_age=600,
    )
    app.middleware("http")(_log_request)
    return app


def _check(request: Request, access: CodecAccess) -> tuple[int, str, str] | None:
    """Why the request is refused, as (status, error type, detail), or None to let it through.

    The caller's role is left in ``request.state.role``.
    """
    if request.url.path in OPEN_PATHS:
        return None
    origin = request.headers.get("origin")
    if origin is not None and origin not in access.ui_origins:
        return 403, "origin_not_allowed", "only the Temporal Web UI's origin may call"
    role = _authorized_role(request, access, origin)
    if role is None:
        return 401, "unauthorized", "send Authorization: Bearer <codec or department token>"
    request.state.role = role
    namespace = request.headers.get("x-namespace")
    if namespace and namespace != access.namespace:
        return 403, "namespace_not_served", "this codec server serves another namespace"
    if _declared_length(request) > MAX_BODY_BYTES:
        return 413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes"
    return None


def _authorized_role(request: Request, access: CodecAccess, origin: str | None) -> str | None:
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and presented.strip():
        return access.role_of(presented.strip())
    if access.trust_local_ui and origin is not None and _from_loopback(request):
        return LOCAL_UI
    return None


def _role(request: Request) -> str:
    role: str = request.state.role
    return role


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return MAX_BODY_BYTES + 1  # an unreadable length is refused like an oversized one


def _key_id(payload: Payload) -> str:
    return payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", "replace")


def _workflow_of(request: Request) -> str:
    workflow_id = request.headers.get("x-workflow-id")
    if workflow_id is None:
        return "-"
    return workflow_id if _SAFE_WORKFLOW_ID.match(workflow_id) else "(unreadable id)"


def _from_loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _peer(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _read_payloads(request: Request) -> Payloads | Response:
    # Content-Length was checked by the guard; a streamed body is cut off at the limit.
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return _refusal(413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        return json_format.Parse(body, Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, UnicodeDecodeError, ValueError):
        return _refusal(400, "invalid_payloads", 'the body must be {"payloads": [...]}')


def _payloads_response(payloads: Sequence[Payload]) -> JSONResponse:
    return JSONResponse({"payloads": [json_format.MessageToDict(p) for p in payloads]})


def _refusal(
    status: int, error: str, detail: str, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


async def _log_request(request: Request, call_next: Handler) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    log.info(
        "%s %s %d %.1fms",
        request.method,
        request.url.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
    return response
