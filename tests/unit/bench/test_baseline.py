"""The baseline: a bundle's dependency shape, run by a bare workflow whose activities do nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from onething.bench.baseline import BaselineWorkflow, noop
from onething.bench.baseline_models import (
    BASELINE_STEPS_TASK_QUEUE,
    BASELINE_TASK_QUEUE,
    BaselineInput,
    BaselineStep,
    baseline_steps,
)
from workflows.newborn import NEWBORN_STEPS


@dataclass(frozen=True)
class _Step:
    name: str
    needs: tuple[str, ...]
    gives: tuple[str, ...] = ()


def test_each_step_comes_after_the_steps_that_give_what_it_needs() -> None:
    steps = [
        _Step("certificate", needs=("child",), gives=("certificate_number",)),
        _Step("marriage", needs=("mother", "father"), gives=("married",)),
        _Step("household", needs=("certificate_number", "married", "certificate_number")),
        _Step("vaccination", needs=("certificate_number", "child")),
    ]

    assert baseline_steps(steps) == (
        BaselineStep(name="certificate"),
        BaselineStep(name="marriage"),
        BaselineStep(name="household", after=("certificate", "marriage")),
        BaselineStep(name="vaccination", after=("certificate",)),
    )


def test_the_newborn_shape_has_one_baseline_step_per_bundle_step() -> None:
    shape = baseline_steps(NEWBORN_STEPS)

    assert [s.name for s in shape] == [s.name for s in NEWBORN_STEPS]
    names = {s.name for s in shape}
    assert all(set(s.after) <= names for s in shape)


def _activities(history: WorkflowHistory) -> list[tuple[str, str]]:
    return [
        (
            e.activity_task_scheduled_event_attributes.task_queue.name,
            e.activity_task_scheduled_event_attributes.activity_type.name,
        )
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]


async def test_the_baseline_runs_every_step_between_two_publishes(
    temporal_env: WorkflowEnvironment,
) -> None:
    client = temporal_env.client
    shape = baseline_steps(NEWBORN_STEPS)
    workflow_id = f"bench-baseline-test-{uuid.uuid4()}"
    async with (
        Worker(
            client,
            task_queue=BASELINE_TASK_QUEUE,
            workflows=[BaselineWorkflow],
            activities=[noop],
        ),
        Worker(client, task_queue=BASELINE_STEPS_TASK_QUEUE, activities=[noop]),
    ):
        result = await client.execute_workflow(
            BaselineWorkflow.run,
            BaselineInput(case_id=workflow_id, steps=shape),
            id=workflow_id,
            task_queue=BASELINE_TASK_QUEUE,
        )
        history = await client.get_workflow_handle(workflow_id).fetch_history()

    assert result.activities == len(NEWBORN_STEPS) + 2
    scheduled = _activities(history)
    assert scheduled[0][0] == scheduled[-1][0] == BASELINE_TASK_QUEUE
    assert [queue for queue, _ in scheduled[1:-1]] == [BASELINE_STEPS_TASK_QUEUE] * len(shape)
