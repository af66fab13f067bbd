"""Events that cannot be true: refused at the edge, or by the departments, never obeyed."""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from datetime import date
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import DEPARTMENTS, TOPIC_BIRTHS, TOPIC_DEAD_LETTERS
from onething.identifiers import make_id_number
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce_event, read_until

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


def _documents_of(stack: Any, case_id: str) -> int:
    """Documents any department holds for the case, read from the departments' databases."""
    total = 0
    for department in DEPARTMENTS:
        path = stack.settings.department_db(department)
        if not path.exists():
            continue
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM documents WHERE case_id = ?", (case_id,)
            ).fetchone()
        total += count
    return total


async def test_a_birth_to_a_mother_in_no_register_is_rejected_without_a_document(
    stack: Any, client: Client
) -> None:
    event = sample_event("newborn", 7303)
    # A woman of 31 with a valid ID number whom no register holds: the edge cannot know that.
    stranger = make_id_number("330782", date(1995, 3, 3), 998)
    event["data"]["mother"]["id_number"] = stranger
    event["data"]["household_parent"] = "father"
    case_id = f"newborn-{event['subject']}"

    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(client, case_id, timeout_s=180)

    assert view.status == "rejected"
    assert view.failure is not None
    assert view.failure.step == "birth_medical_certificate"
    assert "person_not_found" in view.failure.message
    assert stranger not in view.failure.message
    assert view.documents == []
    assert _documents_of(stack, case_id) == 0


async def test_a_birth_to_a_mother_aged_five_is_dead_lettered_naming_the_field(
    stack: Any,
) -> None:
    event = sample_event("newborn", 7304)
    five = make_id_number("330782", date(2021, 3, 3), 996)
    event["data"]["mother"]["id_number"] = five
    original = json.dumps(event, ensure_ascii=False).encode()

    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    letters = await read_until(
        stack.settings.kafka_target,
        TOPIC_DEAD_LETTERS,
        lambda rs: any(base64.b64decode(r["original_base64"]) == original for r in rs),
    )

    letter = next(r for r in letters if base64.b64decode(r["original_base64"]) == original)
    assert letter["reason"] == "implausible_event"
    assert "mother.id_number" in letter["detail"]
    assert five not in letter["detail"]
    assert _documents_of(stack, f"newborn-{event['subject']}") == 0
