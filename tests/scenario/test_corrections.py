"""A second event for an existing case: a redelivery changes nothing, a correction is judged."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import pytest
from temporalio.client import Client

from departments.population import load_population
from events.samples import sample_event
from onething.constants import TOPIC_DEAD_LETTERS, TOPIC_DEATHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce_event, read_until
from workflows.models import CaseView, VerificationAnswerRequest

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def view_until(client: Client, case: str, condition: Any) -> CaseView:
    handle = client.get_workflow_handle(case)
    for _ in range(300):
        try:
            view: CaseView = await handle.query("status", result_type=CaseView)
            if condition(view):
                return view
        except Exception:  # not started yet
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"{case} never reached the expected state")


def corrected(event: dict[str, Any], **data: Any) -> dict[str, Any]:
    again: dict[str, Any] = json.loads(json.dumps(event))
    again["id"] = str(uuid.uuid4())
    again["data"].update(data)
    return again


async def test_a_correction_is_applied_before_use_and_rejected_after(
    stack: Any, client: Client
) -> None:
    bootstrap = stack.settings.kafka_target
    event = sample_event("death", 31, place="home")
    case = f"death-{event['subject']}"
    await produce_event(bootstrap, TOPIC_DEATHS, event)
    await view_until(client, case, lambda v: bool(v.waits))  # police have not confirmed yet

    family = next(
        f
        for f in load_population(stack.settings.population_families).families
        if event["data"]["deceased"]["id_number"]
        in (f.grandfather.id_number, f.grandmother.id_number)
    )
    spouse = (
        family.grandmother
        if family.grandfather.id_number == event["data"]["deceased"]["id_number"]
        else family.grandfather
    )
    new_informant = {"id_number": spouse.id_number, "name": spouse.name, "relation": "spouse"}
    first = corrected(event, informant=new_informant)
    await produce_event(bootstrap, TOPIC_DEATHS, first)
    view = await view_until(client, case, lambda v: len(v.corrections) >= 1)
    assert (view.corrections[0].outcome, view.corrections[0].fields) == ("applied", ["informant"])

    late = corrected(first, died_at="2026-03-01T08:00:00+08:00")
    await produce_event(bootstrap, TOPIC_DEATHS, late)
    view = await view_until(client, case, lambda v: len(v.corrections) >= 2)
    assert view.corrections[1].outcome == "rejected"
    assert view.corrections[1].fields == ["died_at"]
    late_bytes = json.dumps(late, ensure_ascii=False).encode()
    letters = await read_until(
        bootstrap,
        TOPIC_DEAD_LETTERS,
        lambda rs: any(base64.b64decode(r["original_base64"]) == late_bytes for r in rs),
    )
    letter = next(r for r in letters if base64.b64decode(r["original_base64"]) == late_bytes)
    assert letter["reason"] == "correction_rejected"
    assert "died_at" in letter["detail"]
    assert spouse.id_number not in letter["detail"]

    await client.get_workflow_handle(case).execute_update(
        "answer_verification",
        VerificationAnswerRequest(
            step="death_verification", answer="confirmed", operator="officer-9", reason="visited"
        ),
    )
    view = await wait_for_case(client, case, timeout_s=120)
    assert view.status == "completed"

    # The original event delivered again after the case closed is a redelivery: nothing happens.
    await produce_event(bootstrap, TOPIC_DEATHS, event)
    sentinel = sample_event("death", 32, place="hospital")
    await produce_event(bootstrap, TOPIC_DEATHS, sentinel)
    await wait_for_case(client, f"death-{sentinel['subject']}", timeout_s=120)
    runs = [w async for w in client.list_workflows(f"WorkflowId = '{case}'")]
    assert len(runs) == 1
