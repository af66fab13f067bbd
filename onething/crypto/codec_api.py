"""The codec server's HTTP API: Temporal's remote codec protocol, behind a bearer token.

``POST /encode`` and ``POST /decode`` take and return ``{"payloads": [...]}``, the protobuf JSON
of ``temporal.api.common.v1.Payloads`` (metadata values and data in base64), as the Web UI and
``temporal --codec-endpoint`` send it. Every call needs ``Authorization: Bearer <codec token>``,
with one exception when ``codec_trust_local_ui`` is on: a request from a loopback address whose
``Origin`` is the local Web UI. The dev server's UI has no login and cannot send a token; a
browser cannot forge ``Origin``, so other web pages are still refused, while anyone who can
already open the local UI can decode through it (see docs/security.md).

A request with any other ``Origin`` is refused, CORS is answered for the UI's origin only, and an
``X-Namespace`` other than the configured namespace is refused. Nothing here logs or echoes a
payload.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from starlette.middleware.cors import CORSMiddleware
from temporalio.api.common.v1 import Payload, Payloads

from onething.crypto.codec import EncryptionCodec, PayloadDecryptionError
from onething.crypto.keys import load_key_ring
from onething.crypto.tokens import codec_token
from onething.settings import Settings

#: Temporal refuses payloads over 2 MiB by default; a request this big is a mistake or an attack.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
ALLOWED_HEADERS: Final = ("Authorization", "Content-Type", "X-Namespace")
OPEN_PATHS: Final = frozenset({"/health"})

log = logging.getLogger("onething.codec")
_LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1"})

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class CodecAccess:
    """Who may use the codec server.

    Attributes:
        token: The bearer token every caller needs (but see ``trust_local_ui``).
        namespace: The only namespace served.
        ui_origins: The Web UI's origins: the only ones CORS answers and the only ``Origin``
            headers accepted.
        trust_local_ui: Accept requests without a token from a loopback peer whose ``Origin``
            is one of ``ui_origins``.
    """

    token: str
    namespace: str
    ui_origins: frozenset[str]
    trust_local_ui: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> CodecAccess:
        """The access rules of the configured stack."""
        return cls(
            token=codec_token(settings),
            namespace=settings.temporal_namespace,
            ui_origins=ui_origins(settings),
            trust_local_ui=settings.codec_trust_local_ui,
        )


def ui_origins(settings: Settings) -> frozenset[str]:
    """The Web UI's origin, and its ``localhost`` spelling when it listens on 127.0.0.1."""
    origins = {settings.ui_url}
    if settings.local_host in _LOOPBACK_NAMES:
        origins |= {f"http://{name}:{settings.local_ui_port}" for name in _LOOPBACK_NAMES}
    return frozenset(origins)


def create_codec_app(
    settings: Settings,
    *,
    codec: EncryptionCodec | None = None,
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
    codec = codec or EncryptionCodec(
        load_key_ring(settings), reload=lambda: load_key_ring(settings)
    )
    access = access or CodecAccess.from_settings(settings)
    app = FastAPI(
        title="onething payload codec", version="1", docs_url=None, redoc_url=None, openapi_url=None
    )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/encode")
    async def encode(request: Request) -> Response:
        payloads = await _read_payloads(request)
        if isinstance(payloads, Response):
            return payloads
        return _payloads_response(await codec.encode(payloads.payloads))

    @app.post("/decode")
    async def decode(request: Request) -> Response:
        payloads = await _read_payloads(request)
        if isinstance(payloads, Response):
            return payloads
        try:
            decoded = await codec.decode(payloads.payloads)
        except PayloadDecryptionError as error:
            return _refusal(400, "undecryptable", str(error))
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
    """Why the request is refused, as (status, error type, detail), or None to let it through."""
    if request.url.path in OPEN_PATHS:
        return None
    origin = request.headers.get("origin")
    if origin is not None and origin not in access.ui_origins:
        return 403, "origin_not_allowed", "only the Temporal Web UI's origin may call"
    if not _authorized(request, access, origin):
        return 401, "unauthorized", "send Authorization: Bearer <codec token>"
    namespace = request.headers.get("x-namespace")
    if namespace and namespace != access.namespace:
        return 403, "namespace_not_served", "this codec server serves another namespace"
    return None


def _authorized(request: Request, access: CodecAccess, origin: str | None) -> bool:
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and presented:
        return hmac.compare_digest(presented.strip().encode(), access.token.encode())
    return access.trust_local_ui and origin is not None and _from_loopback(request)


def _from_loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _peer(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _read_payloads(request: Request) -> Payloads | Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _refusal(413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
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
