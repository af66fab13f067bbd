"""``person_reads`` asks every department with its own token and merges the answers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from onething.access_log import person_reads
from onething.constants import DEPARTMENTS
from onething.crypto.tokens import department_token
from onething.settings import Settings

PERSON = "330702199001011237"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


async def test_reads_are_merged_newest_first_and_silence_is_reported(settings: Settings) -> None:
    seen: dict[int, tuple[str, dict[str, str]]] = {}
    ports = {settings.department_port(d): d for d in DEPARTMENTS}

    def answer(request: httpx.Request) -> httpx.Response:
        department = ports[request.url.port or 0]
        seen[request.url.port or 0] = (
            request.headers["authorization"],
            json.loads(request.content),
        )
        if department == "market_regulation":
            return httpx.Response(503, json={"error": "unavailable", "detail": "down"})
        if department not in ("police", "tax"):
            return httpx.Response(200, json={"reads": []})
        at = "2026-11-26T15:00:0{}+08:00".format(1 if department == "police" else 2)
        read = {
            "case_id": "newborn-T1",
            "requested_by": department,
            "held_by": department,
            "fact": "identity",
            "purpose": "why",
            "at": at,
        }
        return httpx.Response(200, json={"reads": [read]})

    found = await person_reads(settings, PERSON, transport=httpx.MockTransport(answer))

    assert [r.held_by for r in found.reads] == ["tax", "police"]
    assert found.unanswered == {"market_regulation": "answered 503 unavailable"}
    for port, (authorization, body) in seen.items():
        assert authorization == f"Bearer {department_token(settings, ports[port])}"
        assert body == {"id_number": PERSON}
    assert all(PERSON not in str(request) for request in seen)


async def test_an_unreachable_department_is_named(settings: Settings) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    found = await person_reads(
        settings, PERSON, departments=("health",), transport=httpx.MockTransport(refuse)
    )
    assert found.reads == []
    assert found.unanswered == {"health": "unreachable (ConnectError)"}
