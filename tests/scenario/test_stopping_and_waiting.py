"""What a case says must be true: a stopped case withdraws what it asked; a stuck one is found."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import SA_CASE_STATUS, SA_WAITING_ON, TOPIC_BIRTHS, TOPIC_DEATHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cases import until
from tests.helpers.cli import onething
from tests.helpers.departments import set_faults, verifications
from tests.helpers.kafka import produce_event

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def test_cancelling_a_death_at_home_withdraws_the_police_home_visit(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 8191, place="home")
    case_id = f"death-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await until(client, case_id, lambda v: bool(v.waits))
    before = [v for v in await verifications(stack.settings, "police") if v["case_id"] == case_id]

    cancelled = onething(
        stack.env, "cancel", case_id, "--operator", "op-7", "--reason", "family moved the case"
    )
    view = await wait_for_case(client, case_id, timeout_s=120)
    after = [v for v in await verifications(stack.settings, "police") if v["case_id"] == case_id]
    shown = onething(stack.env, "case", case_id)

    assert [v["status"] for v in before] == ["pending"]
    assert cancelled.returncode == 0, cancelled.stderr
    assert [(v["verification_id"], v["status"]) for v in after] == [
        (before[0]["verification_id"], "withdrawn")
    ]
    assert view.waits == []
    assert view.waiting_on == []
    step = next(s for s in view.steps if s.name == "death_verification")
    assert step.state == "not_run"
    assert step.note is not None
    assert before[0]["verification_id"] in step.note
    assert all(s.state not in ("pending", "running") for s in view.steps)
    assert shown.returncode == 0, shown.stderr
    assert "pending waits" not in shown.stdout


async def test_a_case_stuck_on_a_tax_outage_is_found_and_shows_its_retries(
    stack: Any, client: Client
) -> None:
    event = sample_event("newborn", 8282)
    case_id = f"newborn-{event['subject']}"
    await set_faults(stack.settings, "tax", error_rate=1.0)
    try:
        await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
        stuck = await until(client, case_id, lambda v: bool(v.retrying))
        deadline = time.monotonic() + 120
        while True:
            listed = onething(stack.env, "cases", "--waiting-on", "tax", "--json")
            assert listed.returncode == 0, listed.stderr
            rows = [r for r in json.loads(listed.stdout) if r["case_id"] == case_id]
            if rows or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        table = onething(stack.env | {"COLUMNS": "250"}, "cases", "--waiting-on", "tax")
        shown = onething(stack.env, "case", case_id)
        attributes = (await client.get_workflow_handle(case_id).describe()).typed_search_attributes
    finally:
        await set_faults(stack.settings, "tax")
    view = await wait_for_case(client, case_id, timeout_s=240)
    final = (await client.get_workflow_handle(case_id).describe()).typed_search_attributes

    assert [(r["status"], r["waiting_on"]) for r in rows] == [("waiting-department", ["tax"])]
    [listed_retry] = rows[0]["retrying"]
    assert listed_retry["attempts"] >= 2
    assert listed_retry["error_type"] == "DepartmentUnavailable"
    assert listed_retry["next_try_at"]
    # The retry cell may wrap over several lines of the table: read it with the borders gone.
    cells = re.sub(r"[│\s]+", " ", table.stdout.split(case_id, 1)[1])
    assert re.search(rf"{listed_retry['step']}: \d+ attempts,", cells)
    assert "DepartmentUnavailable" in table.stdout
    assert attributes.get(SA_CASE_STATUS) == "waiting-department"
    assert attributes.get(SA_WAITING_ON) == ["tax"]
    [retry] = stuck.retrying
    assert retry.department == "tax"
    assert retry.attempts >= 2
    assert retry.error_type == "DepartmentUnavailable"
    assert "injected_fault" in retry.error_message
    assert shown.returncode == 0, shown.stderr
    retries = shown.stdout.split("retrying", 1)[1].split("pending waits", 1)[0]
    assert retry.step in retries
    assert "DepartmentUnavailable" in retries
    assert "waiting on tax" in shown.stdout
    assert view.status == "completed"
    assert view.retrying == []
    step = next(s for s in view.steps if s.name == retry.step)
    assert step.retry is not None
    assert step.retry.attempts >= retry.attempts
    assert final.get(SA_CASE_STATUS) == "completed"
    assert not final.get(SA_WAITING_ON)
