"""A department down past the case's deadline: the case escalates, waits, and completes later.

The stack runs with a newborn SLA of 8 s, so a tax outage outlasts it within the test.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import pytest
from temporalio.client import WorkflowExecutionDescription

from departments.population import load_population
from events.samples import sample_event
from onething.constants import SA_CASE_STATUS, SA_WAITING_ON, TOPIC_BIRTHS, TOPIC_CASE_UPDATES
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.departments import set_faults
from tests.helpers.kafka import produce_event, read_until

if TYPE_CHECKING:
    from .conftest import StackLauncher

pytestmark = pytest.mark.scenario

FAMILIES = 1000


def _breached(case_id: str) -> Any:
    def done(records: list[dict[str, Any]]) -> bool:
        return any(
            r["subject"] == case_id and r["type"] == "onething.case.sla-breached" for r in records
        )

    return done


def _waiting_on_tax(description: WorkflowExecutionDescription) -> bool:
    attributes = description.typed_search_attributes
    return attributes.get(SA_CASE_STATUS) == "waiting-department" and "tax" in (
        attributes.get(SA_WAITING_ON) or []
    )


async def test_a_tax_outage_past_the_sla_escalates_then_the_case_completes(
    stack_launcher: StackLauncher,
) -> None:
    up = stack_launcher(
        "outage",
        ONETHING_BUNDLE_SLA='{"newborn": "PT8S"}',
        ONETHING_POPULATION_FAMILIES=str(FAMILIES),
    )
    settings = up.settings
    client = await connect_temporal(settings)
    await set_faults(settings, "tax", error_rate=1.0)
    event = sample_event("newborn", 7, load_population(FAMILIES))
    case_id = f"newborn-{event['subject']}"

    await produce_event(settings.kafka_target, TOPIC_BIRTHS, event)
    await read_until(settings.kafka_target, TOPIC_CASE_UPDATES, _breached(case_id), timeout_s=90)

    handle = client.get_workflow_handle(case_id)
    deadline = time.monotonic() + 30
    while not _waiting_on_tax(description := await handle.describe()):
        assert time.monotonic() < deadline, description.typed_search_attributes
        await asyncio.sleep(0.2)
    listed = [
        w.id
        async for w in client.list_workflows(
            "CaseStatus = 'waiting-department' AND WaitingOn = 'tax'"
        )
    ]
    assert listed == [case_id]

    await set_faults(settings, "tax")
    view = await wait_for_case(client, case_id, timeout_s=120)

    assert view.status == "completed"
    assert view.sla_breached
    assert "infant_care_tax_deduction" in {d.kind for d in view.documents}
    final = (await handle.describe()).typed_search_attributes
    assert final.get(SA_CASE_STATUS) == "completed"
    assert not final.get(SA_WAITING_ON)
