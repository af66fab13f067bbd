"""The pooled HTTP client the activities call departments with, over a real loopback socket."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from activities import department_client
from activities.department_client import call_department
from activities.errors import DEPARTMENT_REJECTED, DEPARTMENT_UNAVAILABLE
from onething.settings import Settings

_PERSON = "330702199001010011"


class _Ask(BaseModel):
    id_number: str


class _Answer(BaseModel):
    ok: bool


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def department(settings: Settings) -> AsyncIterator[tuple[Settings, list[Any]]]:
    """A stand-in tax service on loopback answering by the Idempotency-Key it is sent."""
    seen: list[Any] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.json()))
        key = request.headers["Idempotency-Key"]
        if key == "busy":
            return web.json_response({"error": "overloaded", "detail": "later"}, status=503)
        if key == "no":
            return web.json_response({"error": "person_not_found", "detail": "id"}, status=422)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/ask", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    here = settings.model_copy(update={"department_urls": {"tax": f"http://127.0.0.1:{port}"}})
    try:
        yield here, seen
    finally:
        await department_client.close_connections()
        await runner.cleanup()


async def _ask(settings: Settings, key: str) -> _Answer:
    return await call_department(
        "tax", "/ask", _Ask(id_number=_PERSON), _Answer, idempotency_key=key, settings=settings
    )


async def test_an_answer_is_parsed_and_the_call_carries_token_and_key(
    department: tuple[Settings, list[Any]],
) -> None:
    settings, seen = department

    assert await _ask(settings, "k1") == _Answer(ok=True)
    assert await _ask(settings, "k2") == _Answer(ok=True)

    headers, body = seen[0]
    assert body == {"id_number": _PERSON}
    assert headers["Idempotency-Key"] == "k1"
    assert headers["Authorization"].startswith("Bearer ")
    assert "X-Onething-Department" not in headers


async def test_a_5xx_is_retryable_and_a_4xx_is_not_and_neither_quotes_the_request(
    department: tuple[Settings, list[Any]],
) -> None:
    settings, _ = department

    with pytest.raises(ApplicationError) as busy:
        await _ask(settings, "busy")
    with pytest.raises(ApplicationError) as refused:
        await _ask(settings, "no")

    assert busy.value.type == DEPARTMENT_UNAVAILABLE
    assert not busy.value.non_retryable
    assert "503" in str(busy.value)
    assert "overloaded" in str(busy.value)
    assert refused.value.type == DEPARTMENT_REJECTED
    assert refused.value.non_retryable
    assert "person_not_found" in str(refused.value)
    assert _PERSON not in str(busy.value) + str(refused.value)


async def test_a_department_that_is_down_is_unavailable(settings: Settings) -> None:
    down = settings.model_copy(
        update={"department_urls": {"tax": f"http://127.0.0.1:{_free_port()}"}}
    )
    try:
        with pytest.raises(ApplicationError) as unreachable:
            await _ask(down, "k")
    finally:
        await department_client.close_connections()

    assert unreachable.value.type == DEPARTMENT_UNAVAILABLE
    assert not unreachable.value.non_retryable
    assert "tax unreachable at /ask: ClientConnectorError" in str(unreachable.value)
