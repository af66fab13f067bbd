"""Starting a case from a validated event, exactly once per case key."""

from __future__ import annotations

from enum import Enum

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from events.models import EventMeta, InputEvent
from onething.constants import (
    EVENT_TYPES,
    ORCHESTRATOR_TASK_QUEUE,
    SA_BUNDLE,
    SA_CASE_STATUS,
    SA_WAITING_ON,
    case_id,
)
from onething.crypto.scope import id_numbers_in, sign_scope
from onething.settings import Settings
from workflows.changes import CURRENT
from workflows.models import CaseOptions
from workflows.registry import WORKFLOWS


def event_meta(event: InputEvent) -> EventMeta:
    """The attributes of an event, without its data."""
    return EventMeta(
        id=event.id, source=event.source, type=event.type, subject=event.subject, time=event.time
    )


class StartOutcome(Enum):
    """What became of an event that asked for a case."""

    STARTED = "started"
    ALREADY_EXISTS = "already_exists"


async def start_case(
    client: Client, event: InputEvent, settings: Settings
) -> tuple[str, StartOutcome]:
    """Start the case an event asks for, unless a case with its key exists (open or closed).

    Returns:
        The case ID and whether this call started it.
    """
    bundle = EVENT_TYPES[event.type][1]
    _, input_model = WORKFLOWS[bundle]
    the_case_id = case_id(bundle, event.subject)
    case_input = input_model.model_validate(
        {
            "case_id": the_case_id,
            "event": event_meta(event),
            "data": event.data,
            "scope": sign_scope(
                settings, the_case_id, id_numbers_in(event.data.model_dump(mode="json"))
            ),
            "options": CaseOptions(
                sla=settings.sla_for(bundle),
                verification_deadline=settings.verification_deadline,
                pledge_check_after=settings.pledge_check_after,
                changes=CURRENT,
            ),
        }
    )
    try:
        await client.start_workflow(
            bundle,
            case_input,
            id=the_case_id,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            # A closed case is never started again either: one key, one case, ever.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(SA_BUNDLE, bundle),
                    SearchAttributePair(SA_CASE_STATUS, "running"),
                    SearchAttributePair(SA_WAITING_ON, []),
                ]
            ),
        )
    except WorkflowAlreadyStartedError:
        return the_case_id, StartOutcome.ALREADY_EXISTS
    return the_case_id, StartOutcome.STARTED
