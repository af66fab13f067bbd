"""Operators' Temporal tools on real cases: ``temporal workflow reset``, as an operator runs it.

A reset starts a new run from a chosen workflow task and re-applies the updates the old run
took after it (an operator's cancel, an officer's answer). Whatever the reset point, the case
must end as the original run ended, issue no document twice, and its view must agree with what
the departments hold.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from contextlib import closing
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.chaos.documents import department_documents, issued_twice
from onething.constants import DEPARTMENTS, TOPIC_BIRTHS, TOPIC_BUSINESS, TOPIC_DEATHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cases import until
from tests.helpers.kafka import produce_event
from tests.helpers.temporal import temporal_binary
from workflows.models import CancelRequest, CaseView, VerificationAnswerRequest

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def reset(stack: Any, client: Client, case_id: str, reset_type: str) -> CaseView:
    """``temporal workflow reset`` the case to ``reset_type``; the new run's final view."""
    first_run = (await client.get_workflow_handle(case_id).describe()).run_id
    command = [
        temporal_binary(),
        "workflow",
        "reset",
        "--address",
        stack.settings.temporal_target,
        "--namespace",
        stack.settings.temporal_namespace,
        "--workflow-id",
        case_id,
        "--type",
        reset_type,
        "--reason",
        "test: an operator resets the case",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    assert (await handle.describe()).run_id != first_run
    return await asyncio.wait_for(handle.result(), timeout=180)


def assert_agrees_with_departments(stack: Any, view: CaseView) -> None:
    """No document issued twice, and the view's valid documents are the departments' valid ones."""
    records = [r for r in department_documents(stack.settings) if r.case_id == view.case_id]
    assert issued_twice(records) == {}
    valid_held = set(_valid_numbers(stack, view.case_id))
    valid_shown = {d.number for d in view.documents if d.revoked_at is None}
    assert valid_shown == valid_held


def _valid_numbers(stack: Any, case_id: str) -> list[str]:
    numbers: list[str] = []
    for department in DEPARTMENTS:
        path = stack.settings.department_db(department)
        if not path.exists():
            continue
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            rows = conn.execute(
                "SELECT number FROM documents WHERE case_id = ? AND revoked_at IS NULL", (case_id,)
            ).fetchall()
        numbers.extend(number for (number,) in rows)
    return numbers


@pytest.mark.parametrize("reset_type", ["FirstWorkflowTask", "LastWorkflowTask"])
async def test_a_reset_after_a_cancel_stays_cancelled(
    stack: Any, client: Client, reset_type: str
) -> None:
    seed = 6100 if reset_type == "FirstWorkflowTask" else 6101
    event = sample_event("business", seed)
    case_id = f"business-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BUSINESS, event)
    # The pledge is taken at once: every document is out and the check is a week away.
    await until(client, case_id, lambda v: len(v.documents) == 4)
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    await handle.execute_update(
        "cancel", CancelRequest(operator="op-7", reason="the applicant withdrew")
    )
    original = await handle.result()
    assert all(d.revoked_at is not None for d in original.documents)

    after = await reset(stack, client, case_id, reset_type)

    assert after.status == original.status
    assert [a.action for a in after.actions] == ["cancel"]
    assert_agrees_with_departments(stack, after)


async def test_a_reset_after_an_officers_answer_does_not_wait_again(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 6102, place="home")
    case_id = f"death-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await until(client, case_id, lambda v: bool(v.waits))
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    await handle.execute_update(
        "answer_verification",
        VerificationAnswerRequest(
            step="death_verification", answer="confirmed", operator="officer-9", reason="visited"
        ),
    )
    original = await handle.result()
    assert original.status == "completed"

    after = await reset(stack, client, case_id, "FirstWorkflowTask")

    assert after.status == "completed"
    assert after.waits == []
    assert sorted(d.number for d in after.documents) == sorted(d.number for d in original.documents)
    assert_agrees_with_departments(stack, after)


async def test_a_reset_of_a_completed_case_issues_nothing_twice(stack: Any, client: Client) -> None:
    event = sample_event("newborn", 6103)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    original = await wait_for_case(client, case_id, timeout_s=180)
    assert original.status == "completed"

    after = await reset(stack, client, case_id, "FirstWorkflowTask")

    assert after.status == "completed"
    assert sorted(d.number for d in after.documents) == sorted(d.number for d in original.documents)
    assert_agrees_with_departments(stack, after)
