"""Fake departments for every bundle, and recording of their histories for the replay test.

``python -m tests.unit.workflows.recording`` runs one case of each bundle against fake activities
on a throwaway dev server and writes each history to ``histories/``. Re-record only on purpose:
the replay test exists to prove that changed workflow code still replays the old histories.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.activity import _Definition as ActivityDefinition
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.models import (
    RevokeInput,
    RevokeOutput,
    VerificationAnswerInput,
    VerificationInput,
    VerificationOutcome,
    WithdrawInput,
    WithdrawOutput,
)
from activities.registry import COMMON_ACTIVITIES, DEPARTMENT_ACTIVITIES
from events.models import EventMeta
from events.parsing import Rejection, parse_event
from events.samples import sample_event
from onething.constants import (
    DEPARTMENTS,
    EVENT_TYPES,
    ORCHESTRATOR_TASK_QUEUE,
    case_id,
    department_task_queue,
)
from workflows.changes import CURRENT
from workflows.models import (
    CancelRequest,
    CaseOptions,
    CaseUpdateInput,
    CaseView,
    Document,
    Published,
    StepInput,
    StepOutput,
    VerificationAnswerRequest,
)
from workflows.registry import WORKFLOWS
from workflows.steps import Commitment, Step

HISTORIES = Path(__file__).with_name("histories")

#: Values of facts that later steps read (the rest are opaque strings).
FACT_VALUES: dict[str, Any] = {
    "birth_date": "1965-03-01",
    "sex": "M",
    "alive": True,
    "contribution_months": 420,
    "employment_summary": {"employers": 2, "last_employer": "x"},
    "monthly_pension_cny": 4200,
    "parents_marriage": {"married": True, "marriage_number": "M-1"},
    "next_of_kin": [],
    "open_case_ids": [],
    "representative_alive": True,
    "may_pledge": True,
    "address_exists": False,
}


def _steps() -> dict[str, Step]:
    """Every activity step of every bundle (and their checks and credit steps), by activity name."""
    found: dict[str, Step] = {}
    for workflow, _ in WORKFLOWS.values():
        for step in workflow.steps:
            candidates = [step] + (
                [step.check, step.credit] if isinstance(step, Commitment) else []
            )
            for candidate in candidates:
                if not isinstance(candidate, Step):
                    continue
                name = ActivityDefinition.must_from_callable(candidate.activity).name
                if name is not None:
                    found[name] = candidate
    return found


def fake_activities() -> list[Callable[..., Any]]:
    """Fakes under the real activity names of every department and common activity."""
    steps = _steps()
    fakes: list[Callable[..., Any]] = []
    for name, step in steps.items():
        fakes.append(_fake_step(name, step))

    @activity.defn(name="verification.open")
    async def open_verification(input: VerificationInput) -> VerificationOutcome:
        status = "pending" if input.kind == "death_outside_hospital" else "confirmed"
        return VerificationOutcome(verification_id=f"V-{input.step}", status=status)

    @activity.defn(name="verification.record_answer")
    async def record_answer(input: VerificationAnswerInput) -> VerificationOutcome:
        return VerificationOutcome(verification_id=input.verification_id, status=input.answer)

    @activity.defn(name="documents.revoke")
    async def revoke(input: RevokeInput) -> RevokeOutput:
        return RevokeOutput(document=input.document, revoked_at=datetime(2026, 1, 2, tzinfo=UTC))

    @activity.defn(name="verification.withdraw")
    async def withdraw(input: WithdrawInput) -> WithdrawOutput:
        return WithdrawOutput(withdrawn=[])

    assert {ActivityDefinition.must_from_callable(a).name for a in COMMON_ACTIVITIES} == {
        "verification.open",
        "verification.record_answer",
        "verification.withdraw",
        "documents.revoke",
    }
    return [*fakes, open_verification, record_answer, withdraw, revoke]


def _fake_step(name: str, step: Step) -> Callable[..., Any]:
    @activity.defn(name=name)
    async def fake(input: StepInput) -> StepOutput:
        return StepOutput(
            facts={fact: FACT_VALUES.get(fact, f"{fact}-1") for fact in step.gives},
            documents=[
                Document(
                    kind=step.name,
                    department=step.department,
                    number=f"N-{step.name}",
                    issued_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            ],
        )

    return fake


@activity.defn(name="case_updates.publish")
async def fake_publish(input: CaseUpdateInput) -> Published:
    """Publishing, faked."""
    return Published(topic="onething.case-updates", partition=0, offset=0)


async def workers(client: Client, stack: AsyncExitStack) -> None:
    """Start the real workflows and the fake activities on their real task queues."""
    await stack.enter_async_context(
        Worker(
            client,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            workflows=[workflow for workflow, _ in WORKFLOWS.values()],
            activities=[fake_publish],
        )
    )
    activities = fake_activities()
    for department in DEPARTMENTS:
        wanted = {
            ActivityDefinition.must_from_callable(a).name for a in DEPARTMENT_ACTIVITIES[department]
        }
        wanted |= {ActivityDefinition.must_from_callable(a).name for a in COMMON_ACTIVITIES}
        mine = [a for a in activities if ActivityDefinition.must_from_callable(a).name in wanted]
        await stack.enter_async_context(
            Worker(client, task_queue=department_task_queue(department), activities=mine)
        )


SCENARIOS: dict[str, dict[str, Any]] = {
    "newborn": sample_event("newborn", 1),
    # Recorded after the vaccination-record-under-id-number patch; "newborn" is from before it.
    "newborn-patched": sample_event("newborn", 2),
    "retirement": sample_event("retirement", 1),
    "death-at-home": sample_event("death", 1, place="home"),
    "business-false-pledge": sample_event("business", 1, false_address=True),
    # Both changes through workflow.patched: a case started before the bridge named them.
    "newborn-both-patches": sample_event("newborn", 4),
    # Started as the bridge starts cases now: the engine's changes named in the input, no markers.
    "newborn-changes": sample_event("newborn", 3),
    # Cancelled by an operator while waiting for police, before cancelling ended a case
    # ``cancelled``: it must still end ``revoked`` when replayed.
    "death-cancelled": sample_event("death", 5, place="home"),
    # The same, started by today's bridge: it ends ``cancelled``, its flags kept in its memo.
    "death-cancelled-changes": sample_event("death", 6, place="home"),
    # Answered past the verification's deadline: the miss is kept in the case's memo.
    "death-late-changes": sample_event("death", 7, place="home"),
}
#: The scenarios started with ``CaseOptions.changes`` naming every change.
CHANGES_NAMED = frozenset({"newborn-changes", "death-cancelled-changes", "death-late-changes"})


async def start(
    client: Client, event: dict[str, Any], *, changes: bool = False
) -> WorkflowHandle[Any, CaseView]:
    """Start the case an event asks for, as the bridge would (naming the changes if asked)."""
    topic, bundle = EVENT_TYPES[event["type"]]
    parsed = parse_event(json.dumps(event).encode(), topic=topic)
    assert not isinstance(parsed, Rejection), parsed
    _, input_model = WORKFLOWS[bundle]
    case_input = input_model.model_validate(
        {
            "case_id": case_id(bundle, parsed.subject),
            "event": EventMeta(
                id=parsed.id,
                source=parsed.source,
                type=parsed.type,
                subject=parsed.subject,
                time=parsed.time,
            ),
            "data": parsed.data,
            "options": CaseOptions(changes=CURRENT if changes else ()),
        }
    )
    return await client.start_workflow(
        bundle,
        case_input,
        id=case_input.case_id,
        task_queue=ORCHESTRATOR_TASK_QUEUE,
        result_type=CaseView,
    )


async def record(names: list[str]) -> None:
    """Run the named scenarios (all when none) on a time-skipping server; write their histories."""
    from tests.helpers.temporal import start_time_skipping_temporal

    env = await start_time_skipping_temporal()
    try:
        async with AsyncExitStack() as stack:
            await workers(env.client, stack)
            for name, event in SCENARIOS.items():
                if names and name not in names:
                    continue
                handle = await start(env.client, event, changes=name in CHANGES_NAMED)
                if name.startswith("death-"):
                    for _ in range(100):
                        view = await handle.query("status", result_type=CaseView)
                        late = name == "death-late-changes"
                        if view.waits and (view.waits[0].breached or not late):
                            break
                        await asyncio.sleep(0.1)
                if name.startswith("death-cancelled"):
                    await handle.execute_update(
                        "cancel", CancelRequest(operator="op-1", reason="recorded history")
                    )
                elif name in ("death-at-home", "death-late-changes"):
                    await handle.execute_update(
                        "answer_verification",
                        VerificationAnswerRequest(
                            step="death_verification",
                            answer="confirmed",
                            operator="officer-1",
                            reason="recorded history",
                        ),
                    )
                view = await handle.result()
                history = await handle.fetch_history()
                HISTORIES.mkdir(exist_ok=True)
                (HISTORIES / f"{name}.json").write_text(history.to_json())
                print(f"{name}: {view.status}, {len(history.events)} events")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:]))
