"""The codec server: Temporal's codec protocol, only for token holders and the local Web UI."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from temporalio.api.common.v1 import Payload

from onething.crypto.codec import ENCODING, EncryptionCodec
from onething.crypto.codec_api import CodecAccess, create_codec_app
from onething.crypto.keys import local_key_ring
from onething.crypto.tokens import codec_token, department_token, ensure_local_secrets
from onething.settings import Settings

NAME = "孟晓雯"
UI = "http://127.0.0.1:18233"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    made = Settings(home=tmp_path, local_ui_port=18233)
    ensure_local_secrets(made)  # as onething up does before it starts the codec server
    return made


@pytest.fixture
def remote(settings: Settings) -> Iterator[TestClient]:
    """A client calling from another machine."""
    with TestClient(create_codec_app(settings), client=("10.1.2.3", 50000)) as client:
        yield client


@pytest.fixture
def local(settings: Settings) -> Iterator[TestClient]:
    """A client calling from this machine (as the browser showing the local Web UI does)."""
    with TestClient(create_codec_app(settings), client=("127.0.0.1", 50000)) as client:
        yield client


@pytest.fixture
def trusting(settings: Settings) -> Iterator[TestClient]:
    """A local client of a codec server that trusts the local Web UI (switched on)."""
    switched_on = settings.model_copy(update={"codec_trust_local_ui": True})
    with TestClient(create_codec_app(switched_on), client=("127.0.0.1", 50000)) as client:
        yield client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def as_json(payload: Payload) -> dict[str, Any]:
    return {
        "metadata": {key: b64(value) for key, value in payload.metadata.items()},
        "data": b64(payload.data),
    }


async def encrypted(settings: Settings, text: str) -> dict[str, Any]:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=f'"{text}"'.encode())
    [sealed] = await EncryptionCodec(local_key_ring(settings.home)).encode([plain])
    return {"payloads": [as_json(sealed)]}


def auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {codec_token(settings)}"}


async def test_decoding_needs_the_token(settings: Settings, remote: TestClient) -> None:
    body = await encrypted(settings, NAME)

    refused = remote.post("/decode", json=body)
    wrong = remote.post("/decode", json=body, headers={"Authorization": "Bearer nope"})
    decoded = remote.post("/decode", json=body, headers=auth(settings) | {"X-Namespace": "default"})

    assert (refused.status_code, refused.json()["error"]) == (401, "unauthorized")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert NAME not in refused.text + wrong.text
    assert decoded.status_code == 200
    [payload] = decoded.json()["payloads"]
    assert base64.b64decode(payload["data"]).decode() == f'"{NAME}"'
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"


async def test_encode_then_decode_round_trips(settings: Settings, remote: TestClient) -> None:
    plain = {"payloads": [{"metadata": {"encoding": b64(b"json/plain")}, "data": b64(b'"x"')}]}

    encoded = remote.post("/encode", json=plain, headers=auth(settings)).json()
    decoded = remote.post("/decode", json=encoded, headers=auth(settings)).json()

    assert base64.b64decode(encoded["payloads"][0]["metadata"]["encoding"]) == ENCODING
    assert decoded == plain


async def test_a_foreign_origin_is_refused_even_with_the_token(
    settings: Settings, local: TestClient
) -> None:
    body = await encrypted(settings, NAME)
    evil = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}

    preflight = local.options("/decode", headers=evil)
    call = local.post("/decode", json=body, headers=auth(settings) | {"Origin": evil["Origin"]})

    assert preflight.status_code >= 400
    assert "access-control-allow-origin" not in preflight.headers
    assert (call.status_code, call.json()["error"]) == (403, "origin_not_allowed")
    assert "access-control-allow-origin" not in call.headers


def test_the_web_ui_origin_gets_its_preflight_answered(local: TestClient) -> None:
    preflight = local.options(
        "/decode",
        headers={
            "Origin": UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
        },
    )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == UI
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"content-type", "x-namespace", "authorization"} <= set(
        allowed.replace(" ", "").split(",")
    )


async def test_the_local_web_ui_decodes_without_a_token_only_when_switched_on(
    settings: Settings, trusting: TestClient, remote: TestClient
) -> None:
    body = await encrypted(settings, NAME)

    from_ui = trusting.post("/decode", json=body, headers={"Origin": UI, "X-Namespace": "default"})
    from_afar = remote.post("/decode", json=body, headers={"Origin": UI})
    without_origin = trusting.post("/decode", json=body)

    assert from_ui.status_code == 200
    assert from_ui.headers["access-control-allow-origin"] == UI
    assert from_afar.status_code == 401
    assert from_afar.headers["access-control-allow-origin"] == UI
    assert without_origin.status_code == 401


async def test_the_local_ui_is_not_trusted_by_default(
    settings: Settings, local: TestClient
) -> None:
    body = await encrypted(settings, NAME)

    response = local.post("/decode", json=body, headers={"Origin": UI})

    assert Settings().codec_trust_local_ui is False
    assert response.status_code == 401
    assert NAME not in response.text


def test_trusting_the_local_ui_is_a_warning_at_start(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onething.codec")

    create_codec_app(settings)
    quiet = [r for r in caplog.records if r.levelno >= logging.WARNING]
    create_codec_app(settings.model_copy(update={"codec_trust_local_ui": True}))
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]

    assert quiet == []
    [warning] = loud
    assert "ONETHING_CODEC_TRUST_LOCAL_UI is on" in warning.getMessage()


async def test_another_namespace_is_refused(settings: Settings, remote: TestClient) -> None:
    body = await encrypted(settings, NAME)

    response = remote.post("/decode", json=body, headers=auth(settings) | {"X-Namespace": "other"})

    assert (response.status_code, response.json()["error"]) == (403, "namespace_not_served")


def test_bad_bodies_are_refused_without_echo(settings: Settings, remote: TestClient) -> None:
    for body in (NAME.encode(), b'{"payloads": 5}', b'{"payloads": [{"data": 5}]}'):
        response = remote.post("/decode", content=body, headers=auth(settings))
        assert (response.status_code, response.json()["error"]) == (400, "invalid_payloads")
        assert NAME not in response.text


async def test_a_payload_under_an_unknown_key_is_refused(
    settings: Settings, remote: TestClient, tmp_path: Path
) -> None:
    stranger = await encrypted(Settings(home=tmp_path / "elsewhere"), NAME)

    response = remote.post("/decode", json=stranger, headers=auth(settings))

    assert (response.status_code, response.json()["error"]) == (400, "undecryptable")


async def test_refusals_are_logged_without_token_or_payload(
    settings: Settings, remote: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = await encrypted(settings, NAME)
    caplog.set_level(logging.INFO, logger="onething.codec")

    remote.post("/decode", json=body, headers={"Authorization": "Bearer guess-" + "x" * 40})
    remote.post("/decode", json=body, headers=auth(settings))

    assert any(
        "refused POST /decode from 10.1.2.3: unauthorized" in r.message for r in caplog.records
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert codec_token(settings) not in logged
    assert "guess-" not in logged
    assert NAME not in logged


def test_health_is_open(remote: TestClient) -> None:
    assert remote.get("/health").json() == {"status": "ok"}


def test_an_empty_request_gets_an_empty_list(settings: Settings, remote: TestClient) -> None:
    response = remote.post("/decode", json={"payloads": []}, headers=auth(settings))

    assert response.json() == {"payloads": []}


async def test_an_oversized_body_is_refused_before_any_of_it_is_read(settings: Settings) -> None:
    app = create_codec_app(settings)
    declared = 100 * 1024 * 1024
    received: list[str] = []
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        received.append("read")
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/decode",
        "raw_path": b"/decode",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {codec_token(settings)}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(declared).encode()),
        ],
        "client": ("10.1.2.3", 50000),
        "server": ("127.0.0.1", 8234),
    }

    await app(scope, receive, send)

    assert sent[0]["status"] == 413
    assert received == []


def test_a_streamed_body_is_cut_off_at_the_limit(settings: Settings, remote: TestClient) -> None:
    chunk = b"x" * (1024 * 1024)

    def body() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for _ in range(100):
            yield chunk

    response = remote.post("/decode", content=body(), headers=auth(settings))

    assert (response.status_code, response.json()["error"]) == (413, "too_large")


async def test_every_decode_is_logged_with_who_which_workflow_and_how_many_never_what(
    settings: Settings, remote: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = await encrypted(settings, NAME)
    caplog.set_level(logging.INFO, logger="onething.codec")

    remote.post("/decode", json=body, headers=auth(settings) | {"X-Workflow-Id": "newborn-B-1"})

    decodes = [r.getMessage() for r in caplog.records if "decode by" in r.getMessage()]
    assert decodes == [
        "decode by operator for workflow newborn-B-1 in default: 1 payload(s), 0 withheld"
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert NAME not in logged
    assert body["payloads"][0]["data"] not in logged


async def test_a_department_token_decodes_only_its_own_keys_and_never_encodes(
    settings: Settings, remote: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = await encrypted(settings, NAME)
    tax = {"Authorization": f"Bearer {department_token(settings, 'tax')}"}
    caplog.set_level(logging.INFO, logger="onething.codec")

    withheld = remote.post("/decode", json=body, headers=tax)
    encoding = remote.post("/encode", json=body, headers=tax)

    assert withheld.status_code == 200
    assert withheld.json() == body  # the orchestrator's payload comes back still encrypted
    assert NAME not in withheld.text
    assert (encoding.status_code, encoding.json()["error"]) == (403, "role_not_allowed")
    assert any(
        r.getMessage()
        == "decode by department:tax for workflow - in default: 1 payload(s), 1 withheld"
        for r in caplog.records
    )


async def test_a_department_token_decodes_payloads_under_its_keys(settings: Settings) -> None:
    ring = local_key_ring(settings.home)
    access = CodecAccess.from_settings(settings)
    tax_only = replace(access, department_keys={"tax": frozenset({ring.active_id})})
    body = await encrypted(settings, NAME)
    tax = {"Authorization": f"Bearer {department_token(settings, 'tax')}"}
    police = {"Authorization": f"Bearer {department_token(settings, 'police')}"}

    with TestClient(create_codec_app(settings, access=tax_only)) as client:
        mine = client.post("/decode", json=body, headers=tax)
        theirs = client.post("/decode", json=body, headers=police)

    assert base64.b64decode(mine.json()["payloads"][0]["data"]).decode() == f'"{NAME}"'
    assert theirs.json() == body
