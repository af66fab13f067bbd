"""The four ways in the engine: verification waits and deadlines, pledges, revocation, halts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
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
    WithdrawInput,
    WithdrawOutput,
)
from events.models import EventMeta
from onething.constants import (
    DEPARTMENTS,
    ORCHESTRATOR_TASK_QUEUE,
    SA_CASE_STATUS,
    SA_WAITING_ON,
    department_task_queue,
)
from tests.helpers.temporal import start_time_skipping_temporal
from tests.helpers.toy_bundle import TOY_STEPS, ToyCase, ToyData, ToyInput
from workflows.models import (
    CancelRequest,
    CaseOptions,
    CaseUpdateInput,
    CaseView,
    Document,
    Published,
    StepInput,
    StepOutput,
    SubjectDeceased,
    VerificationAnswerRequest,
)

GIVES = {step.name: step.gives for step in TOY_STEPS} | {"check_c": ("exists",)}


@pytest.fixture(scope="module")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_time_skipping_temporal()
    try:
        yield env
    finally:
        await env.shutdown()


class Fakes:
    """Fake department activities under the real names; they record every call."""

    def __init__(
        self, *, address_exists: bool = True, reject: str | None = None, down: str | None = None
    ) -> None:
        self.address_exists = address_exists
        self.reject = reject
        self.down = down
        self.withdrawn: list[tuple[str, str]] = []
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.credit: list[dict[str, Any]] = []
        self.answers: list[VerificationAnswerInput] = []
        self.updates: list[str] = []

    def activities(self) -> list[Callable[..., Any]]:
        @activity.defn(name="toy.issue")
        async def issue(input: StepInput) -> StepOutput:
            if input.step == self.reject:
                raise ApplicationError(
                    "tax refused /x (422): not_registered",
                    type=DEPARTMENT_REJECTED,
                    non_retryable=True,
                )
            if input.step == self.down:
                raise ApplicationError(
                    "tax answered 503 at /x: injected_fault: fault injection refused this request",
                    type=DEPARTMENT_UNAVAILABLE,
                )
            self.issued.append(input.step)
            return StepOutput(
                facts={fact: f"{fact}-value" for fact in GIVES[input.step]},
                documents=[
                    Document(
                        kind=input.step,
                        department="police",
                        number=f"N-{input.step}",
                        issued_at=datetime.now(UTC),
                    )
                ],
            )

        @activity.defn(name="toy.check")
        async def check(input: StepInput) -> StepOutput:
            return StepOutput(facts={"exists": self.address_exists})

        @activity.defn(name="toy.credit")
        async def credit(input: StepInput) -> StepOutput:
            self.credit.append(input.facts)
            return StepOutput(facts={"credit_record_number": "CR-1"})

        @activity.defn(name="verification.open")
        async def open_verification(input: VerificationInput) -> VerificationOutcome:
            if input.step == self.down:
                raise ApplicationError(
                    "police unreachable at /verifications: TimeoutError",
                    type=DEPARTMENT_UNAVAILABLE,
                )
            status = "confirmed" if input.subject["mode"] == "auto" else "pending"
            return VerificationOutcome(verification_id=f"V-{input.step}", status=status)

        @activity.defn(name="verification.record_answer")
        async def record_answer(input: VerificationAnswerInput) -> VerificationOutcome:
            self.answers.append(input)
            return VerificationOutcome(verification_id=input.verification_id, status=input.answer)

        @activity.defn(name="documents.revoke")
        async def revoke(input: RevokeInput) -> RevokeOutput:
            if input.document.kind == self.down:
                raise ApplicationError(
                    "police answered 503 at /revocations", type=DEPARTMENT_UNAVAILABLE
                )
            self.revoked.append(input.document.kind)
            return RevokeOutput(document=input.document, revoked_at=datetime.now(UTC))

        @activity.defn(name="verification.withdraw")
        async def withdraw(input: WithdrawInput) -> WithdrawOutput:
            self.withdrawn.append((input.provider, input.reason))
            return WithdrawOutput(withdrawn=[f"V-{input.case_id}"])

        return [issue, check, credit, open_verification, record_answer, revoke, withdraw]

    @activity.defn(name="case_updates.publish")
    async def publish(self, input: CaseUpdateInput) -> Published:
        self.updates.append(input.type)
        return Published(topic="t", partition=0, offset=len(self.updates))


async def start(
    env: WorkflowEnvironment,
    stack: AsyncExitStack,
    fakes: Fakes,
    data: ToyData,
    options: CaseOptions | None = None,
) -> WorkflowHandle[Any, CaseView]:
    await stack.enter_async_context(
        Worker(
            env.client,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            workflows=[ToyCase],
            activities=[fakes.publish],
        )
    )
    activities = fakes.activities()
    for department in DEPARTMENTS:
        await stack.enter_async_context(
            Worker(env.client, task_queue=department_task_queue(department), activities=activities)
        )
    case_id = f"toy-{uuid.uuid4().hex[:10]}"
    meta = EventMeta(id="e", source="s", type="toy", subject=case_id, time=datetime.now(UTC))
    return await env.client.start_workflow(
        ToyCase.run,
        ToyInput(case_id=case_id, event=meta, data=data, options=options or CaseOptions()),
        id=case_id,
        task_queue=ORCHESTRATOR_TASK_QUEUE,
    )


async def until(
    handle: WorkflowHandle[Any, CaseView], condition: Callable[[CaseView], bool]
) -> CaseView:
    for _ in range(200):
        view = await handle.query(ToyCase.status)
        if condition(view):
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition never held; last view status {view.status}")


def person_answers(
    step: str, answer: Literal["confirmed", "refused"] = "confirmed"
) -> VerificationAnswerRequest:
    return VerificationAnswerRequest(
        step=step, answer=answer, operator="officer-17", reason="visited"
    )


async def test_a_kept_pledge_is_checked_later_and_the_case_completes(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes(address_exists=True)
    async with AsyncExitStack() as stack:
        handle = await start(
            ts_env, stack, fakes, ToyData(applicant="x", pledge=True, verify="auto")
        )
        view = await handle.result()
    assert view.status == "completed"
    assert [c.outcome for c in view.checks] == ["true"]
    assert fakes.revoked == []
    c_fact = next(f for f in view.facts if f.name == "c")
    assert c_fact.way == "commitment"
    assert not view.sla_breached


async def test_a_false_pledge_revokes_what_it_obtained_newest_first(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes(address_exists=False)
    async with AsyncExitStack() as stack:
        handle = await start(
            ts_env, stack, fakes, ToyData(applicant="x", pledge=True, verify="auto")
        )
        view = await handle.result()
    assert view.status == "revoked"
    assert view.failure is not None
    assert view.failure.type == "FalsePledge"
    # The registrations made on the license go first (in either order: they ran in parallel).
    assert set(fakes.revoked[:2]) == {"reg_e", "reg_f"}
    assert fakes.revoked[-1] == "license_d"
    assert "issue_a" not in fakes.revoked
    revoked = {d.kind for d in view.documents if d.revoked_at is not None}
    assert revoked == {"license_d", "reg_e", "reg_f"}
    assert fakes.credit[0]["revoked_documents"] == [f"N-{k}" for k in fakes.revoked]
    assert fakes.updates[-1] == "onething.case.revoked"


async def test_without_a_pledge_the_material_goes_by_verification(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        handle = await start(
            ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="auto")
        )
        view = await handle.result()
    assert view.status == "completed"
    assert view.checks == []
    assert next(f for f in view.facts if f.name == "c").way == "department_verification"


async def test_a_verification_answered_by_a_person_lets_the_case_go_on(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
            )
        view = await until(handle, lambda v: bool(v.waits))
        assert view.status == "waiting-department"
        assert "police" in view.waiting_on
        assert view.waits[0].step == "verify_b"
        accepted = await handle.execute_update(
            ToyCase.answer_verification, person_answers("verify_b")
        )
        assert accepted.action == "answer_verification"
        view = await handle.result()
    assert view.status == "completed"
    assert [a.operator for a in fakes.answers] == ["officer-17"]
    assert view.actions[0].operator == "officer-17"
    assert view.actions[0].reason == "visited"
    assert not view.sla_breached


async def test_an_answer_to_nothing_pending_is_refused(ts_env: WorkflowEnvironment) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
            )
        await until(handle, lambda v: bool(v.waits))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(ToyCase.answer_verification, person_answers("reg_f"))
        assert "no pending verification" in str(refused.value.cause)
        await handle.execute_update(
            ToyCase.answer_verification, person_answers("verify_b", "refused")
        )
        view = await handle.result()
    assert view.status == "rejected"
    assert view.failure is not None
    assert view.failure.type == "VerificationRefused"


async def test_a_missed_deadline_escalates_and_the_case_still_completes(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        handle = await start(
            ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
        )
        view = await until(handle, lambda v: bool(v.waits) and v.waits[0].breached)
        assert view.status == "waiting-department"
        assert "onething.case.sla-breached" in fakes.updates
        await handle.execute_update(ToyCase.answer_verification, person_answers("verify_b"))
        view = await handle.result()
    assert view.status == "completed"
    assert view.sla_breached


async def test_an_operator_cancel_revokes_every_document_and_ends_cancelled(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
            )
        await until(handle, lambda v: bool(v.waits))
        result = await handle.execute_update(
            ToyCase.cancel, CancelRequest(operator="op-3", reason="applicant withdrew")
        )
        view = await handle.result()
    assert result.status == "cancelled"
    assert view.status == "cancelled"
    assert fakes.updates[-1] == "onething.case.cancelled"
    assert "onething.case.revoked" not in fakes.updates
    assert all(d.revoked_at is not None for d in view.documents)
    assert sorted(fakes.revoked) == sorted(d.kind for d in view.documents)
    assert view.actions[0].action == "cancel"
    assert view.failure is not None
    # The failure names where the case stood: the verification it was waiting on (and any
    # registration still running beside it).
    assert view.failure.type == "CancelledByOperator"
    assert "verify_b" in view.failure.step.split(", ")


async def test_a_death_stops_the_case_without_issuing_more(ts_env: WorkflowEnvironment) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
            )
        await until(handle, lambda v: bool(v.waits))
        await handle.signal(ToyCase.subject_deceased, SubjectDeceased(death_case_id="death-X"))
        view = await handle.result()
    assert view.status == "rejected"
    assert view.failure is not None
    assert view.failure.type == "SubjectDeceased"
    assert "verify_b" in view.failure.step.split(", ")
    assert "reg_e" not in fakes.issued
    assert_stopped_cleanly(view, withdrawn_for="SubjectDeceased", fakes=fakes)


def assert_stopped_cleanly(view: CaseView, *, withdrawn_for: str, fakes: Fakes) -> None:
    """Nothing of the stopped case is left open: no wait, no check, no step pending."""
    assert view.waits == []
    assert view.waiting_on == []
    assert all(check.outcome != "pending" for check in view.checks)
    assert all(step.state not in ("pending", "running") for step in view.steps)
    verify_b = next(s for s in view.steps if s.name == "verify_b")
    assert verify_b.state == "not_run"
    assert verify_b.note is not None
    assert withdrawn_for in verify_b.note
    assert "withdrawn at police" in verify_b.note
    assert fakes.withdrawn == [("police", withdrawn_for)]
    reg_e = next(s for s in view.steps if s.name == "reg_e")
    assert reg_e.state == "not_run"
    assert reg_e.note is not None
    assert withdrawn_for in reg_e.note


async def test_a_cancel_withdraws_the_pending_verification_and_closes_every_wait(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=True, verify="person")
            )
        await until(handle, lambda v: bool(v.waits) and bool(v.checks))
        await handle.execute_update(ToyCase.cancel, CancelRequest(operator="op-3", reason="r"))
        view = await handle.result()
    assert_stopped_cleanly(view, withdrawn_for="CancelledByOperator", fakes=fakes)
    assert [check.outcome for check in view.checks] == ["withdrawn"]


async def test_a_department_rejection_elsewhere_withdraws_the_pending_verification(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes(reject="reg_f")
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=False, verify="person")
            )
            view = await handle.result()
    assert view.status == "rejected"
    assert view.failure is not None
    assert (view.failure.type, view.failure.step) == (DEPARTMENT_REJECTED, "reg_f")
    assert_stopped_cleanly(view, withdrawn_for=DEPARTMENT_REJECTED, fakes=fakes)


async def test_a_refusal_withdraws_the_pending_pledge_check(ts_env: WorkflowEnvironment) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env, stack, fakes, ToyData(applicant="x", pledge=True, verify="person")
            )
        await until(handle, lambda v: bool(v.waits) and bool(v.checks))
        await handle.execute_update(
            ToyCase.answer_verification, person_answers("verify_b", "refused")
        )
        view = await handle.result()
    assert view.status == "rejected"
    assert [check.outcome for check in view.checks] == ["withdrawn"]
    assert view.waits == []
    assert next(s for s in view.steps if s.name == "reg_e").state == "not_run"
    assert fakes.withdrawn == []  # the refused verification was answered: nothing is pending


async def test_a_false_pledge_leaves_nothing_open(ts_env: WorkflowEnvironment) -> None:
    fakes = Fakes(address_exists=False)
    async with AsyncExitStack() as stack:
        handle = await start(
            ts_env, stack, fakes, ToyData(applicant="x", pledge=True, verify="auto")
        )
        view = await handle.result()
    assert view.status == "revoked"
    assert [check.outcome for check in view.checks] == ["false"]
    assert view.waits == []
    assert all(step.state not in ("pending", "running") for step in view.steps)
    assert fakes.withdrawn == []


async def test_a_department_that_is_down_is_retried_in_sight_and_the_case_waits_on_it(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes(down="reg_f")
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env,
                stack,
                fakes,
                ToyData(applicant="x", pledge=False, verify="auto"),
                CaseOptions(retry_backoff=timedelta(seconds=1)),
            )
            view = await until(handle, lambda v: bool(v.retrying))
            attributes = (await handle.describe()).typed_search_attributes
            fakes.down = None
            done = await handle.result()
    [retry] = view.retrying
    assert (retry.step, retry.department, retry.ongoing) == ("reg_f", "tax", True)
    assert retry.attempts >= 2
    assert retry.error_type == DEPARTMENT_UNAVAILABLE
    assert "503" in retry.error_message
    assert retry.next_try_at > retry.first_failed_at
    assert view.status == "waiting-department"
    assert "tax" in view.waiting_on
    assert next(s for s in view.steps if s.name == "reg_f").retry == retry
    assert attributes.get(SA_CASE_STATUS) == "waiting-department"
    assert "tax" in (attributes.get(SA_WAITING_ON) or [])
    assert done.status == "completed"
    assert done.retrying == []
    reg_f = next(s for s in done.steps if s.name == "reg_f")
    assert reg_f.state == "done"
    assert reg_f.retry is not None
    assert not reg_f.retry.ongoing
    assert reg_f.retry.attempts >= retry.attempts


async def test_a_slow_provider_is_retried_in_sight_and_the_verification_goes_on(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes(down="verify_b")
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env,
                stack,
                fakes,
                ToyData(applicant="x", pledge=False, verify="auto"),
                CaseOptions(retry_backoff=timedelta(seconds=1)),
            )
            view = await until(handle, lambda v: bool(v.retrying))
            fakes.down = None
            done = await handle.result()
    [retry] = view.retrying
    assert (retry.step, retry.department) == ("verify_b", "police")
    assert "TimeoutError" in retry.error_message
    assert view.status == "waiting-department"
    assert "police" in view.waiting_on
    assert done.status == "completed"
    assert next(s for s in done.steps if s.name == "verify_b").state == "done"


async def test_a_revocation_at_a_department_that_is_down_is_retried_in_sight(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(
                ts_env,
                stack,
                fakes,
                ToyData(applicant="x", pledge=False, verify="person"),
                CaseOptions(retry_backoff=timedelta(seconds=1)),
            )
            await until(handle, lambda v: bool(v.waits))
            fakes.down = "issue_a"
            cancelling = asyncio.ensure_future(
                handle.execute_update(ToyCase.cancel, CancelRequest(operator="op-3", reason="r"))
            )
            view = await until(handle, lambda v: bool(v.retrying))
            fakes.down = None
            await cancelling
            done = await handle.result()
    [retry] = view.retrying
    assert (retry.step, retry.department) == ("issue_a", "police")
    assert "police" in view.waiting_on
    assert done.retrying == []
    assert all(d.revoked_at is not None for d in done.documents)


async def waiting_on_police_for_the_pledge(
    handle: WorkflowHandle[Any, CaseView],
) -> CaseView:
    """The case once the verification standing in for the pledge waits for a person."""
    view = await until(handle, lambda v: bool(v.waits))
    assert view.status == "waiting-department"
    assert "police" in view.waiting_on
    (wait,) = view.waits
    # The wait is shown, and answered, under the step the case view lists.
    assert (wait.step, wait.provider) == ("pledge_c", "police")
    assert next(s for s in view.steps if s.name == "pledge_c").state == "running"
    attributes = (await handle.describe()).typed_search_attributes
    assert "police" in (attributes.get(SA_WAITING_ON) or [])
    assert attributes.get(SA_CASE_STATUS) == "waiting-department"
    return view


async def test_a_fallback_verification_waits_for_a_person_and_their_answer_completes_it(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    data = ToyData(applicant="x", pledge=False, verify="auto", fallback="person")
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(ts_env, stack, fakes, data)
        await waiting_on_police_for_the_pledge(handle)
        await handle.execute_update(ToyCase.answer_verification, person_answers("pledge_c"))
        view = await handle.result()
    assert view.status == "completed"
    assert next(f for f in view.facts if f.name == "c").way == "department_verification"
    assert [(a.verification_id, a.answer) for a in fakes.answers] == [("V-verify_c", "confirmed")]
    assert view.actions[0].step == "pledge_c"
    assert view.checks == []
    assert view.waits == []


async def test_a_refused_fallback_verification_rejects_the_case(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    data = ToyData(applicant="x", pledge=False, verify="auto", fallback="person")
    async with AsyncExitStack() as stack:
        with ts_env.with_time_skipping_disabled():
            handle = await start(ts_env, stack, fakes, data)
        await waiting_on_police_for_the_pledge(handle)
        await handle.execute_update(
            ToyCase.answer_verification, person_answers("pledge_c", "refused")
        )
        view = await handle.result()
    assert view.status == "rejected"
    assert view.failure is not None
    assert (view.failure.type, view.failure.step) == ("VerificationRefused", "pledge_c")
    assert "license_d" not in fakes.issued
    assert fakes.updates[-1] == "onething.case.rejected"


async def test_a_fallback_verification_past_its_deadline_escalates_and_still_completes(
    ts_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    data = ToyData(applicant="x", pledge=False, verify="auto", fallback="person")
    async with AsyncExitStack() as stack:
        handle = await start(ts_env, stack, fakes, data)
        view = await until(handle, lambda v: bool(v.waits) and v.waits[0].breached)
        assert view.status == "waiting-department"
        assert view.waits[0].step == "pledge_c"
        assert "onething.case.sla-breached" in fakes.updates
        await handle.execute_update(ToyCase.answer_verification, person_answers("pledge_c"))
        view = await handle.result()
    assert view.status == "completed"
    assert view.sla_breached
