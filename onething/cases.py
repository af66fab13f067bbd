"""Reading cases from Temporal: the list by search attributes, one case's view and timeline."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onething.constants import MEMO_FLAGS, SA_BUNDLE, SA_CASE_STATUS, SA_WAITING_ON
from workflows.models import CaseFlags, CaseView


class CaseNotFoundError(LookupError):
    """No case has that ID."""


class StuckTask(BaseModel):
    """Why a case's workflow task fails on every attempt: its code cannot go on until fixed.

    Such a case answers no query and changes no search attribute, so its own ``status`` still
    says what it said before; only Temporal knows it is stuck.
    """

    model_config = ConfigDict(frozen=True)

    failure_type: str
    message: str
    attempts: int
    since: datetime | None = None


class CaseSummary(BaseModel):
    """One line of ``onething cases``."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    bundle: str | None
    status: str | None
    waiting_on: list[str]
    started_at: datetime | None
    closed_at: datetime | None
    stuck: StuckTask | None = None
    #: A deadline was missed (a verification's, or the case's SLA).
    overdue: bool = False
    #: Every document is out; only the pledge check, due then, is still to come.
    pledge_check_due: datetime | None = None


class CaseStuckError(RuntimeError):
    """The case's workflow task fails on every attempt, so it cannot show its view.

    Attributes:
        summary: The case as Temporal lists it, with what failed in ``summary.stuck``.
    """

    def __init__(self, summary: CaseSummary) -> None:
        assert summary.stuck is not None
        super().__init__(f"{summary.case_id} is stuck: {summary.stuck.failure_type}")
        self.summary = summary


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
    open_only: bool = False,
) -> str:
    """A visibility query over the contract's search attributes (never over personal data).

    Args:
        bundle: Only cases of this bundle.
        status: Only cases with this ``CaseStatus``.
        waiting_on: Only cases waiting on this department.
        started_before: Only cases started before this moment (older ones).
        started_after: Only cases started after this moment (newer ones).
        open_only: Only cases whose workflow is still running.

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
    if open_only:
        clauses.append("ExecutionStatus = 'Running'")
    return " AND ".join(clauses)


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a start-time filter needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Open cases described at once while looking for stuck ones.
_DESCRIBE_CONCURRENCY = 16
#: What a failure message may show: no run of digits that could be an ID or phone number, no
#: Chinese text that could be a name or an address.
_PERSONAL = re.compile(r"\d{6,}[\dXx]*|[\u3400-\u9fff\uf900-\ufaff]+")
_MESSAGE_LENGTH = 200
#: A workflow task failed for these only because something arrived while it ran: not stuck.
_BENIGN_CAUSES = frozenset(
    {
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
    }
)


async def list_cases(
    client: Client, query: str, *, limit: int = 200, look_for_stuck: bool = False
) -> list[CaseSummary]:
    """The newest cases matching ``query``.

    Args:
        client: The Temporal client (with the project's data converter, to read failures).
        query: From :func:`list_query`.
        limit: At most this many cases.
        look_for_stuck: Describe every open case to find those whose workflow task fails
            (one more call per open case), and say what failed in ``CaseSummary.stuck``.

    Returns:
        The cases, newest first.
    """
    cases = [
        _summary(execution, await _flags(execution))
        async for execution in client.list_workflows(query, limit=limit)
    ]
    if not look_for_stuck:
        return cases
    gate = asyncio.Semaphore(_DESCRIBE_CONCURRENCY)

    async def look(case: CaseSummary) -> CaseSummary:
        if case.closed_at is not None:
            return case
        async with gate:
            try:
                description = await client.get_workflow_handle(case.case_id).describe()
            except RPCError:
                return case
            stuck = await stuck_task(client, description)
        return case.model_copy(update={"stuck": stuck})

    return list(await asyncio.gather(*(look(case) for case in cases)))


def _summary(execution: WorkflowExecution, flags: CaseFlags | None = None) -> CaseSummary:
    attributes = execution.typed_search_attributes
    flags = flags or CaseFlags()
    return CaseSummary(
        case_id=execution.id,
        bundle=attributes.get(SA_BUNDLE),
        status=attributes.get(SA_CASE_STATUS),
        waiting_on=list(attributes.get(SA_WAITING_ON) or []),
        started_at=execution.start_time,
        closed_at=execution.close_time,
        overdue=flags.overdue,
        pledge_check_due=flags.pledge_check_due if execution.close_time is None else None,
    )


async def _flags(execution: WorkflowExecution) -> CaseFlags | None:
    if MEMO_FLAGS not in execution.raw_info.memo.fields:
        return None
    flags: CaseFlags = await execution.memo_value(MEMO_FLAGS, type_hint=CaseFlags)
    return flags


def case_events(view: CaseView) -> list[TimelineEntry]:
    """What the case's own view adds to its timeline: deadlines missed, documents all out."""
    entries = []
    for missed in view.deadlines_missed:
        what = f"{missed.step} ({missed.provider})" if missed.step else "the case's SLA"
        entries.append(
            TimelineEntry(
                at=missed.at,
                event="deadline missed",
                detail=f"{what}, due {missed.deadline.isoformat(timespec='seconds')}",
            )
        )
    if view.steps_done_at is not None and view.checks:
        entries.append(
            TimelineEntry(
                at=view.steps_done_at, event="all steps done", detail="pledge checks to come"
            )
        )
    return entries


async def stuck_task(client: Client, description: WorkflowExecutionDescription) -> StuckTask | None:
    """What fails, if the case's workflow task has failed and is being tried again.

    Args:
        client: The Temporal client (with the project's data converter, to read the failure).
        description: The case's workflow, as just described.

    Returns:
        The failure's type and message (with anything that could be personal data masked),
        the attempts so far and when it first failed; None when the case is not stuck.
    """
    raw = description.raw_description
    if description.status != WorkflowExecutionStatus.RUNNING or not raw.HasField(
        "pending_workflow_task"
    ):
        return None
    attempts = raw.pending_workflow_task.attempt
    if attempts < 2:
        return None
    failed = None
    history = await client.get_workflow_handle(description.id).fetch_history()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            failed = event
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            failed = None
    if failed is None:
        return StuckTask(failure_type="WorkflowTaskFailed", message="", attempts=attempts)
    attrs = failed.workflow_task_failed_event_attributes
    if attrs.cause in _BENIGN_CAUSES:
        return None
    failure_type = _cause(attrs.cause)
    message = ""
    if attrs.HasField("failure"):
        error = await client.data_converter.decode_failure(attrs.failure)
        if isinstance(error, ApplicationError):
            failure_type, message = error.type or failure_type, error.message
        else:
            failure_type, message = type(error).__name__, str(error)
    return StuckTask(
        failure_type=failure_type,
        message=mask_personal(message),
        attempts=attempts,
        since=failed.event_time.ToDatetime(tzinfo=UTC),
    )


def _cause(cause: WorkflowTaskFailedCause.ValueType) -> str:
    name = WorkflowTaskFailedCause.Name(cause).removeprefix("WORKFLOW_TASK_FAILED_CAUSE_")
    return "".join(word.capitalize() for word in name.split("_"))


def mask_personal(message: str) -> str:
    """The first line of ``message``, short, with what could be personal data masked.

    Runs of six or more digits (an ID or phone number) and Chinese text (a name, an address)
    become ``…``: a failure's message comes from code that may quote the values it handled.
    """
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    return _PERSONAL.sub("…", first_line)[:_MESSAGE_LENGTH]


async def case_view(client: Client, case_id: str) -> CaseView:
    """The case view: the result of a closed case, the ``status`` query of an open one.

    Raises:
        CaseNotFoundError: No such case.
        CaseStuckError: Its workflow task fails on every attempt, so it cannot answer.
    """
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
    stuck = await stuck_task(client, description)
    if stuck is not None:
        raise CaseStuckError(_summary(description).model_copy(update={"stuck": stuck}))
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
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: "workflow task failed",
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
        elif event.HasField("workflow_task_failed_event_attributes"):
            cause = event.workflow_task_failed_event_attributes.cause
            if cause in _BENIGN_CAUSES:
                continue
            detail = _cause(cause)
        entries.append(
            TimelineEntry(at=event.event_time.ToDatetime(tzinfo=UTC), event=label, detail=detail)
        )
    return entries
