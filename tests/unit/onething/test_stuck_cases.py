"""A case whose workflow task keeps failing is never silent: ``cases`` and ``case`` say so.

A toy case with a bug in its workflow code (a ``KeyError``, as the fallback verification once
raised) runs on a local dev server beside a healthy one waiting for a person; the operator's
commands, run as subprocesses against that server, list it as stuck and show what fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.models import VerificationInput, VerificationOutcome
from events.models import EventMeta
from onething.cases import CaseStuckError, case_view, list_cases, list_query
from onething.constants import (
    ORCHESTRATOR_TASK_QUEUE,
    SA_BUNDLE,
    SA_CASE_STATUS,
    department_task_queue,
)
from onething.settings import Settings
from onething.temporal_client import data_converter
from tests.helpers.cli import onething
from tests.helpers.temporal import start_local_temporal
from tests.helpers.toy_bundle import ToyBuggyCase, ToyData, ToyInput
from workflows.models import CaseUpdateInput, CaseView, Published


@activity.defn(name="case_updates.publish")
async def publish(input: CaseUpdateInput) -> Published:
    return Published(topic="t", partition=0, offset=0)


@activity.defn(name="verification.open")
async def open_verification(input: VerificationInput) -> VerificationOutcome:
    return VerificationOutcome(verification_id=f"V-{input.step}", status="pending")


@dataclass(frozen=True)
class Cases:
    client: Client
    env: dict[str, str]
    stuck: str
    waiting: str


async def _start(client: Client, verify: str) -> WorkflowHandle[Any, CaseView]:
    case_id = f"business-TOY-{uuid.uuid4().hex[:10]}"
    meta = EventMeta(id=case_id, source="s", type="toy", subject=case_id, time=datetime.now(UTC))
    return await client.start_workflow(
        ToyBuggyCase.run,
        ToyInput(
            case_id=case_id, event=meta, data=ToyData(applicant="x", pledge=False, verify=verify)
        ),
        id=case_id,
        task_queue=ORCHESTRATOR_TASK_QUEUE,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(SA_BUNDLE, "business"),
                SearchAttributePair(SA_CASE_STATUS, "running"),
            ]
        ),
    )


@pytest.fixture(scope="module")
async def cases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cases]:
    home: Path = tmp_path_factory.mktemp("home")
    server: WorkflowEnvironment = await start_local_temporal()
    target = server.client.service_client.config.target_host
    try:
        # The operator's client and the worker share the stack's data converter (and keys).
        client = await Client.connect(target, data_converter=data_converter(Settings(home=home)))
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(
                Worker(
                    client,
                    task_queue=ORCHESTRATOR_TASK_QUEUE,
                    workflows=[ToyBuggyCase],
                    activities=[publish],
                )
            )
            await stack.enter_async_context(
                Worker(
                    client,
                    task_queue=department_task_queue("police"),
                    activities=[open_verification],
                )
            )
            stuck = await _start(client, "bug")
            waiting = await _start(client, "person")
            for _ in range(300):
                raw = (await stuck.describe()).raw_description
                waits = (await waiting.query(ToyBuggyCase.status)).waits
                if raw.pending_workflow_task.attempt >= 2 and waits:
                    break
                await asyncio.sleep(0.1)
            env = dict(os.environ) | {
                "ONETHING_HOME": str(home),
                "ONETHING_TEMPORAL_ADDRESS": target,
            }
            yield Cases(client=client, env=env, stuck=stuck.id, waiting=waiting.id)
    finally:
        await server.shutdown()


async def test_a_stuck_case_is_found_with_what_fails(cases: Cases) -> None:
    listed = await list_cases(cases.client, list_query(open_only=True), look_for_stuck=True)
    by_id = {case.case_id: case for case in listed}
    stuck = by_id[cases.stuck].stuck
    assert stuck is not None
    assert stuck.failure_type == "KeyError"
    assert "bug" in stuck.message
    assert stuck.attempts >= 2
    assert by_id[cases.waiting].stuck is None
    with pytest.raises(CaseStuckError) as raised:
        await case_view(cases.client, cases.stuck)
    assert raised.value.summary.stuck == stuck
    assert (await case_view(cases.client, cases.waiting)).status == "waiting-department"


def test_cases_lists_and_counts_the_stuck_case(cases: Cases) -> None:
    listed = onething(cases.env, "cases")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if cases.stuck[:20] in line)
    assert "KeyError" in row
    assert "2 case(s), 1 stuck" in listed.stdout

    as_json = onething(cases.env, "cases", "--json")
    rows = {row["case_id"]: row for row in json.loads(as_json.stdout)}
    assert rows[cases.stuck]["stuck"]["failure_type"] == "KeyError"
    assert rows[cases.waiting]["stuck"] is None


def test_cases_stuck_lists_only_stuck_cases(cases: Cases) -> None:
    listed = onething(cases.env, "cases", "--stuck", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["case_id"] for row in json.loads(listed.stdout)] == [cases.stuck]


def test_case_shows_what_fails_instead_of_a_query_error(cases: Cases) -> None:
    shown = onething(cases.env, "case", cases.stuck)
    assert shown.returncode == 0, shown.stderr
    assert "STUCK" in shown.stdout
    assert "KeyError: 'bug'" in shown.stdout
    assert "workflow task failed" in shown.stdout
    assert "Unable to query" not in shown.stdout + shown.stderr

    as_json = json.loads(onething(cases.env, "case", cases.stuck, "--json").stdout)
    assert as_json["stuck"]["failure_type"] == "KeyError"
    assert any(entry["event"] == "workflow task failed" for entry in as_json["timeline"])
