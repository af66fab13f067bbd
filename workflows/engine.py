"""The case engine: runs a bundle's steps as soon as the facts each needs are known.

A bundle is a tuple of steps (see :mod:`workflows.steps`). Each step names the facts it needs and
the facts it gives; the engine starts every step whose needs are met, so independent steps run in
parallel, and gives each step only the facts it declared. Every fact is recorded with where it
came from and by which way. The engine also keeps the case's deadlines: a verification answered
late or a case open past its bundle's SLA publishes ``onething.case.sla-breached`` and goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from activities.case_updates import CaseUpdatePublisher
    from activities.errors import (
        CANCELLED_BY_OPERATOR,
        DEPARTMENT_REJECTED,
        FALSE_PLEDGE,
        SUBJECT_DECEASED,
        VERIFICATION_REFUSED,
    )
    from activities.models import RevokeInput, RevokeOutput
    from activities.revocations import revoke_document
    from onething.constants import (
        CASE_SCOPE,
        MEMO_FLAGS,
        ORCHESTRATOR_TASK_QUEUE,
        SA_CASE_STATUS,
        SA_WAITING_ON,
        Bundle,
        CaseStatus,
        Department,
        department_task_queue,
    )
    from workflows.catalogue import Material, way_taken
    from workflows.changes import (
        CANCEL_ENDS_CANCELLED,
        CASE_FLAGS_IN_MEMO,
        CASE_SCOPE_ON_EVERY_STEP,
        SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING,
        VISIBLE_RETRIES,
        WITHDRAW_WHEN_STOPPED,
        takes,
    )
    from workflows.models import (
        AskCitizenRequest,
        CancelRequest,
        CaseFailure,
        CaseFlags,
        CaseOptions,
        CaseUpdateInput,
        CaseView,
        CheckView,
        CorrectionView,
        DeadlineMissed,
        Document,
        EventReceived,
        EventVerdict,
        FactRecord,
        MaterialView,
        OperatorAction,
        RetryStepRequest,
        RetryView,
        StepOutput,
        StepState,
        StepView,
        SupplyFactRequest,
        VerificationAnswerRequest,
        WaitView,
    )
    from workflows.retrying import call_department
    from workflows.steps import (
        ACTIVITY_TIMEOUT,
        AnyStep,
        Commitment,
        Facts,
        run_activity,
    )
    from workflows.stopping import asked_of, withdraw

PUBLISH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
#: Failure types that are the department's or the citizen's answer, not a fault of the system.
_REJECTIONS = frozenset({DEPARTMENT_REJECTED, VERIFICATION_REFUSED})


@dataclass
class _StepRun:
    step: AnyStep
    needs: tuple[str, ...]
    state: StepState = "pending"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    note: str | None = None
    waiting_on: Department | None = None
    retry: RetryView | None = None

    def view(self) -> StepView:
        return StepView(
            name=self.step.name,
            department=self.step.department,
            state=self.state,
            needs=list(self.needs),
            gives=list(self.step.gives),
            started_at=self.started_at,
            finished_at=self.finished_at,
            note=self.note,
            retry=self.retry,
        )


@dataclass
class _Wait:
    view: WaitView
    answer: VerificationAnswerRequest | None = None


@dataclass
class _Stop:
    """Why the case stops starting steps before it has run them all."""

    failure: CaseFailure
    status: CaseStatus
    revoke_all: bool = False


@dataclass
class CaseEngine:
    """The state of one case while its workflow runs; see the module docstring."""

    case_id: str
    bundle: Bundle
    steps: tuple[AnyStep, ...]
    options: CaseOptions
    started_at: datetime
    materials: tuple[Material, ...] = ()
    status: CaseStatus = "running"
    facts: dict[str, Any] = field(default_factory=dict)
    records: dict[str, FactRecord] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    failure: CaseFailure | None = None
    finished_at: datetime | None = None
    actions: list[OperatorAction] = field(default_factory=list)
    event_id: str = ""
    corrections: list[CorrectionView] = field(default_factory=list)
    _runs: dict[str, _StepRun] = field(default_factory=dict)
    _tasks: dict[asyncio.Future[Any], Callable[[asyncio.Future[Any]], None]] = field(
        default_factory=dict
    )
    _waits: dict[str, _Wait] = field(default_factory=dict)
    _retrying: dict[str, RetryView] = field(default_factory=dict)
    _checks: list[CheckView] = field(default_factory=list)
    _check_tasks: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    _stop: _Stop | None = None
    _sla_breached: bool = False
    _breaches: int = 0
    _completed: int = 0
    _document_order: dict[str, tuple[str, int]] = field(default_factory=dict)
    _waiting_on: list[Department] = field(default_factory=list)
    _shown_status: CaseStatus = "running"
    _shown_waiting: list[Department] = field(default_factory=list)
    _lean: bool = False
    _asked: dict[str, bool] = field(default_factory=dict)
    _holding: bool = False
    _acted: bool = False
    _missed: list[DeadlineMissed] = field(default_factory=list)
    _shown_flags: CaseFlags = field(default_factory=CaseFlags)
    _flags_in_memo: bool | None = None

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"bundle {self.bundle} declares a step twice")
        self._runs = {step.name: _StepRun(step, _needs(step, self.options)) for step in self.steps}
        # Cases started before this change upsert WaitingOn at every step; see _refresh.
        self._lean = takes(self.options, SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING)
        # Cases started before this change send the scope with queries only.
        self._scoped_steps = takes(self.options, CASE_SCOPE_ON_EVERY_STEP)

    # --- what the workflow shows -------------------------------------------------------------

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
            waits=[wait.view for wait in self._waits.values()],
            retrying=list(self._retrying.values()),
            checks=list(self._checks),
            actions=list(self.actions),
            materials=[self._material(m) for m in self.materials],
            corrections=list(self.corrections),
            asked=list(self._asked),
            sla_deadline=self.started_at + self.options.sla,
            sla_breached=self._sla_breached,
            deadlines_missed=list(self._missed),
            pledge_check_pending=self._pledge_check_due() is not None,
            pledge_check_due=self._pledge_check_due(),
            steps_done_at=self._steps_done_at(),
            started_at=self.started_at,
            finished_at=self.finished_at,
            failure=self.failure,
        )

    def _material(self, material: Material) -> MaterialView:
        run = self._runs.get(material.step) if material.step else None
        record = self.records.get(material.fact) if material.fact else None
        return MaterialView(
            id=material.id,
            name_zh=material.name_zh,
            name_en=material.name_en,
            way=way_taken(material, record.way if record else None),
            held_by=material.held_by,
            step=material.step,
            applies=run is None or run.state not in ("skipped", "not_run"),
        )

    def _steps_done_at(self) -> datetime | None:
        runs = self._runs.values()
        if not runs or any(run.state not in ("done", "skipped") for run in runs):
            return None
        return max((run.finished_at for run in runs if run.finished_at), default=None)

    def _pledge_check_due(self) -> datetime | None:
        """When the next pledge check is due, if it is all that an open case still waits for."""
        if self.finished or self._steps_done_at() is None:
            return None
        return min((c.due_at for c in self._checks if c.outcome == "pending"), default=None)

    @property
    def finished(self) -> bool:
        """Whether the case has reached its final status (a held case may still be helped)."""
        return self.finished_at is not None

    # --- the run -----------------------------------------------------------------------------

    async def run(self) -> CaseView:
        """Run every step that applies, keep the deadlines, publish the outcome, return the view."""
        await self._publish("onething.case.started")
        sla = asyncio.ensure_future(self._watch_sla())
        while True:
            if self._stop is None and self.failure is None:
                for run in self._ready():
                    self._start(run)
            self._refresh()
            if not self._tasks:
                if not self._stuck() or not await self._hold_for_operator():
                    break
                continue
            done, _ = await workflow.wait(list(self._tasks), return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                self._tasks.pop(task)(task)
        sla.cancel()
        if self._stop is not None:
            await self._close_stopped(self._stop)
        if self._stop is not None and self._stop.revoke_all:
            await self._revoke([run.step.name for run in self._runs.values()], self._stop.failure)
        self.status = self._final_status()
        self.finished_at = workflow.now()
        self._refresh(force=True)
        await self._publish(f"onething.case.{self.status}")
        return self.view()

    def _final_status(self) -> CaseStatus:
        if self._stop is not None:
            self.failure = self.failure or self._stop.failure
            return self._stop.status
        if self.failure is not None:
            return "rejected" if self.failure.type in _REJECTIONS else "failed"
        unmet = [run.step.name for run in self._runs.values() if run.state == "pending"]
        if unmet:
            self.failure = CaseFailure(
                step=unmet[0], type="UnmetNeeds", message=f"steps {unmet} never had their facts"
            )
            return "failed"
        return "completed"

    def _stuck(self) -> bool:
        """Whether the case cannot go on by itself, though an operator could help it."""
        if self._stop is not None:
            return False
        if self.failure is not None:
            return self.failure.type not in _REJECTIONS
        return any(run.state == "pending" for run in self._runs.values())

    async def _hold_for_operator(self) -> bool:
        """Wait for a retry, a citizen's answer or a cancel; False when the hold runs out."""
        self._holding, self._acted = True, False
        self._refresh()
        try:
            await workflow.wait_condition(
                lambda: self._acted or self._stop is not None, timeout=self.options.operator_hold
            )
        except TimeoutError:
            return False
        finally:
            self._holding = False
        return True

    def _ready(self) -> list[_StepRun]:
        return [
            run
            for run in self._runs.values()
            if run.state == "pending" and all(need in self.facts for need in run.needs)
        ]

    def _start(self, run: _StepRun) -> None:
        step = run.step
        given = {need: self.facts[need] for need in run.needs}
        run.started_at = workflow.now()
        reason = step.skip(given) if step.skip else None
        if reason is not None:
            run.state, run.note, run.finished_at = "skipped", reason, run.started_at
            for name in step.gives:
                self.facts[name] = None
            return
        run.state = "running"
        task = asyncio.ensure_future(step.execute(self, given))
        self._tasks[task] = lambda done: self._finish(run, done)

    def _finish(self, run: _StepRun, task: asyncio.Future[Any]) -> None:
        run.finished_at = workflow.now()
        run.waiting_on = None
        try:
            output: StepOutput = task.result()
        except (asyncio.CancelledError, ActivityError, ApplicationError) as err:
            if self._stop is not None and _is_cancellation(err):
                run.state, run.note = "not_run", f"stopped: {self._stop.failure.type}"
                return
            run.state = "failed"
            error_type, message = _describe(err)
            run.note = message
            if self.failure is None:
                self.failure = CaseFailure(step=run.step.name, type=error_type, message=message)
            if error_type in _REJECTIONS:
                self._stop_on_rejection()
            return
        run.state = "skipped" if output.skipped else "done"
        run.note = output.skipped
        self._completed += 1
        for index, document in enumerate(output.documents):
            self.documents.append(document)
            self._document_order[document.number] = (run.step.name, self._completed * 100 + index)
        for name in run.step.gives:
            value = output.facts.get(name)
            self.facts[name] = value
            if value is not None:
                self.records[name] = FactRecord(
                    name=name,
                    source=run.step.department,
                    way=output.way or run.step.way,
                    step=run.step.name,
                    at=run.finished_at,
                )

    # --- waits, deadlines and status -----------------------------------------------------------

    async def await_answer(
        self, step: str, provider: Department, kind: str, verification_id: str
    ) -> VerificationAnswerRequest:
        """Wait durably for a person at ``provider``; past the deadline, escalate and wait on."""
        now = workflow.now()
        wait = _Wait(
            WaitView(
                step=step,
                provider=provider,
                kind=kind,
                verification_id=verification_id,
                opened_at=now,
                deadline=now + self.options.verification_deadline,
            )
        )
        self._waits[step] = wait
        self._runs[step].waiting_on = provider
        self._refresh()
        try:
            await workflow.wait_condition(
                lambda: wait.answer is not None, timeout=self.options.verification_deadline
            )
        except TimeoutError:
            wait.view = wait.view.model_copy(update={"breached": True})
            self._missed.append(
                DeadlineMissed(
                    at=workflow.now(), deadline=wait.view.deadline, step=step, provider=provider
                )
            )
            await self._breach()
            self._show_flags()
            await workflow.wait_condition(lambda: wait.answer is not None)
        del self._waits[step]
        self._runs[step].waiting_on = None
        self._refresh()
        assert wait.answer is not None
        return wait.answer

    def validate_answer(self, request: VerificationAnswerRequest) -> None:
        """Refuse an answer to a verification the case is not waiting for.

        Raises:
            ValueError: no pending verification for ``request.step``.
        """
        wait = self._waits.get(request.step)
        if wait is None or wait.answer is not None:
            pending = sorted(name for name, w in self._waits.items() if w.answer is None)
            raise ValueError(
                f"no pending verification for step {request.step!r}; pending: {pending}"
            )

    def answer(self, request: VerificationAnswerRequest) -> None:
        """Take a person's answer to a pending verification (validated first)."""
        self.validate_answer(request)
        self._waits[request.step].answer = request
        self._record_action(
            request.operator, f"answer_verification:{request.answer}", request.reason, request.step
        )

    def receive_event(self, received: EventReceived) -> EventVerdict:
        """Judge another event for this case's key: a redelivery, or a correction.

        A correction is applied when none of the facts it changes has been given to a step yet;
        otherwise it is rejected, since departments have already acted on the old values.
        """
        changed = sorted(
            name for name, value in received.data.items() if self.facts.get(name) != value
        )
        outcome: Literal["duplicate", "applied", "rejected"]
        if received.event.id == self.event_id or not changed:
            outcome, reason = "duplicate", "the same event, or the same data, again"
        elif self.finished:
            outcome, reason = "rejected", f"the case has ended ({self.status})"
        else:
            used = sorted(
                {
                    name
                    for name in changed
                    for run in self._runs.values()
                    if run.state != "pending" and name in run.needs
                }
            )
            if used:
                outcome, reason = "rejected", f"departments have already acted on {used}"
            else:
                outcome, reason = "applied", "not yet used by any step"
                if received.scope is not None and self._scoped_steps:
                    self.facts[CASE_SCOPE] = received.scope.model_dump()
                for name in changed:
                    self.facts[name] = received.data[name]
                    self.records[name] = FactRecord(
                        name=name, source="event", way="citizen", at=workflow.now()
                    )
        fields = [] if outcome == "duplicate" else changed
        self.corrections.append(
            CorrectionView(
                event_id=received.event.id,
                received_at=workflow.now(),
                outcome=outcome,
                fields=fields,
                reason=reason,
            )
        )
        return EventVerdict(case_id=self.case_id, outcome=outcome, fields=fields, reason=reason)

    def validate_ask(self, request: AskCitizenRequest) -> None:
        """Refuse an ask that is not once, ever, for a fact a waiting step needs.

        Raises:
            ValueError: asked before, already known, or needed by no pending step.
        """
        if request.fact in self._asked:
            raise ValueError(f"the citizen was asked for {request.fact!r} before: never twice")
        if self.facts.get(request.fact) is not None:
            raise ValueError(f"{request.fact!r} is known; nobody asks the citizen for it")
        needed = any(
            run.state == "pending" and request.fact in run.needs for run in self._runs.values()
        )
        if not needed:
            raise ValueError(f"no step is waiting for {request.fact!r}")

    def ask_citizen(self, request: AskCitizenRequest) -> None:
        """Record that the citizen was asked for a fact (validated first)."""
        self.validate_ask(request)
        self._asked[request.fact] = False
        self._record_action(request.operator, f"ask_citizen:{request.fact}", request.reason)
        self._refresh()

    def validate_supply(self, request: SupplyFactRequest) -> None:
        """Refuse a fact that nobody asked the citizen for, or that was answered already.

        Raises:
            ValueError: not asked, or answered before.
        """
        if self._asked.get(request.fact) is not False:
            raise ValueError(f"the citizen has no open question about {request.fact!r}")

    def supply_fact(self, request: SupplyFactRequest) -> None:
        """Take the citizen's answer: the fact joins the case as a citizen input."""
        self.validate_supply(request)
        self._asked[request.fact] = True
        self.facts[request.fact] = request.value
        self.records[request.fact] = FactRecord(
            name=request.fact, source="event", way="citizen", at=workflow.now()
        )
        self._record_action(request.operator, f"supply_fact:{request.fact}", request.reason)
        self._acted = True

    def validate_retry(self, request: RetryStepRequest) -> None:
        """Refuse to retry a step that has not failed.

        Raises:
            ValueError: no such failed step.
        """
        run = self._runs.get(request.step)
        if run is None or run.state != "failed" or self._stop is not None:
            failed = sorted(name for name, r in self._runs.items() if r.state == "failed")
            raise ValueError(f"step {request.step!r} has not failed; failed steps: {failed}")

    def retry_step(self, request: RetryStepRequest) -> None:
        """Run a failed step again after a fix."""
        self.validate_retry(request)
        run = self._runs[request.step]
        run.state, run.note, run.started_at, run.finished_at = "pending", None, None, None
        if self.failure is not None and self.failure.step == request.step:
            self.failure = None
        self._record_action(request.operator, "retry_step", request.reason, request.step)
        self._acted = True

    def cancel(self, request: CancelRequest) -> None:
        """An operator ends the case: running steps are cancelled, issued documents revoked."""
        self._record_action(request.operator, "cancel", request.reason)
        if self._stop is not None or self.finished:
            return
        # Cases started before cancelling had a status of its own end as a false pledge does.
        cancelled = takes(self.options, CANCEL_ENDS_CANCELLED)
        self._halt(
            _Stop(
                CaseFailure(
                    step=self._current_step(),
                    type=CANCELLED_BY_OPERATOR,
                    message="cancelled by an operator",
                ),
                status="cancelled" if cancelled else "revoked",
                revoke_all=True,
            )
        )

    def subject_deceased(self, death_case_id: str) -> None:
        """The person this case is about died: stop, and let the death case take over."""
        self._halt(
            _Stop(
                CaseFailure(
                    step=self._current_step(),
                    type=SUBJECT_DECEASED,
                    message=f"the person died; {death_case_id} handles what remains",
                ),
                status="rejected",
            )
        )

    def _current_step(self) -> str:
        """Where the case stood: the steps running, else failed, else whose check is to come."""
        for state in ("running", "failed"):
            names = [name for name, run in self._runs.items() if run.state == state]
            if names:
                return ", ".join(names)
        checked = [check.step for check in self._checks if check.outcome == "pending"]
        if checked:
            return ", ".join(checked)
        pending = [name for name, run in self._runs.items() if run.state == "pending"]
        return pending[0] if pending else "(all steps done)"

    def _halt(self, stop: _Stop) -> None:
        if self._stop is not None or self.finished:
            return
        self._stop = stop
        self._acted = True
        for task in self._tasks:
            task.cancel()

    def _stop_on_rejection(self) -> None:
        """A refusal ends the case: what still runs or waits for it is no longer needed."""
        if self.failure is None or not self._tasks:
            return
        if takes(self.options, WITHDRAW_WHEN_STOPPED):
            self._halt(_Stop(self.failure, status="rejected"))

    async def _close_stopped(self, stop: _Stop) -> None:
        """Withdraw what the stopped case still asked of departments; mark what will not run."""
        reason = stop.failure.type
        interrupted = [run for run in self._runs.values() if run.state == "not_run"]
        providers = sorted({p for run in interrupted if (p := asked_of(run.step)) is not None})
        notes: dict[Department, str] = {}
        if providers and takes(self.options, WITHDRAW_WHEN_STOPPED):
            for provider in providers:
                notes[provider] = await withdraw(self.case_id, provider, reason)
        for run in self._runs.values():
            if run.state == "pending":
                run.state, run.note = "not_run", f"not run: the case stopped ({reason})"
            asked = asked_of(run.step)
            if run.state == "not_run" and asked in notes:
                run.note = f"{run.note}; {notes[asked]}"
            run.waiting_on = None
        self._waits.clear()
        self._checks = [
            check.model_copy(update={"outcome": "withdrawn"})
            if check.outcome == "pending"
            else check
            for check in self._checks
        ]

    def _record_action(
        self, operator: str, action: str, reason: str, step: str | None = None
    ) -> None:
        self.actions.append(
            OperatorAction(
                at=workflow.now(), operator=operator, action=action, step=step, reason=reason
            )
        )

    async def _watch_sla(self) -> None:
        await workflow.sleep(self.options.sla)
        # A case that only waits for its own pledge check is not late: its documents are out.
        if any(run.state in ("pending", "running") for run in self._runs.values()):
            self._sla_breached = True
            self._missed.append(
                DeadlineMissed(at=workflow.now(), deadline=self.started_at + self.options.sla)
            )
            await self._breach()
            self._refresh()

    async def _breach(self) -> None:
        self._breaches += 1
        await self._publish("onething.case.sla-breached", sequence=self._breaches)

    def _refresh(self, *, force: bool = False) -> None:
        """Keep the status, and ``CaseStatus``/``WaitingOn``, true to what the case waits on.

        The view names every department at work on the case. The search attributes change only
        when they mean something to an operator: ``WaitingOn`` names departments only while the
        case waits on them (a verification, or past its SLA). Each upsert costs the server a
        rewrite of the case's visibility row, so a case in its normal flow makes one, at the end.
        """
        if self.finished:
            departments: list[Department] = []
        else:
            busy = {
                run.waiting_on or run.step.department
                for run in self._runs.values()
                if run.state == "running"
            } | {retry.department for retry in self._retrying.values()}
            departments = sorted(busy)
            waiting = (
                bool(self._waits) or (self._sla_breached and bool(busy)) or bool(self._retrying)
            )
            if self._holding:
                asking = any(answered is False for answered in self._asked.values())
                self.status = "waiting-citizen" if asking or self.failure is None else "failed"
            else:
                self.status = "waiting-department" if waiting else "running"
        self._waiting_on = departments
        shown = departments if self.status == "waiting-department" or not self._lean else []
        if force or shown != self._shown_waiting or self._shown_status != self.status:
            self._shown_waiting = shown
            self._shown_status = self.status
            workflow.upsert_search_attributes(
                [SA_CASE_STATUS.value_set(self.status), SA_WAITING_ON.value_set(list(shown))]
            )
        self._show_flags()

    def _show_flags(self) -> None:
        """Keep the case's flags in its memo for ``onething cases``, writing only a change."""
        flags = CaseFlags(overdue=bool(self._missed), pledge_check_due=self._pledge_check_due())
        if flags == self._shown_flags:
            return
        if self._flags_in_memo is None:
            self._flags_in_memo = takes(self.options, CASE_FLAGS_IN_MEMO)
        if self._flags_in_memo:
            workflow.upsert_memo({MEMO_FLAGS: flags})
        self._shown_flags = flags

    # --- departments that are down or slow -----------------------------------------------------

    def retry_backoff(self) -> timedelta | None:
        """The first pause between rounds of calls to a failing department (None: old cases)."""
        return self.options.retry_backoff if takes(self.options, VISIBLE_RETRIES) else None

    def note_retry(
        self,
        step: str,
        department: Department,
        *,
        attempts: int,
        error: tuple[str, str],
        next_try_at: datetime,
    ) -> None:
        """A round of calls for ``step`` failed: show it, and wait on ``department``."""
        earlier = self._retrying.get(step)
        retry = RetryView(
            step=step,
            department=department,
            attempts=attempts,
            error_type=error[0],
            error_message=error[1],
            first_failed_at=earlier.first_failed_at if earlier else workflow.now(),
            next_try_at=next_try_at,
        )
        self._retrying[step] = retry
        run = self._runs.get(step)
        if run is not None:
            run.retry, run.waiting_on = retry, department
        self._refresh()

    def note_retry_over(self, step: str) -> None:
        """The case stopped retrying ``step``'s call; the step keeps what it took."""
        retry = self._retrying.pop(step, None)
        run = self._runs.get(step)
        if run is not None and retry is not None:
            run.retry, run.waiting_on = retry.model_copy(update={"ongoing": False}), None
        self._refresh()

    # --- commitments and compensation ----------------------------------------------------------

    def step_scope(self) -> Any:
        """The case's signed scope, for every step activity to carry (None: queries only)."""
        return self.facts.get(CASE_SCOPE) if self._scoped_steps else None

    def schedule_check(self, step: Commitment, given: Facts) -> None:
        """Check the pledge of ``step`` after ``pledge_check_after``."""
        index = len(self._checks)
        self._checks.append(
            CheckView(
                step=step.name,
                department=step.check.department,
                due_at=workflow.now() + self.options.pledge_check_after,
            )
        )
        task = asyncio.ensure_future(self._check(step, index))
        self._tasks[task] = lambda done: self._finish_check(index, done)
        self._check_tasks[index] = task

    async def _check(self, step: Commitment, index: int) -> None:
        await workflow.sleep(self.options.pledge_check_after)
        # Undo only once nothing that may depend on the pledge is still in flight.
        await workflow.wait_condition(
            lambda: all(run.state != "running" for run in self._runs.values())
        )
        check = step.check
        output = await run_activity(
            self, check.activity, check.department, check.name, self._given(check.needs)
        )
        passed = step.check_passes(output)
        self._checks[index] = self._checks[index].model_copy(
            update={"outcome": "true" if passed else "false"}
        )
        if passed:
            return
        failure = CaseFailure(
            step=step.name,
            type=FALSE_PLEDGE,
            message=f"the pledge behind {step.name} was found false when checked",
        )
        self._stop = _Stop(failure, status="revoked")
        self._withdraw_checks(keep=index)
        revoked = await self._revoke(self._dependents(step.gives), failure)
        credit = step.credit
        credit_facts = dict(self._given(credit.needs))
        credit_facts |= {
            "revoked_documents": [d.number for d in revoked],
            "reason": failure.message,
        }
        output = await run_activity(
            self, credit.activity, credit.department, credit.name, credit_facts
        )
        for name, value in output.facts.items():
            self.records[name] = FactRecord(
                name=name,
                source=credit.department,
                way="issued",
                step=credit.name,
                at=workflow.now(),
            )
            self.facts[name] = value

    def _withdraw_checks(self, *, keep: int) -> None:
        """A false pledge ends the case: the other pledges' checks will not be made."""
        others = [t for i, t in self._check_tasks.items() if i != keep and not t.done()]
        if others and takes(self.options, WITHDRAW_WHEN_STOPPED):
            for task in others:
                task.cancel()

    def _finish_check(self, index: int, task: asyncio.Future[Any]) -> None:
        try:
            task.result()
        except (asyncio.CancelledError, ActivityError, ApplicationError) as err:
            if self._stop is not None and _is_cancellation(err):
                return
            error_type, message = _describe(err)
            self.failure = self.failure or CaseFailure(
                step=self._checks[index].step, type=error_type, message=message
            )

    def _given(self, needs: tuple[str, ...]) -> dict[str, Any]:
        return {need: self.facts.get(need) for need in needs}

    def _dependents(self, roots: tuple[str, ...]) -> list[str]:
        """The steps that used ``roots``, directly or through facts derived from them."""
        tainted, steps = set(roots), []
        for run in self._runs.values():
            if tainted & set(run.needs):
                steps.append(run.step.name)
                tainted |= set(run.step.gives)
        return steps

    async def _revoke(self, step_names: list[str], failure: CaseFailure) -> list[Document]:
        """Revoke the documents of ``step_names``, the newest first."""
        chosen = set(step_names)
        targets = []
        for position, document in enumerate(self.documents):
            step_name, order = self._document_order[document.number]
            if step_name in chosen and document.revoked_at is None:
                targets.append((order, position))
        revoked = []
        for _, position in sorted(targets, reverse=True):
            document = self.documents[position]
            result: RevokeOutput = await call_department(
                self,
                self._document_order[document.number][0],
                document.department,
                _revocation(
                    RevokeInput(case_id=self.case_id, document=document, reason=failure.type)
                ),
            )
            self.documents[position] = document.model_copy(update={"revoked_at": result.revoked_at})
            revoked.append(self.documents[position])
        return revoked

    async def _publish(self, event_type: str, *, sequence: int = 0) -> None:
        await workflow.execute_activity_method(
            CaseUpdatePublisher.publish,
            CaseUpdateInput(
                type=event_type,
                case_id=self.case_id,
                bundle=self.bundle,
                status=self.status,
                documents=list(self.documents),
                time=workflow.now(),
                sequence=sequence,
            ),
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PUBLISH_RETRY,
        )


def _revocation(request: RevokeInput) -> Callable[[RetryPolicy], Awaitable[RevokeOutput]]:
    """The revocation of one document, with the retry policy it is given."""
    return lambda policy: workflow.execute_activity(
        revoke_document,
        request,
        task_queue=department_task_queue(request.document.department),
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        retry_policy=policy,
    )


def _needs(step: AnyStep, options: CaseOptions) -> tuple[str, ...]:
    """A step's needs, as changed by its patch for cases that take the change."""
    patch = getattr(step, "patch", None)
    if patch is not None and takes(options, patch.id):
        return tuple(patch.needs)
    return step.needs


def _is_cancellation(err: BaseException) -> bool:
    return isinstance(err, asyncio.CancelledError | CancelledError) or (
        isinstance(err, ActivityError) and isinstance(err.cause, CancelledError)
    )


def _describe(err: BaseException) -> tuple[str, str]:
    """The searchable type and message of a step's failure (messages hold no personal data)."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, ApplicationError):
        return cause.type or "ApplicationError", cause.message
    return type(cause).__name__, str(cause)
