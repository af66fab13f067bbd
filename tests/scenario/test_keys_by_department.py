"""Keys by department: each department's ring reads its own steps and nothing else of a case."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload

from events.samples import sample_event
from onething.constants import DEPARTMENTS, TOPIC_BIRTHS, department_task_queue
from onething.crypto.codec import PayloadDecryptionError
from onething.crypto.keys import rotate_local_key_ring
from onething.crypto.routing import RoutingCodec, load_key_rings
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce_event

pytestmark = pytest.mark.scenario

ORCHESTRATOR = "orchestrator"


async def _payloads_by_reader(stack: Any, case_id: str) -> dict[str, list[Payload]]:
    """A case's payloads as Temporal stores them, by who must read them."""
    client = await connect_temporal(stack.settings)
    history = await client.get_workflow_handle(case_id).fetch_history()
    queues = {department_task_queue(d): d for d in DEPARTMENTS}
    scheduled: dict[int, str] = {}
    found: dict[str, list[Payload]] = defaultdict(list)
    for event in history.events:
        if event.HasField("workflow_execution_started_event_attributes"):
            found[ORCHESTRATOR] += event.workflow_execution_started_event_attributes.input.payloads
        elif event.HasField("activity_task_scheduled_event_attributes"):
            asked = event.activity_task_scheduled_event_attributes
            reader = queues.get(asked.task_queue.name, ORCHESTRATOR)
            scheduled[event.event_id] = reader
            found[reader] += asked.input.payloads
        elif event.HasField("activity_task_completed_event_attributes"):
            done = event.activity_task_completed_event_attributes
            found[scheduled[done.scheduled_event_id]] += done.result.payloads
        elif event.HasField("workflow_execution_completed_event_attributes"):
            found[ORCHESTRATOR] += (
                event.workflow_execution_completed_event_attributes.result.payloads
            )
    return found


def _readable(codec: RoutingCodec, payloads: list[Payload]) -> list[bool]:
    readable = []
    for payload in payloads:
        try:
            codec.decrypt(payload)
        except PayloadDecryptionError:
            readable.append(False)
        else:
            readable.append(True)
    return readable


async def _completed_newborn(stack: Any, seed: int, *, rotate: str | None = None) -> str:
    event = sample_event("newborn", seed)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    if rotate is not None:
        rotate_local_key_ring(stack.settings.home, rotate)
    view = await wait_for_case(await connect_temporal(stack.settings), case_id, timeout_s=120)
    assert view.status == "completed"
    return case_id


async def test_a_departments_ring_reads_its_own_steps_and_no_other_payload(stack: Any) -> None:
    case_id = await _completed_newborn(stack, 6161)
    payloads = await _payloads_by_reader(stack, case_id)
    everything = RoutingCodec(load_key_rings(stack.settings))

    departments = sorted(set(payloads) - {ORCHESTRATOR})
    assert {"health", "police", "social_security", "tax"} <= set(departments)
    for reader, own in payloads.items():
        assert all(_readable(everything, own)), reader
    for department in departments:
        ring = RoutingCodec(load_key_rings(stack.settings, [department]))
        for reader, own in payloads.items():
            expected = reader == department
            assert _readable(ring, own) == [expected] * len(own), (department, reader)


async def test_a_case_keeps_running_while_one_departments_key_is_rotated(stack: Any) -> None:
    case_id = await _completed_newborn(stack, 6262, rotate="police")

    payloads = await _payloads_by_reader(stack, case_id)
    police = RoutingCodec(load_key_rings(stack.settings, ["police"]))
    everything = RoutingCodec(load_key_rings(stack.settings))

    assert all(_readable(police, payloads["police"]))
    assert all(_readable(everything, [p for own in payloads.values() for p in own]))
