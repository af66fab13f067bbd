"""When each workflow of a run closed, as Temporal recorded it, and how long its history is.

Both onething's cases and the baseline's workflows are timed the same way: from the moment the
bench handed them over (published the event, or called ``start_workflow``) to the ``close_time``
the Temporal server recorded. Nothing listens during the run; the server's own record is read
once everything has closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from onething.constants import SA_CASE_STATUS

#: How often the bench asks how many workflows have closed: rarely enough to cost the server
#: nothing worth measuring.
POLL_INTERVAL_S = 0.5
#: How often progress is reported while waiting.
PROGRESS_INTERVAL_S = 10.0


class BenchTimeoutError(TimeoutError):
    """Not every workflow of a run closed in time."""


@dataclass(frozen=True)
class Closed:
    """A closed workflow of a run.

    Attributes:
        workflow_id: Its ID.
        closed_at: When the server closed it, in seconds since the epoch.
        ok: Whether it ended as it should (a case: ``CaseStatus`` ``completed``).
    """

    workflow_id: str
    closed_at: float
    ok: bool


@dataclass(frozen=True)
class HistoryStats:
    """The size of one workflow's history.

    Attributes:
        length: Its number of events.
        workflow_tasks: How many workflow tasks it took (each a round trip to a worker).
    """

    length: int
    workflow_tasks: int


def _closed_query(workflow_type: str) -> str:
    return f"WorkflowType = '{workflow_type}' AND ExecutionStatus != 'Running'"


async def count_closed(client: Client, workflow_type: str) -> int:
    """How many workflows of ``workflow_type`` have closed (as visibility knows it by now)."""
    return (await client.count_workflows(_closed_query(workflow_type))).count


async def wait_closed(
    client: Client,
    workflow_type: str,
    count: int,
    *,
    timeout_s: float,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Wait until ``count`` workflows of ``workflow_type`` have closed.

    Args:
        client: The client.
        workflow_type: Every workflow of this type in the namespace belongs to the run.
        count: How many there are.
        timeout_s: How long to wait.
        progress: Receives a line on how many have closed, now and then.

    Raises:
        BenchTimeoutError: Fewer had closed after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    reported = time.monotonic()
    while True:
        closed = await count_closed(client, workflow_type)
        if closed >= count:
            return
        now = time.monotonic()
        if now > deadline:
            raise BenchTimeoutError(f"{workflow_type}: {closed} of {count} closed in time")
        if progress is not None and now - reported >= PROGRESS_INTERVAL_S:
            progress(f"{workflow_type}: {closed}/{count} closed")
            reported = now
        await asyncio.sleep(POLL_INTERVAL_S)


async def closed_workflows(client: Client, workflow_type: str, *, case: bool) -> list[Closed]:
    """Every closed workflow of ``workflow_type``, with its close time.

    Args:
        client: The client.
        workflow_type: The workflow type of the run.
        case: Whether these are onething cases, which are ``ok`` only when ``completed``.

    Returns:
        One entry per closed workflow.
    """
    closed: list[Closed] = []
    async for execution in client.list_workflows(_closed_query(workflow_type), page_size=1000):
        assert execution.close_time is not None, "a closed workflow has a close time"
        ok = execution.status == WorkflowExecutionStatus.COMPLETED
        if case:
            ok = ok and execution.typed_search_attributes.get(SA_CASE_STATUS) == "completed"
        closed.append(Closed(execution.id, execution.close_time.timestamp(), ok))
    return closed


async def history_stats(client: Client, workflow_id: str) -> HistoryStats:
    """The number of events and of workflow tasks in one workflow's history."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    tasks = sum(
        1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )
    return HistoryStats(length=len(history.events), workflow_tasks=tasks)
