"""A second event for a case key: the case judges it a redelivery or a correction."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from events.case_starter import event_meta
from events.models import InputEvent
from onething.crypto.scope import id_numbers_in, sign_scope
from onething.settings import Settings
from workflows.models import CaseInput, EventReceived, EventVerdict

#: A case answers at once; past this the bridge treats Temporal as unavailable and retries.
UPDATE_TIMEOUT = timedelta(seconds=20)


async def deliver_to_case(
    client: Client, case_id: str, event: InputEvent, settings: Settings | None = None
) -> EventVerdict:
    """Let the existing case judge ``event``; a closed case compares it with its own trigger.

    Args:
        client: The Temporal client.
        case_id: The case its key belongs to.
        event: The new event.
        settings: Sign the corrected event's scope with these; no new scope when None.

    Returns:
        ``duplicate`` (nothing to do), ``applied`` or ``rejected`` (with the reason).
    """
    handle = client.get_workflow_handle(case_id)
    data = event.data.model_dump(mode="json")
    # A correction may name other people (a new informant): the case gets their scope with it.
    scope = None if settings is None else sign_scope(settings, case_id, id_numbers_in(data))
    received = EventReceived(event=event_meta(event), data=data, scope=scope)
    try:
        verdict: EventVerdict = await handle.execute_update(
            "receive_event", received, result_type=EventVerdict, rpc_timeout=UPDATE_TIMEOUT
        )
        return verdict
    except WorkflowUpdateFailedError as err:
        return EventVerdict(case_id=case_id, outcome="rejected", reason=str(err.cause or err))
    except RPCError as err:
        if err.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise
    # The case has closed: only its own trigger event, delivered again, is harmless.
    if await _trigger_event_id(client, case_id) == event.id:
        return EventVerdict(case_id=case_id, outcome="duplicate", reason="redelivered")
    return EventVerdict(
        case_id=case_id,
        outcome="rejected",
        reason="the case has ended; a new event cannot change it",
    )


async def _trigger_event_id(client: Client, case_id: str) -> str:
    history = await client.get_workflow_handle(case_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (case_input,) = await client.data_converter.decode(started.input.payloads, [CaseInput])
    assert isinstance(case_input, CaseInput)
    return case_input.event.id
