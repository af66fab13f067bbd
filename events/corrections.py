"""A second event for a case key: the case judges it a redelivery or a correction."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from events.case_starter import event_meta
from events.models import InputEvent
from workflows.models import CaseInput, EventReceived, EventVerdict

#: A case answers at once; past this the bridge treats Temporal as unavailable and retries.
UPDATE_TIMEOUT = timedelta(seconds=20)


async def deliver_to_case(client: Client, case_id: str, event: InputEvent) -> EventVerdict:
    """Let the existing case judge ``event``; a closed case compares it with its own trigger.

    Returns:
        ``duplicate`` (nothing to do), ``applied`` or ``rejected`` (with the reason).
    """
    handle = client.get_workflow_handle(case_id)
    received = EventReceived(event=event_meta(event), data=event.data.model_dump(mode="json"))
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
