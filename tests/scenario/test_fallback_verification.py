"""The verification that stands in for a pledge, answered by an officer through the CLI.

An applicant who makes no pledge for an address no registry holds goes by police verification,
which must wait for an officer. The operator finds the wait in ``onething case`` and answers it
with ``onething answer`` under the step the case shows; the case then completes.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

from events.samples import FALSE_ADDRESS, sample_event
from onething.constants import TOPIC_BUSINESS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cli import onething
from tests.helpers.kafka import produce_event
from workflows.models import CaseView

pytestmark = pytest.mark.scenario


async def test_an_officer_answers_the_address_verification_under_the_step_the_case_shows(
    stack: Any,
) -> None:
    client = await connect_temporal(stack.settings)
    event = copy.deepcopy(sample_event("business", 9191, false_address=True))
    event["data"]["address_pledge"] = False
    assert event["data"]["company"]["address"] == FALSE_ADDRESS
    case_id = f"business-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BUSINESS, event)

    handle = client.get_workflow_handle(case_id)
    view = None
    for _ in range(600):
        try:
            view = await handle.query("status", result_type=CaseView)
        except (RPCError, WorkflowQueryFailedError):  # not started yet
            view = None
        if view is not None and view.waits:
            break
        await asyncio.sleep(0.2)
    assert view is not None
    assert view.waits, "the case never waited on the police"
    assert view.status == "waiting-department"
    assert view.waiting_on == ["police"]

    shown = await asyncio.to_thread(onething, stack.env, "case", case_id)
    assert shown.returncode == 0, shown.stderr
    waits = shown.stdout.split("pending waits", 1)[1]
    wait_row = next(line for line in waits.splitlines() if "police" in line)
    step = wait_row.split("│")[1].strip()
    assert step == "business_address"

    answered = await asyncio.to_thread(
        onething,
        stack.env,
        "answer",
        case_id,
        step,
        "--operator",
        "officer-9191",
        "--reason",
        "visited the premises",
    )
    assert answered.returncode == 0, answered.stderr

    view = await wait_for_case(client, case_id, timeout_s=120)
    assert view.status == "completed", view.failure
    basis = next(f for f in view.facts if f.name == "address_basis")
    assert (basis.way, basis.step) == ("department_verification", "business_address")
    assert "business_license" in {d.kind for d in view.documents}
    assert view.actions[0].operator == "officer-9191"
