"""The path matrix: every kind of step, every outcome, on the engine with fake departments.

Kinds: issued, data query, verification, commitment (with its later check), credit record,
the verification standing in for a pledge (fallback), and notify. Outcomes: answered at once,
answered later by a person, refused, past its deadline, department down then back.

Not every pair exists. Only verifications (the step's own, or a commitment's fallback) are
answered by a person; issued steps, data queries, pledge checks and credit records are automatic.
Their deadline is the case's SLA, passed while their department is down; a commitment's own
"deadline" is its check, which comes after the SLA without making the case late. A credit record
is written only after a false pledge, so it has no "at once" apart from that. Notify talks to
other cases through Temporal, not to a department: it has no refusal, deadline or outage beyond
"the other case is already closed" (see the two notify tests).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.errors import DEPARTMENT_REJECTED, DEPARTMENT_UNAVAILABLE
from activities.models import (
    RevokeInput,
    RevokeOutput,
    VerificationAnswerInput,
    VerificationInput,
    VerificationOutcome,
)
from events.models import EventMeta
from onething.constants import (
    DEPARTMENTS,
    MEMO_FLAGS,
    ORCHESTRATOR_TASK_QUEUE,
    CaseStatus,
    department_task_queue,
)
from tests.helpers.temporal import start_time_skipping_temporal
from tests.helpers.toy_bundle import (
    TOY_PATH_STEPS,
    TOY_STEPS,
    ToyCase,
    ToyData,
    ToyInput,
    ToyPathCase,
    ToyPathData,
    ToyPathInput,
)
from workflows.models import (
    CaseFlags,
    CaseOptions,
    CaseUpdateInput,
    CaseView,
    Document,
    Published,
    StepInput,
    StepOutput,
    VerificationAnswerRequest,
)

Outcome = Literal["at_once", "person", "refused", "late", "outage"]
#: How many times a department fails before it is back: briefly, or for longer than the SLA.
FAILURES = {"outage": 2, "long-outage": 8}
GIVES = {step.name: step.gives for step in (*TOY_PATH_STEPS, *TOY_STEPS)}


@pytest.fixture(scope="module")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_time_skipping_temporal()
    try:
        yield env
    finally:
        await env.shutdown()


class Departments:
    """Fake departments: each step (or ``revoke``) behaves as ``plan`` says; calls are counted.

    Plans: ``refused`` (a 4xx), ``outage``/``long-outage`` (down for 2 or 8 attempts, then
    back), ``person``/``late`` (a verification a person must answer), ``false`` (a check that
    finds the pledge false).
    """

    def __init__(self, plan: Mapping[str, str]) -> None:
        self.plan = dict(plan)
        self.calls: Counter[str] = Counter()
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.credit: list[dict[str, Any]] = []
        self.answers: list[VerificationAnswerInput] = []
        self.updates: list[str] = []

    def _answer(self, key: str) -> None:
        self.calls[key] += 1
        if self.calls[key] <= FAILURES.get(self.plan.get(key, ""), 0):
            raise ApplicationError(f"{key}: 503 from the department", type=DEPARTMENT_UNAVAILABLE)
        if self.plan.get(key) == "refused":
            raise ApplicationError(f"{key}: 422", type=DEPARTMENT_REJECTED, non_retryable=True)

    def activities(self) -> list[Callable[..., Any]]:
        def output(input: StepInput, *, document: bool) -> StepOutput:
            documents = [
                Document(
                    kind=input.step,
                    department="police",
                    number=f"N-{input.step}",
                    issued_at=datetime.now(UTC),
                )
            ]
            return StepOutput(
                facts={fact: f"{fact}-value" for fact in GIVES[input.step]},
                documents=documents if document else [],
            )

        @activity.defn(name="toy.issue")
        async def issue(input: StepInput) -> StepOutput:
            self._answer(input.step)
            self.issued.append(input.step)
            return output(input, document=True)

        @activity.defn(name="toy.query")
        async def query(input: StepInput) -> StepOutput:
            self._answer(input.step)
            return output(input, document=False)

        @activity.defn(name="toy.check")
        async def check(input: StepInput) -> StepOutput:
            self._answer("check_c")
            return StepOutput(facts={"exists": self.plan.get("check_c") != "false"})

        @activity.defn(name="toy.credit")
        async def credit(input: StepInput) -> StepOutput:
            self._answer("credit_c")
            self.credit.append(input.facts)
            return StepOutput(facts={"credit_record_number": "CR-1"})

        @activity.defn(name="verification.open")
        async def open_verification(input: VerificationInput) -> VerificationOutcome:
            self._answer(input.step)
            mode = input.subject.get("mode") or self.plan.get(input.step)
            status = {"person": "pending", "late": "pending", "refused": "refused"}
            return VerificationOutcome(
                verification_id=f"V-{input.step}", status=status.get(mode or "", "confirmed")
            )

        @activity.defn(name="verification.record_answer")
        async def record_answer(input: VerificationAnswerInput) -> VerificationOutcome:
            self.answers.append(input)
            return VerificationOutcome(verification_id=input.verification_id, status=input.answer)

        @activity.defn(name="documents.revoke")
        async def revoke(input: RevokeInput) -> RevokeOutput:
            self.calls["revoke"] += 1
            if self.calls["revoke"] <= FAILURES.get(self.plan.get("revoke", ""), 0):
                raise ApplicationError("revoke: 503", type=DEPARTMENT_UNAVAILABLE)
            self.revoked.append(input.document.kind)
            return RevokeOutput(document=input.document, revoked_at=datetime.now(UTC))

        return [issue, query, check, credit, open_verification, record_answer, revoke]

    @activity.defn(name="case_updates.publish")
    async def publish(self, input: CaseUpdateInput) -> Published:
        self.updates.append(f"{input.case_id}:{input.type}")
        return Published(topic="t", partition=0, offset=len(self.updates))

    def published(self, case_id: str) -> list[str]:
        prefix = f"{case_id}:"
        return [u.removeprefix(prefix) for u in self.updates if u.startswith(prefix)]


async def workers(env: WorkflowEnvironment, stack: AsyncExitStack, fakes: Departments) -> None:
    await stack.enter_async_context(
        Worker(
            env.client,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            workflows=[ToyPathCase, ToyCase],
            activities=[fakes.publish],
        )
    )
    activities = fakes.activities()
    for department in DEPARTMENTS:
        await stack.enter_async_context(
            Worker(env.client, task_queue=department_task_queue(department), activities=activities)
        )


def _meta(case_id: str) -> EventMeta:
    return EventMeta(id=case_id, source="s", type="toy", subject=case_id, time=datetime.now(UTC))


async def start_path_case(
    env: WorkflowEnvironment, data: ToyPathData, options: CaseOptions, *, skip_time: bool
) -> WorkflowHandle[Any, CaseView]:
    case_id = f"paths-{uuid.uuid4().hex[:10]}"

    async def go() -> WorkflowHandle[Any, CaseView]:
        return await env.client.start_workflow(
            ToyPathCase.run,
            ToyPathInput(case_id=case_id, event=_meta(case_id), data=data, options=options),
            id=case_id,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
        )

    if skip_time:
        return await go()
    # A person answers in real time: the wait's deadline must not be skipped to.
    with env.with_time_skipping_disabled():
        return await go()


async def until(
    handle: WorkflowHandle[Any, CaseView], condition: Callable[[CaseView], bool]
) -> CaseView:
    for _ in range(400):
        view = await handle.query(ToyPathCase.status)
        if condition(view):
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition never held; last view status {view.status}")


@dataclass(frozen=True)
class Path:
    """One cell of the matrix and what the case must show at its end.

    Attributes:
        kind: The kind of step.
        step: The step under test.
        outcome: What happens to it.
        status: How the case ends.
        plan: How the fake departments behave.
        pledge: Whether the applicant pledged (the commitment goes ahead, checked later).
        answer: A person's answer to the wait the step opens.
        failure_step: The step the case's failure names (when it ends other than completed).
        fact: The fact the step gives and the way it must have come by.
        sla: The case's SLA, when the path is about passing it.
    """

    kind: str
    step: str
    outcome: Outcome
    status: CaseStatus
    plan: Mapping[str, str] = field(default_factory=dict)
    pledge: bool = False
    answer: Literal["confirmed", "refused"] | None = None
    failure_step: str | None = None
    fact: tuple[str, str] | None = None
    sla: timedelta | None = None

    @property
    def id(self) -> str:
        refusal = f"-by-{self.answer}" if self.answer == "refused" else ""
        return f"{self.kind}-{self.outcome}{refusal}"


def _automatic(kind: str, step: str, fact: tuple[str, str]) -> list[Path]:
    return [
        Path(kind, step, "at_once", "completed", fact=fact),
        Path(kind, step, "refused", "rejected", plan={step: "refused"}),
        Path(kind, step, "late", "completed", plan={step: "long-outage"}, sla=timedelta(minutes=1)),
        Path(kind, step, "outage", "completed", plan={step: "outage"}, fact=fact),
    ]


def _verification(kind: str, step: str, opens: str, fact: tuple[str, str]) -> list[Path]:
    # ``opens`` is the verification the department is asked for; ``step`` the engine's step.
    return [
        Path(kind, step, "at_once", "completed", fact=fact),
        Path(kind, step, "person", "completed", plan={opens: "person"}, answer="confirmed"),
        Path(kind, step, "person", "rejected", plan={opens: "person"}, answer="refused"),
        Path(kind, step, "refused", "rejected", plan={opens: "refused"}),
        Path(kind, step, "late", "completed", plan={opens: "late"}, answer="confirmed"),
        Path(kind, step, "outage", "completed", plan={opens: "outage"}, fact=fact),
    ]


PATHS: list[Path] = [
    *_automatic("issued", "issue_a", ("a", "issued")),
    *_automatic("data_query", "query_q", ("q", "data_query")),
    *_verification("verification", "verify_b", "verify_b", ("b", "department_verification")),
    Path("commitment", "pledge_c", "at_once", "completed", pledge=True, fact=("c", "commitment")),
    Path(
        "commitment",
        "pledge_c",
        "refused",
        "revoked",
        plan={"check_c": "false"},
        pledge=True,
        fact=("c", "commitment"),
    ),
    # The SLA passes while only the pledge check is to come: the case is not late.
    Path("commitment", "pledge_c", "late", "completed", pledge=True, sla=timedelta(days=1)),
    Path("commitment", "pledge_c", "outage", "completed", plan={"check_c": "outage"}, pledge=True),
    Path(
        "credit_record",
        "pledge_c",
        "at_once",
        "revoked",
        plan={"check_c": "false"},
        pledge=True,
        fact=("credit_record_number", "issued"),
    ),
    Path(
        "credit_record",
        "pledge_c",
        "refused",
        "revoked",
        plan={"check_c": "false", "credit_c": "refused"},
        pledge=True,
    ),
    Path(
        "credit_record",
        "pledge_c",
        "outage",
        "revoked",
        plan={"check_c": "false", "credit_c": "outage", "revoke": "outage"},
        pledge=True,
        fact=("credit_record_number", "issued"),
    ),
    *_verification("fallback", "pledge_c", "verify_c", ("c", "department_verification")),
]


@pytest.mark.parametrize("path", PATHS, ids=[p.id for p in PATHS])
async def test_every_kind_of_step_takes_every_outcome(
    ts_env: WorkflowEnvironment, path: Path
) -> None:
    fakes = Departments(path.plan)
    options = CaseOptions(sla=path.sla or CaseOptions().sla)
    data = ToyPathData(applicant="x", pledge=path.pledge)
    async with AsyncExitStack() as stack:
        await workers(ts_env, stack, fakes)
        handle = await start_path_case(ts_env, data, options, skip_time=path.outcome != "person")
        if path.answer is not None:
            late = path.outcome == "late"
            view = await until(
                handle, lambda v: bool(v.waits) and (v.waits[0].breached or not late)
            )
            (wait,) = view.waits
            # The wait is shown, and answered, under the step the case lists.
            assert wait.step == path.step
            assert next(s for s in view.steps if s.name == path.step).state == "running"
            assert view.status == "waiting-department"
            assert "police" in view.waiting_on
            await handle.execute_update(
                ToyPathCase.answer_verification,
                VerificationAnswerRequest(
                    step=wait.step, answer=path.answer, operator="officer-17", reason="visited"
                ),
            )
        view = await handle.result()
        flags = await (await handle.describe()).memo_value(MEMO_FLAGS, None, type_hint=CaseFlags)
    published = fakes.published(handle.id)

    assert view.status == path.status, view.failure
    assert published[-1] == f"onething.case.{path.status}"
    assert view.waits == []
    if path.status == "completed":
        assert view.failure is None
        assert {"issue_a", "license_d"} <= set(fakes.issued)
        assert not any(d.revoked_at for d in view.documents)
    elif path.status == "rejected":
        assert view.failure is not None
        assert view.failure.step == path.step
        assert view.failure.type in ("DepartmentRejected", "VerificationRefused")
        assert "license_d" not in fakes.issued
    else:
        assert view.failure is not None
        assert view.failure.step == "pledge_c"
        assert [c.outcome for c in view.checks] == ["false"]
        assert fakes.revoked == ["license_d"]
        assert all(d.revoked_at for d in view.documents if d.kind == "license_d")
    if path.fact is not None:
        name, way = path.fact
        assert next(f for f in view.facts if f.name == name).way == way
    if path.answer is not None:
        assert [(a.answer, a.operator) for a in fakes.answers] == [(path.answer, "officer-17")]
        assert view.actions[0].step == path.step
    if path.outcome == "late":
        breached = path.kind != "commitment"
        assert ("onething.case.sla-breached" in published) == breached
        assert view.sla_breached == breached
        # A missed deadline is part of the case's story, and a flag ``cases`` filters on.
        missed = [m.step for m in view.deadlines_missed]
        assert missed == ([None, path.step] if path.answer else [None] if breached else [])
        assert (flags is not None and flags.overdue) == breached
    else:
        assert "onething.case.sla-breached" not in published
        assert view.deadlines_missed == []
        assert flags is None or not flags.overdue
    assert view.steps_done_at is not None or path.status != "completed"
    assert not view.pledge_check_pending
    if path.outcome == "outage":
        key = next(iter(path.plan)) if path.kind != "credit_record" else "credit_c"
        assert fakes.calls[key] == FAILURES["outage"] + 1
    if path.kind == "credit_record" and path.outcome != "refused":
        assert len(fakes.credit) == 1
        assert fakes.credit[0]["revoked_documents"] == ["N-license_d"]


async def test_notify_tells_another_open_case_at_once(ts_env: WorkflowEnvironment) -> None:
    fakes = Departments({})
    async with AsyncExitStack() as stack:
        await workers(ts_env, stack, fakes)
        other_id = f"toy-{uuid.uuid4().hex[:10]}"
        with ts_env.with_time_skipping_disabled():
            other = await ts_env.client.start_workflow(
                ToyCase.run,
                ToyInput(
                    case_id=other_id,
                    event=_meta(other_id),
                    data=ToyData(applicant="x", pledge=False, verify="person"),
                ),
                id=other_id,
                task_queue=ORCHESTRATOR_TASK_QUEUE,
            )
            await until(other, lambda v: bool(v.waits))
        data = ToyPathData(applicant="x", pledge=False, others=[other_id])
        handle = await start_path_case(ts_env, data, CaseOptions(), skip_time=True)
        view = await handle.result()
        told = await other.result()
    assert view.status == "completed"
    assert next(s for s in view.steps if s.name == "notify_n").state == "done"
    assert told.status == "rejected"
    assert told.failure is not None
    assert told.failure.type == "SubjectDeceased"


async def test_notify_leaves_a_closed_case_as_it_is(ts_env: WorkflowEnvironment) -> None:
    fakes = Departments({})
    async with AsyncExitStack() as stack:
        await workers(ts_env, stack, fakes)
        closed = await start_path_case(
            ts_env, ToyPathData(applicant="x", pledge=False), CaseOptions(), skip_time=True
        )
        assert (await closed.result()).status == "completed"
        data = ToyPathData(applicant="x", pledge=False, others=[closed.id])
        view = await (await start_path_case(ts_env, data, CaseOptions(), skip_time=True)).result()
    assert view.status == "completed"
    notify = next(s for s in view.steps if s.name == "notify_n")
    assert (notify.state, notify.note) == ("skipped", "no other open case of the deceased")


async def test_a_case_with_every_document_out_shows_its_pledge_check_still_to_come(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Departments({})
    options = CaseOptions(pledge_check_after=timedelta(seconds=3))
    async with AsyncExitStack() as stack:
        await workers(ts_env, stack, fakes)
        handle = await start_path_case(
            ts_env, ToyPathData(applicant="x", pledge=True), options, skip_time=False
        )
        waiting = await until(handle, lambda v: v.steps_done_at is not None)
        flags = await (await handle.describe()).memo_value(MEMO_FLAGS, type_hint=CaseFlags)
        view = await handle.result()
        closed = await (await handle.describe()).memo_value(MEMO_FLAGS, type_hint=CaseFlags)

    assert waiting.status == "running"
    assert waiting.pledge_check_pending
    (check,) = waiting.checks
    assert waiting.pledge_check_due == check.due_at
    assert flags.pledge_check_due == check.due_at
    assert {"issue_a", "license_d"} <= {d.kind for d in waiting.documents}

    assert view.status == "completed"
    assert not view.pledge_check_pending
    assert view.pledge_check_due is None
    assert closed.pledge_check_due is None
    # Its duration to its last document is shorter than to its close, a pledge check later.
    assert view.steps_done_at == waiting.steps_done_at
    assert view.started_at is not None
    assert view.steps_done_at is not None
    assert view.finished_at is not None
    assert view.started_at < view.steps_done_at < check.due_at <= view.finished_at
