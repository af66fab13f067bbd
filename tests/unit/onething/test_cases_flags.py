"""What ``cases`` and ``case`` flag: stuck, overdue, every document out but a pledge check.

On a local dev server run three toy cases: one with a bug in its workflow code (a ``KeyError``,
as the fallback verification once raised), one waiting for a person past its verification's
deadline, and one with every document out and its pledge check a day away. The operator's
commands, run as subprocesses against that server, must say so about each.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from tests.helpers.toy_bundle import (
    TOY_PATH_STEPS,
    ToyBuggyCase,
    ToyData,
    ToyInput,
    ToyPathCase,
    ToyPathData,
    ToyPathInput,
)
from workflows.models import (
    CaseOptions,
    CaseUpdateInput,
    CaseView,
    Document,
    Published,
    StepInput,
    StepOutput,
)

GIVES = {step.name: step.gives for step in TOY_PATH_STEPS}


@activity.defn(name="case_updates.publish")
async def publish(input: CaseUpdateInput) -> Published:
    return Published(topic="t", partition=0, offset=0)


@activity.defn(name="verification.open")
async def open_verification(input: VerificationInput) -> VerificationOutcome:
    status = "pending" if input.subject.get("mode") == "person" else "confirmed"
    return VerificationOutcome(verification_id=f"V-{input.step}", status=status)


@activity.defn(name="toy.issue")
async def issue(input: StepInput) -> StepOutput:
    document = Document(
        kind=input.step, department="police", number=f"N-{input.step}", issued_at=datetime.now(UTC)
    )
    return StepOutput(facts=dict.fromkeys(GIVES[input.step], "v"), documents=[document])


@activity.defn(name="toy.query")
async def query(input: StepInput) -> StepOutput:
    return StepOutput(facts=dict.fromkeys(GIVES[input.step], "v"))


async def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``onething ARGS`` in a thread: the workers in this test's event loop must answer it."""
    return await asyncio.to_thread(onething, env, *args)


@dataclass(frozen=True)
class Cases:
    client: Client
    env: dict[str, str]
    stuck: str
    waiting: str
    pledged: str


async def _start(
    client: Client, verify: str, *, pledge: bool = False
) -> WorkflowHandle[Any, CaseView]:
    case_id = f"business-TOY-{uuid.uuid4().hex[:10]}"
    meta = EventMeta(id=case_id, source="s", type="toy", subject=case_id, time=datetime.now(UTC))
    options = CaseOptions(
        verification_deadline=timedelta(seconds=1), pledge_check_after=timedelta(days=1)
    )
    case_input: ToyInput | ToyPathInput
    if pledge:
        case_input = ToyPathInput(
            case_id=case_id,
            event=meta,
            data=ToyPathData(applicant="x", pledge=True),
            options=options,
        )
    else:
        case_input = ToyInput(
            case_id=case_id,
            event=meta,
            data=ToyData(applicant="x", pledge=False, verify=verify),
            options=options,
        )
    return await client.start_workflow(
        "toy-paths" if pledge else "toy-buggy",
        case_input,
        id=case_id,
        task_queue=ORCHESTRATOR_TASK_QUEUE,
        result_type=CaseView,
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
                    workflows=[ToyBuggyCase, ToyPathCase],
                    activities=[publish],
                )
            )
            for department in ("police", "health", "civil_affairs", "market_regulation"):
                await stack.enter_async_context(
                    Worker(
                        client,
                        task_queue=department_task_queue(department),
                        activities=[open_verification, issue, query],
                    )
                )
            stuck = await _start(client, "bug")
            waiting = await _start(client, "person")
            pledged = await _start(client, "auto", pledge=True)
            for _ in range(300):
                raw = (await stuck.describe()).raw_description
                missed = (await waiting.query(ToyBuggyCase.status)).deadlines_missed
                done = (await pledged.query(ToyPathCase.status)).pledge_check_pending
                if raw.pending_workflow_task.attempt >= 2 and missed and done:
                    break
                await asyncio.sleep(0.1)
            env = dict(os.environ) | {
                "ONETHING_HOME": str(home),
                "ONETHING_TEMPORAL_ADDRESS": target,
            }
            yield Cases(
                client=client, env=env, stuck=stuck.id, waiting=waiting.id, pledged=pledged.id
            )
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


async def test_cases_lists_and_counts_the_stuck_case(cases: Cases) -> None:
    listed = await run(cases.env, "cases")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if cases.stuck[:20] in line)
    assert "stuck: KeyError" in row
    assert "3 case(s), 1 stuck" in listed.stdout

    as_json = await run(cases.env, "cases", "--json")
    rows = {row["case_id"]: row for row in json.loads(as_json.stdout)}
    assert rows[cases.stuck]["stuck"]["failure_type"] == "KeyError"
    assert rows[cases.waiting]["stuck"] is None


async def test_cases_stuck_lists_only_stuck_cases(cases: Cases) -> None:
    listed = await run(cases.env, "cases", "--stuck", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["case_id"] for row in json.loads(listed.stdout)] == [cases.stuck]


async def test_case_shows_what_fails_instead_of_a_query_error(cases: Cases) -> None:
    shown = await run(cases.env, "case", cases.stuck)
    assert shown.returncode == 0, shown.stderr
    assert "STUCK" in shown.stdout
    assert "KeyError: 'bug'" in shown.stdout
    assert "workflow task failed" in shown.stdout
    assert "Unable to query" not in shown.stdout + shown.stderr

    as_json = json.loads((await run(cases.env, "case", cases.stuck, "--json")).stdout)
    assert as_json["stuck"]["failure_type"] == "KeyError"
    assert any(entry["event"] == "workflow task failed" for entry in as_json["timeline"])


async def test_cases_flags_and_filters_a_missed_deadline(cases: Cases) -> None:
    listed = await run(cases.env, "cases", "--overdue", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["case_id"], row["overdue"]) == (cases.waiting, True)
    table = (await run(cases.env, "cases")).stdout
    assert "overdue" in next(line for line in table.splitlines() if cases.waiting[:20] in line)

    shown = await run(cases.env, "case", cases.waiting, "--json")
    assert shown.returncode == 0, shown.stderr
    timeline = json.loads(shown.stdout)["timeline"]
    missed = next(entry for entry in timeline if entry["event"] == "deadline missed")
    assert missed["detail"].startswith("verify_x (police)")


async def test_a_case_with_only_its_pledge_check_to_come_says_so(cases: Cases) -> None:
    listed = await run(cases.env, "cases", "--pledge-check-pending", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["case_id"] == cases.pledged
    assert row["status"] == "running"
    due = datetime.fromisoformat(row["pledge_check_due"])
    assert timedelta(hours=23) < due - datetime.now(UTC) <= timedelta(days=1)
    table = (await run(cases.env, "cases")).stdout
    assert "pledge check" in next(line for line in table.splitlines() if cases.pledged[:20] in line)

    shown = await run(cases.env, "case", cases.pledged)
    assert shown.returncode == 0, shown.stderr
    assert "only the pledge check is still to come" in shown.stdout
    assert "last document after" in shown.stdout
    assert "all steps done" in shown.stdout
