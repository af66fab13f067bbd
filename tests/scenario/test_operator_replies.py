"""What the command line answers an operator, through the real stack: refusals and replies."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS, TOPIC_DEATHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cli import onething
from tests.helpers.kafka import produce, produce_event
from workflows.models import CaseView

pytestmark = pytest.mark.scenario

WHO = ("--operator", "officer-3141", "--reason", "no body at the address")


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def waiting_for_police(client: Client, case_id: str, timeout_s: float = 120) -> None:
    handle = client.get_workflow_handle(case_id)
    for _ in range(int(timeout_s / 0.25)):
        try:
            view: CaseView = await handle.query("status", result_type=CaseView)
        except (RPCError, WorkflowQueryFailedError):  # not started yet
            view = None  # type: ignore[assignment]
        if view is not None and view.waits:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{case_id} never waited on the police")


def test_a_case_that_does_not_exist_is_named_the_same_way_by_every_command(stack: Any) -> None:
    shown = onething(stack.env, "case", "death-NO-SUCH-CASE")
    cancelled = onething(stack.env, "cancel", "death-NO-SUCH-CASE", *WHO)
    answered = onething(stack.env, "answer", "death-NO-SUCH-CASE", "death_verification", *WHO)

    for done in (shown, cancelled, answered):
        assert done.returncode == 1
        assert done.stderr.strip() == "error: no case named death-NO-SUCH-CASE"


async def test_a_refusal_replies_with_the_final_status_and_a_second_answer_is_told_why(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 8181, place="home")
    case_id = f"death-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await waiting_for_police(client, case_id)

    wrong_step = onething(stack.env, "answer", case_id, "civil_registration", *WHO)
    refused = onething(stack.env, "answer", case_id, "death_verification", "--refuse", *WHO)
    again = onething(stack.env, "answer", case_id, "death_verification", "--refuse", *WHO)
    confirmed = onething(stack.env, "answer", case_id, "death_verification", *WHO)
    cancelled = onething(stack.env, "cancel", case_id, *WHO)

    assert wrong_step.returncode == 1
    assert wrong_step.stderr.strip() == (
        f"error: {case_id} is not waiting on a verification at step civil_registration; "
        "it waits on death_verification (police)"
    )
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout.strip() == (
        f"{case_id}: answer_verification accepted; the case is now rejected"
    )
    for twice in (again, confirmed):
        assert twice.returncode == 1
        assert twice.stderr.strip() == (
            f"error: the verification at step death_verification of {case_id} was already "
            "answered (refused by officer-3141); the case is closed (rejected)"
        )
    assert cancelled.returncode == 1
    assert cancelled.stderr.strip() == (
        f"error: {case_id} is already closed (rejected); it takes no more actions"
    )


async def test_dead_letters_lists_a_bad_event_without_its_values(stack: Any) -> None:
    bad = b'{"specversion": "1.0", "type": "onething.birth.registered", "data": {"mother": '
    sent_at = datetime.now(UTC) - timedelta(seconds=1)
    await produce(stack.settings.kafka_target, TOPIC_BIRTHS, [(b"BAD-8282", bad)])

    # Other tests on the shared stack dead-letter bad JSON too: only this one's letter counts.
    listed: list[dict[str, Any]] = []
    for _ in range(120):
        shown = onething(stack.env, "dead-letters", "--reason", "not_json", "--json")
        assert shown.returncode == 0, shown.stderr
        listed = [
            letter
            for letter in json.loads(shown.stdout)
            if datetime.fromisoformat(letter["dead_lettered_at"]) >= sent_at
        ]
        if listed:
            break
        await asyncio.sleep(0.5)
    table = onething(stack.env, "dead-letters", "--since", "1h")
    refused = onething(stack.env, "dead-letters", "--reason", "bogus")

    (letter,) = listed
    assert letter["reason"] == "not_json"
    assert letter["source_topic"] == TOPIC_BIRTHS
    assert {"partition", "offset", "detail", "dead_lettered_at"} <= set(letter)
    assert letter["dead_lettered_at"].endswith("+08:00")
    assert "original_base64" not in letter
    assert "key_base64" not in letter
    assert "mother" not in shown.stdout
    assert "BAD-8282" not in shown.stdout
    assert table.returncode == 0, table.stderr
    assert "not_json" in table.stdout
    assert TOPIC_BIRTHS in table.stdout
    assert refused.returncode == 2
    assert "not_json" in refused.stderr
    assert "correction_rejected" in refused.stderr


async def test_a_correction_after_the_case_closed_shows_in_the_plain_case_view(
    stack: Any, client: Client
) -> None:
    event = sample_event("newborn", 8383)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(client, case_id, timeout_s=180)
    assert view.status == "completed", view.failure
    late = json.loads(json.dumps(event))
    late["id"] = str(uuid.uuid4())
    late["data"]["child"]["weight_g"] += 100
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, late)

    shown = None
    for _ in range(120):
        shown = onething(stack.env, "case", case_id)
        assert shown.returncode == 0, shown.stderr
        if "rejected (dead-lettered)" in shown.stdout:
            break
        await asyncio.sleep(0.5)

    assert shown is not None
    assert "later events (corrections)" in shown.stdout
    assert "rejected (dead-lettered)" in shown.stdout
    assert "the case has ended" in shown.stdout
