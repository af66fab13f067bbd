"""Operators helping a stuck case: ask the citizen once, take the answer, retry after a fix."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from events.models import EventMeta
from onething.constants import ORCHESTRATOR_TASK_QUEUE, department_task_queue
from tests.helpers.temporal import temporal_binary
from tests.helpers.toy_bundle import ToyData, ToyHoldCase, ToyInput
from workflows.models import (
    AskCitizenRequest,
    CaseUpdateInput,
    CaseView,
    Document,
    Published,
    RetryStepRequest,
    StepInput,
    StepOutput,
    SupplyFactRequest,
)


class Fakes:
    def __init__(self) -> None:
        self.broken = True
        self.calls: list[str] = []

    @activity.defn(name="toy.issue")
    async def issue(self, input: StepInput) -> StepOutput:
        self.calls.append(input.step)
        return StepOutput(
            facts={"a": "a-value"} if input.step == "issue_a" else {},
            documents=[
                Document(
                    kind=input.step,
                    department="police",
                    number=f"N-{input.step}",
                    issued_at=datetime.now(UTC),
                )
            ],
        )

    @activity.defn(name="toy.fragile")
    async def fragile(self, input: StepInput) -> StepOutput:
        self.calls.append(input.step)
        if self.broken:
            raise ApplicationError(
                "a field the step needs has the wrong shape",
                type="BadStepInput",
                non_retryable=True,
            )
        return StepOutput()

    @activity.defn(name="case_updates.publish")
    async def publish(self, input: CaseUpdateInput) -> Published:
        return Published(topic="t", partition=0, offset=0)


@pytest.fixture
async def case(
    temporal_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[WorkflowHandle[Any, CaseView], Fakes]]:
    fakes = Fakes()
    client = temporal_env.client
    async with (
        Worker(
            client,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            workflows=[ToyHoldCase],
            activities=[fakes.publish],
        ),
        Worker(client, task_queue=department_task_queue("health"), activities=[fakes.issue]),
        Worker(client, task_queue=department_task_queue("police"), activities=[fakes.issue]),
        Worker(client, task_queue=department_task_queue("tax"), activities=[fakes.fragile]),
    ):
        case_id = f"toy-hold-{uuid.uuid4().hex[:8]}"
        meta = EventMeta(id="e1", source="s", type="toy", subject=case_id, time=datetime.now(UTC))
        handle = await client.start_workflow(
            ToyHoldCase.run,
            ToyInput(
                case_id=case_id,
                event=meta,
                data=ToyData(applicant="x", pledge=False, verify="auto"),
            ),
            id=case_id,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
        )
        yield handle, fakes


async def until(handle: WorkflowHandle[Any, CaseView], status: str) -> CaseView:
    for _ in range(200):
        view = await handle.query(ToyHoldCase.status)
        if view.status == status:
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {status}; last {view.status}")


async def test_a_stuck_case_is_helped_by_a_retry_and_a_citizens_answer(
    case: tuple[WorkflowHandle[Any, CaseView], Fakes],
) -> None:
    handle, fakes = case
    view = await until(handle, "failed")
    assert view.failure is not None
    assert view.failure.type == "BadStepInput"

    await handle.execute_update(
        ToyHoldCase.ask_citizen,
        AskCitizenRequest(fact="email", operator="op-1", reason="no department holds it"),
    )
    with pytest.raises(WorkflowUpdateFailedError) as twice:
        await handle.execute_update(
            ToyHoldCase.ask_citizen,
            AskCitizenRequest(fact="email", operator="op-2", reason="again"),
        )
    assert "never twice" in str(twice.value.cause)

    fakes.broken = False
    await handle.execute_update(
        ToyHoldCase.retry_step,
        RetryStepRequest(step="fragile_h", operator="op-1", reason="fixed the shape"),
    )
    view = await until(handle, "waiting-citizen")
    assert view.asked == ["email"]

    await handle.execute_update(
        ToyHoldCase.supply_fact,
        SupplyFactRequest(
            fact="email",
            value="citizen@example.invalid",
            operator="op-1",
            reason="answered by phone",
        ),
    )
    view = await handle.result()
    assert view.status == "completed"
    assert "email" in view.citizen_inputs
    assert [a.action for a in view.actions] == [
        "ask_citizen:email",
        "retry_step",
        "supply_fact:email",
    ]
    assert fakes.calls.count("fragile_h") == 2
    assert fakes.calls.count("reg_g") == 1


async def test_nobody_asks_for_a_fact_that_no_step_waits_for(
    case: tuple[WorkflowHandle[Any, CaseView], Fakes],
) -> None:
    handle, _ = case
    await until(handle, "failed")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            ToyHoldCase.ask_citizen,
            AskCitizenRequest(fact="shoe_size", operator="op", reason="curious"),
        )
    assert "no step is waiting" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(
            ToyHoldCase.retry_step,
            RetryStepRequest(step="issue_a", operator="op", reason="why not"),
        )
    await handle.terminate("test over")


async def test_a_reset_after_a_retry_ends_as_the_original_run(
    case: tuple[WorkflowHandle[Any, CaseView], Fakes], temporal_env: WorkflowEnvironment
) -> None:
    # The reset is made the way an operator makes it, with the temporal CLI.
    handle, fakes = case
    await until(handle, "failed")
    await handle.execute_update(
        ToyHoldCase.ask_citizen,
        AskCitizenRequest(fact="email", operator="op-1", reason="no department holds it"),
    )
    fakes.broken = False
    await handle.execute_update(
        ToyHoldCase.retry_step,
        RetryStepRequest(step="fragile_h", operator="op-1", reason="fixed the shape"),
    )
    await handle.execute_update(
        ToyHoldCase.supply_fact,
        SupplyFactRequest(fact="email", value="c@example.invalid", operator="op-1", reason="phone"),
    )
    original = await handle.result()
    client = temporal_env.client

    reset = subprocess.run(
        [
            temporal_binary(),
            "workflow",
            "reset",
            "--address",
            client.service_client.config.target_host,
            "--namespace",
            client.namespace,
            "--workflow-id",
            handle.id,
            "--type",
            "FirstWorkflowTask",
            "--reason",
            "test: an operator resets the case",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert reset.returncode == 0, reset.stderr
    new_run = client.get_workflow_handle(handle.id, result_type=CaseView)
    after: CaseView = await asyncio.wait_for(new_run.result(), timeout=120)

    assert original.status == after.status == "completed"
    assert after.citizen_inputs == original.citizen_inputs
    # The citizen's answer is re-applied; the retry is not needed, since the step was fixed.
    assert [a.action for a in after.actions] == ["ask_citizen:email", "supply_fact:email"]
    assert sorted(d.number for d in after.documents) == sorted(d.number for d in original.documents)
