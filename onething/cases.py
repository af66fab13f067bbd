"""Reading cases from Temporal: the list by search attributes, one case's view and timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from onething.constants import SA_BUNDLE, SA_CASE_STATUS, SA_WAITING_ON
from workflows.models import CaseView


class CaseNotFoundError(LookupError):
    """No case has that ID."""


class CaseSummary(BaseModel):
    """One line of ``onething cases``."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    bundle: str | None
    status: str | None
    waiting_on: list[str]
    started_at: datetime | None
    closed_at: datetime | None


class TimelineEntry(BaseModel):
    """One moment in a case's history."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    event: str
    detail: str = ""


def list_query(
    *,
    bundle: str | None = None,
    status: str | None = None,
    waiting_on: str | None = None,
    started_before: datetime | None = None,
    started_after: datetime | None = None,
) -> str:
    """A visibility query over the contract's search attributes (never over personal data).

    Args:
        bundle: Only cases of this bundle.
        status: Only cases with this ``CaseStatus``.
        waiting_on: Only cases waiting on this department.
        started_before: Only cases started before this moment (older ones).
        started_after: Only cases started after this moment (newer ones).

    Returns:
        The query.

    Raises:
        ValueError: A filter is not a plain name, or a moment has no time zone.
    """
    clauses = ["Bundle IS NOT NULL"]
    for key, value in (("Bundle", bundle), ("CaseStatus", status), ("WaitingOn", waiting_on)):
        if value is not None:
            if not value.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"{key} filter must be a plain name, not {value[:40]!r}")
            clauses.append(f"{key} = '{value}'")
    for operator, moment in (("<", started_before), (">", started_after)):
        if moment is not None:
            clauses.append(f"StartTime {operator} '{_rfc3339(moment)}'")
    return " AND ".join(clauses)


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a start-time filter needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def list_cases(client: Client, query: str, *, limit: int = 200) -> list[CaseSummary]:
    """The newest cases matching ``query``."""
    cases = []
    async for execution in client.list_workflows(query, limit=limit):
        attributes = execution.typed_search_attributes
        cases.append(
            CaseSummary(
                case_id=execution.id,
                bundle=attributes.get(SA_BUNDLE),
                status=attributes.get(SA_CASE_STATUS),
                waiting_on=list(attributes.get(SA_WAITING_ON) or []),
                started_at=execution.start_time,
                closed_at=execution.close_time,
            )
        )
    return cases


async def case_view(client: Client, case_id: str) -> CaseView:
    """The case view: the result of a closed case, the ``status`` query of an open one."""
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    try:
        description = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise CaseNotFoundError(case_id) from None
        raise
    if description.status == WorkflowExecutionStatus.COMPLETED:
        view: CaseView = await handle.result()
        return view
    status: CaseView = await handle.query("status", result_type=CaseView)
    return status


_SHOWN: dict[int, str] = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "case started",
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "asked",
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "answered",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "failed",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "timed out",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "case closed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "case failed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "case terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "case cancelled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal",
}


async def timeline(client: Client, case_id: str) -> list[TimelineEntry]:
    """The case's history, one entry per step asked and answered (from Temporal's events)."""
    history = await client.get_workflow_handle(case_id).fetch_history()
    scheduled: dict[int, str] = {}
    entries = []
    for event in history.events:
        label = _SHOWN.get(event.event_type)
        if label is None:
            continue
        detail = ""
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs: Any = event.activity_task_scheduled_event_attributes
            detail = scheduled[event.event_id] = attrs.activity_type.name
        elif event.HasField("activity_task_completed_event_attributes"):
            detail = scheduled.get(
                event.activity_task_completed_event_attributes.scheduled_event_id, ""
            )
        elif event.HasField("activity_task_failed_event_attributes"):
            detail = scheduled.get(
                event.activity_task_failed_event_attributes.scheduled_event_id, ""
            )
        elif event.HasField("workflow_execution_signaled_event_attributes"):
            detail = event.workflow_execution_signaled_event_attributes.signal_name
        entries.append(
            TimelineEntry(at=event.event_time.ToDatetime(tzinfo=UTC), event=label, detail=detail)
        )
    return entries
