"""The newborn workflow on the case engine, with fake department activities."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.activity import _Definition as _ActivityDefinition
from temporalio.api.enums.v1 import EventType
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.errors import DEPARTMENT_REJECTED
from events.models import BirthEvent, EventMeta
from onething.constants import DEPARTMENTS, ORCHESTRATOR_TASK_QUEUE, department_task_queue
from tests.helpers.samples import birth_event
from workflows.changes import (
    ASKED_ONLY_OFF_THE_NORMAL_FLOW,
    CASE_SCOPE_ON_EVERY_STEP,
    CURRENT,
    SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING,
    VACCINATION_RECORD_UNDER_ID_NUMBER,
)
from workflows.models import (
    CaseOptions,
    CaseUpdateInput,
    CaseView,
    Document,
    NewbornInput,
    Published,
    StepInput,
    StepOutput,
)
from workflows.newborn import NEWBORN_STEPS, NewbornCase

NEWBORN_DOCUMENTS = {
    "birth_medical_certificate": "health",
    "vaccination_record": "health",
    "household_registration": "police",
    "medical_insurance_enrollment": "social_security",
    "social_security_card": "social_security",
    "infant_care_tax_deduction": "tax",
    "maternity_benefit": "social_security",
}


class FakeDepartments:
    """Fake activities under the real activity names; they record what each step was given."""

    def __init__(self, *, insured: bool = True, reject: str | None = None) -> None:
        self.given: dict[str, set[str]] = {}
        self.updates: list[str] = []
        self.insured = insured
        self.reject = reject

    def activities(self, department: str) -> list[Callable[..., Any]]:
        return [self._fake(step.name) for step in NEWBORN_STEPS if step.department == department]

    def _fake(self, step_name: str) -> Callable[..., Any]:
        step = next(s for s in NEWBORN_STEPS if s.name == step_name)
        real_name = _ActivityDefinition.must_from_callable(step.activity).name

        @activity.defn(name=real_name)
        async def fake(input: StepInput) -> StepOutput:
            self.given[step.name] = set(input.facts)
            if step.name == self.reject:
                raise ApplicationError(
                    "police refused: person_not_found", type=DEPARTMENT_REJECTED, non_retryable=True
                )
            if step.name == "maternity_benefit" and not self.insured:
                return StepOutput(skipped="the mother is not insured")
            if step.name == "parents_marriage":
                return StepOutput(
                    facts={"parents_marriage": {"married": True, "marriage_number": "M1"}}
                )
            return StepOutput(
                facts={fact: f"{fact}-value" for fact in step.gives},
                documents=[
                    Document(
                        kind=step.name,
                        department=step.department,
                        number=f"N-{step.name}",
                        issued_at=datetime.now(UTC),
                    )
                ],
            )

        return fake

    @activity.defn(name="case_updates.publish")
    async def publish(self, input: CaseUpdateInput) -> Published:
        self.updates.append(input.type)
        return Published(topic="onething.case-updates", partition=0, offset=len(self.updates))


async def run_case(
    env: WorkflowEnvironment,
    fakes: FakeDepartments,
    event: dict[str, Any],
    *,
    changes: tuple[str, ...] = CURRENT,
) -> CaseView:
    parsed = BirthEvent.model_validate(event)
    case_input = NewbornInput(
        case_id=f"newborn-{parsed.subject}",
        event=EventMeta(
            id=parsed.id,
            source=parsed.source,
            type=parsed.type,
            subject=parsed.subject,
            time=parsed.time,
        ),
        data=parsed.data,
        options=CaseOptions(changes=changes),
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            Worker(
                env.client,
                task_queue=ORCHESTRATOR_TASK_QUEUE,
                workflows=[NewbornCase],
                activities=[fakes.publish],
            )
        )
        for department in DEPARTMENTS:
            activities = fakes.activities(department)
            if activities:
                await stack.enter_async_context(
                    Worker(
                        env.client,
                        task_queue=department_task_queue(department),
                        activities=activities,
                    )
                )
        return await env.client.execute_workflow(
            NewbornCase.run, case_input, id=case_input.case_id, task_queue=ORCHESTRATOR_TASK_QUEUE
        )


def subject() -> str:
    return f"T-{uuid.uuid4().hex[:12]}"


async def test_completes_with_every_document_from_the_event_alone(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments()
    view = await run_case(temporal_env, fakes, birth_event(subject()))

    assert view.status == "completed"
    assert {d.kind: d.department for d in view.documents} == NEWBORN_DOCUMENTS
    assert view.citizen_inputs == ["hospital", "child", "mother", "father", "household_parent"]
    assert fakes.updates == ["onething.case.started", "onething.case.completed"]
    sources = {f.name: (f.source, f.way) for f in view.facts}
    assert sources["parents_marriage"] == ("civil_affairs", "data_query")
    assert sources["child_id_number"] == ("police", "issued")


async def test_each_step_is_given_only_the_facts_it_declares(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments()
    await run_case(temporal_env, fakes, birth_event(subject()))

    # New cases take each step's patched needs, if it has been changed since.
    expected = {s.name: set(s.patch.needs if s.patch else s.needs) for s in NEWBORN_STEPS}
    assert fakes.given == expected


async def test_without_a_father_the_marriage_query_is_skipped(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments()
    view = await run_case(temporal_env, fakes, birth_event(subject(), father=False))

    assert view.status == "completed"
    assert "parents_marriage" not in fakes.given
    assert "father" not in view.citizen_inputs
    marriage = next(s for s in view.steps if s.name == "parents_marriage")
    assert marriage.state == "skipped"


async def test_an_uninsured_mother_gets_no_maternity_benefit(
    temporal_env: WorkflowEnvironment,
) -> None:
    view = await run_case(temporal_env, FakeDepartments(insured=False), birth_event(subject()))

    assert view.status == "completed"
    assert "maternity_benefit" not in {d.kind for d in view.documents}
    assert len(view.documents) == len(NEWBORN_DOCUMENTS) - 1


async def test_a_department_refusal_rejects_the_case_visibly(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments(reject="household_registration")
    view = await run_case(temporal_env, fakes, birth_event(subject()))

    assert view.status == "rejected"
    assert view.failure is not None
    assert (view.failure.step, view.failure.type) == ("household_registration", DEPARTMENT_REJECTED)
    assert "social_security_card" not in fakes.given
    assert fakes.updates[-1] == "onething.case.rejected"


async def _event_types(env: WorkflowEnvironment, view: CaseView) -> list[int]:
    history = await env.client.get_workflow_handle(view.case_id).fetch_history()
    return [event.event_type for event in history.events]


async def test_a_case_named_the_changes_takes_them_with_one_search_attribute_upsert(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments()
    view = await run_case(temporal_env, fakes, birth_event(subject()))

    events = await _event_types(temporal_env, view)
    assert EventType.EVENT_TYPE_MARKER_RECORDED not in events
    # The case's status at its end, and no TemporalChangeVersion upsert per change.
    assert events.count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) == 1
    assert "child_id_number" in fakes.given["vaccination_record"]
    assert view.status == "completed"


async def test_a_case_that_names_no_changes_asks_workflow_patched_as_before(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = FakeDepartments()
    view = await run_case(temporal_env, fakes, birth_event(subject()), changes=())

    events = await _event_types(temporal_env, view)
    # The changes every newborn case asks about; the others only when their moment comes (a
    # cancel, a missed deadline, a department down) or in other bundles.
    asked = (
        VACCINATION_RECORD_UNDER_ID_NUMBER,
        SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING,
        CASE_SCOPE_ON_EVERY_STEP,
    )
    assert not set(asked) & set(ASKED_ONLY_OFF_THE_NORMAL_FLOW)
    assert events.count(EventType.EVENT_TYPE_MARKER_RECORDED) == len(asked)
    assert events.count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) == 1 + len(asked)
    # patched() is true for a case that is not replaying, so it takes the change all the same.
    assert "child_id_number" in fakes.given["vaccination_record"]
