"""The case engine: runs a bundle's steps as soon as the facts each needs are known.

A bundle is a tuple of :class:`Step`. Each step names the facts it needs and the facts it gives;
the engine starts every step whose needs are met, so independent steps run in parallel, and gives
each step only the facts it declared. Every fact is recorded with where it came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.case_updates import CaseUpdatePublisher
    from activities.errors import DEPARTMENT_REJECTED
    from onething.constants import (
        ORCHESTRATOR_TASK_QUEUE,
        SA_CASE_STATUS,
        SA_WAITING_ON,
        Bundle,
        CaseStatus,
        Department,
        department_task_queue,
    )
    from workflows.models import (
        CaseFailure,
        CaseUpdateInput,
        CaseView,
        Document,
        FactRecord,
        FactWay,
        StepInput,
        StepOutput,
        StepState,
        StepView,
    )

StepActivity = Callable[[StepInput], Awaitable[StepOutput]]
#: Decides from the step's facts whether it applies; returns why not, or None to run it.
SkipRule = Callable[[Mapping[str, Any]], str | None]

#: Department systems go down for an afternoon: retry with backoff for as long as it takes.
DEPARTMENT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[DEPARTMENT_REJECTED],
)
PUBLISH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)


@dataclass(frozen=True)
class Step:
    """One step of a bundle, carried out by one department activity.

    Attributes:
        name: unique within the bundle; also the department's idempotency key suffix.
        department: who carries it out (the activity runs on that department's task queue).
        activity: the activity function, called by reference.
        needs: facts the step is given; it starts once all of them are known.
        gives: facts the step returns.
        way: how the facts it gives reach the case.
        skip: an optional rule that, from the needed facts, says the step does not apply.
        timeout: start-to-close timeout of one attempt.
    """

    name: str
    department: Department
    activity: StepActivity
    needs: tuple[str, ...]
    gives: tuple[str, ...] = ()
    way: FactWay = "issued"
    skip: SkipRule | None = None
    timeout: timedelta = timedelta(seconds=30)


@dataclass
class _StepRun:
    step: Step
    state: StepState = "pending"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    note: str | None = None

    def view(self) -> StepView:
        return StepView(
            name=self.step.name,
            department=self.step.department,
            state=self.state,
            needs=list(self.step.needs),
            gives=list(self.step.gives),
            started_at=self.started_at,
            finished_at=self.finished_at,
            note=self.note,
        )


@dataclass
class CaseEngine:
    """The state of one case while its workflow runs; see the module docstring."""

    case_id: str
    bundle: Bundle
    steps: tuple[Step, ...]
    started_at: datetime
    status: CaseStatus = "running"
    facts: dict[str, Any] = field(default_factory=dict)
    records: dict[str, FactRecord] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    failure: CaseFailure | None = None
    finished_at: datetime | None = None
    _runs: dict[str, _StepRun] = field(default_factory=dict)
    _waiting_on: list[Department] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"bundle {self.bundle} declares a step twice")
        self._runs = {step.name: _StepRun(step) for step in self.steps}

    def add_citizen_facts(self, facts: Mapping[str, Any]) -> None:
        """Record the facts the trigger event carried (absent ones, None, are not inputs)."""
        now = workflow.now()
        for name, value in facts.items():
            self.facts[name] = value
            if value is not None:
                self.records[name] = FactRecord(name=name, source="event", way="citizen", at=now)

    def view(self) -> CaseView:
        """The case view as it stands."""
        return CaseView(
            case_id=self.case_id,
            bundle=self.bundle,
            status=self.status,
            documents=list(self.documents),
            citizen_inputs=[r.name for r in self.records.values() if r.source == "event"],
            steps=[run.view() for run in self._runs.values()],
            facts=list(self.records.values()),
            waiting_on=list(self._waiting_on),
            started_at=self.started_at,
            finished_at=self.finished_at,
            failure=self.failure,
        )

    async def run(self) -> CaseView:
        """Run every step that applies, publish the outcome, and return the final view."""
        await self._publish("onething.case.started")
        running: dict[asyncio.Task[StepOutput], _StepRun] = {}
        while True:
            if self.failure is None:
                for run in self._ready():
                    task = self._start(run)
                    if task is not None:
                        running[task] = run
            self._set_waiting_on(sorted({run.step.department for run in running.values()}))
            if not running:
                break
            done, _ = await workflow.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                self._finish(running.pop(task), task)
        if self.failure is None:
            unmet = [run.step.name for run in self._runs.values() if run.state == "pending"]
            if unmet:
                self.failure = CaseFailure(
                    step=unmet[0],
                    type="UnmetNeeds",
                    message=f"steps {unmet} never had the facts they need",
                )
                self.status = "failed"
            else:
                self.status = "completed"
        self.finished_at = workflow.now()
        workflow.upsert_search_attributes([SA_CASE_STATUS.value_set(self.status)])
        await self._publish(f"onething.case.{self.status}")
        return self.view()

    def _ready(self) -> list[_StepRun]:
        return [
            run
            for run in self._runs.values()
            if run.state == "pending" and all(need in self.facts for need in run.step.needs)
        ]

    def _start(self, run: _StepRun) -> asyncio.Task[StepOutput] | None:
        step = run.step
        given = {need: self.facts[need] for need in step.needs}
        run.started_at = workflow.now()
        reason = step.skip(given) if step.skip else None
        if reason is not None:
            run.state, run.note, run.finished_at = "skipped", reason, run.started_at
            for name in step.gives:
                self.facts[name] = None
            return None
        run.state = "running"
        return asyncio.ensure_future(
            workflow.execute_activity(
                step.activity,
                StepInput(case_id=self.case_id, bundle=self.bundle, step=step.name, facts=given),
                task_queue=department_task_queue(step.department),
                start_to_close_timeout=step.timeout,
                retry_policy=DEPARTMENT_RETRY,
            )
        )

    def _finish(self, run: _StepRun, task: asyncio.Task[StepOutput]) -> None:
        run.finished_at = workflow.now()
        try:
            output = task.result()
        except ActivityError as err:
            run.state = "failed"
            cause = err.cause
            error_type = cause.type if isinstance(cause, ApplicationError) and cause.type else ""
            self.status = "rejected" if error_type == DEPARTMENT_REJECTED else "failed"
            message = cause.message if isinstance(cause, ApplicationError) else str(err)
            run.note = message
            if self.failure is None:
                self.failure = CaseFailure(
                    step=run.step.name, type=error_type or "ActivityFailed", message=message
                )
            return
        run.state = "skipped" if output.skipped else "done"
        run.note = output.skipped
        self.documents.extend(output.documents)
        for name in run.step.gives:
            value = output.facts.get(name)
            self.facts[name] = value
            if value is not None:
                self.records[name] = FactRecord(
                    name=name,
                    source=run.step.department,
                    way=run.step.way,
                    step=run.step.name,
                    at=run.finished_at,
                )

    def _set_waiting_on(self, departments: list[Department]) -> None:
        if departments != self._waiting_on:
            self._waiting_on = departments
            workflow.upsert_search_attributes([SA_WAITING_ON.value_set(list(departments))])

    async def _publish(self, event_type: str) -> None:
        await workflow.execute_activity_method(
            CaseUpdatePublisher.publish,
            CaseUpdateInput(
                type=event_type,
                case_id=self.case_id,
                bundle=self.bundle,
                status=self.status,
                documents=list(self.documents),
                time=workflow.now(),
            ),
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PUBLISH_RETRY,
        )


class CaseWorkflow:
    """Base of every bundle workflow: owns the engine and answers the ``status`` query."""

    bundle: Bundle
    steps: tuple[Step, ...]

    def __init__(self) -> None:
        self._engine: CaseEngine | None = None

    @workflow.query
    def status(self) -> CaseView:
        """The case view as it stands."""
        if self._engine is None:
            return CaseView(
                case_id=workflow.info().workflow_id, bundle=self.bundle, status="running"
            )
        return self._engine.view()

    async def run_case(self, case_id: str, citizen_facts: Mapping[str, Any]) -> CaseView:
        """Run the bundle's steps for a case that starts from ``citizen_facts``."""
        self._engine = CaseEngine(
            case_id=case_id, bundle=self.bundle, steps=self.steps, started_at=workflow.now()
        )
        self._engine.add_citizen_facts(citizen_facts)
        return await self._engine.run()
