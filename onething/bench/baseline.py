"""The baseline: a bare Temporal workflow shaped like a bundle, whose activities do nothing.

It runs one "publish" activity on its own task queue first and last, as the case engine publishes
``case.started`` and the outcome, and between them every step on a second task queue, each as
soon as the steps it comes after are done. No search attributes, no HTTP, no Kafka: what is left
is what Temporal itself costs for a case of that shape.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from onething.bench.baseline_models import (
        BASELINE_STEPS_TASK_QUEUE,
        BASELINE_TASK_QUEUE,
        BASELINE_WORKFLOW,
        BaselineInput,
        BaselineResult,
        BaselineStep,
        NoopInput,
        NoopOutput,
    )

_TIMEOUT = timedelta(seconds=30)


@activity.defn(name="bench.noop")
async def noop(input: NoopInput) -> NoopOutput:
    """Do nothing: the cost of an activity to Temporal alone."""
    return NoopOutput(step=input.step)


@workflow.defn(name=BASELINE_WORKFLOW)
class BaselineWorkflow:
    """A bare workflow with the bundle's shape; see the module docstring."""

    @workflow.run
    async def run(self, input: BaselineInput) -> BaselineResult:
        """Publish, run the steps in dependency order, publish again."""
        await self._noop(input.case_id, "publish-started", BASELINE_TASK_QUEUE)
        done: set[str] = set()
        pending: dict[str, BaselineStep] = {step.name: step for step in input.steps}
        running: dict[asyncio.Task[NoopOutput], str] = {}
        while True:
            for step in [s for s in pending.values() if done.issuperset(s.after)]:
                del pending[step.name]
                task = asyncio.ensure_future(
                    self._noop(input.case_id, step.name, BASELINE_STEPS_TASK_QUEUE)
                )
                running[task] = step.name
            if not running:
                break
            finished, _ = await workflow.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                done.add(running.pop(task))
                task.result()
        await self._noop(input.case_id, "publish-outcome", BASELINE_TASK_QUEUE)
        return BaselineResult(case_id=input.case_id, activities=len(done) + 2)

    async def _noop(self, case_id: str, step: str, task_queue: str) -> NoopOutput:
        return await workflow.execute_activity(
            noop,
            NoopInput(case_id=case_id, step=step),
            task_queue=task_queue,
            start_to_close_timeout=_TIMEOUT,
        )
