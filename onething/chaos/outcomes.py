"""How the cases of a run ended, read from Temporal: runs per case key, final status, documents."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError

from onething.cases import list_query
from workflows.models import CaseView

#: Cases read from Temporal at once when collecting outcomes.
_CONCURRENCY = 16


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """How one case ended.

    Attributes:
        case_id: The case (workflow) ID.
        runs: How many workflow executions have that ID (exactly one when all is well).
        status: The final ``CaseStatus``; ``None`` if never started or still open.
        kinds: The kind of each document the final case view lists, in its order.
        numbers: The numbers of those documents.
    """

    case_id: str
    runs: int
    status: str | None
    kinds: tuple[str, ...] = ()
    numbers: frozenset[str] = frozenset()

    @property
    def finished(self) -> bool:
        """Whether the case closed."""
        return self.status is not None

    @property
    def listed_twice(self) -> int:
        """How many documents the view lists beyond one of each kind."""
        return len(self.kinds) - len(set(self.kinds))


async def _closed_ids(client: Client, since: datetime | None) -> set[str]:
    query = f"{list_query(started_after=since)} AND ExecutionStatus != 'Running'"
    return {execution.id async for execution in client.list_workflows(query)}


async def wait_closed(
    client: Client,
    case_ids: Collection[str],
    *,
    timeout_s: float,
    poll_s: float = 2.0,
    since: datetime | None = None,
) -> set[str]:
    """Wait until every case has closed, or the deadline passes.

    A Temporal that is down (or restarting) only delays the answer.

    Args:
        client: The Temporal client.
        case_ids: The cases to wait for; a case not started yet counts as open.
        timeout_s: How long to wait at most.
        poll_s: How often to ask.
        since: Only cases started after this moment are looked at (older ones are not ours).

    Returns:
        The cases still open (or never started) at the end: empty when all closed.
    """
    deadline = time.monotonic() + timeout_s
    remaining = set(case_ids)
    while remaining:
        # Temporal restarting: ask again at the next poll.
        with contextlib.suppress(RPCError):
            remaining -= await _closed_ids(client, since)
        if not remaining or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(poll_s, max(deadline - time.monotonic(), 0.0)))
    return remaining


async def runs_per_case(client: Client, since: datetime | None = None) -> Counter[str]:
    """How many workflow executions each case ID has (the contract says one, ever).

    Args:
        client: The Temporal client.
        since: Only executions started after this moment.

    Returns:
        Executions per case ID.
    """
    return Counter(
        [execution.id async for execution in client.list_workflows(list_query(started_after=since))]
    )


async def _outcome(client: Client, case_id: str, runs: int) -> CaseOutcome:
    if runs == 0:
        return CaseOutcome(case_id=case_id, runs=0, status=None)
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    description = await handle.describe()
    if description.status == WorkflowExecutionStatus.RUNNING:
        return CaseOutcome(case_id=case_id, runs=runs, status=None)
    try:
        view = await handle.result(follow_runs=False)
    except WorkflowFailureError:
        return CaseOutcome(case_id=case_id, runs=runs, status="failed")
    return CaseOutcome(
        case_id=case_id,
        runs=runs,
        status=view.status,
        kinds=tuple(document.kind for document in view.documents),
        numbers=frozenset(document.number for document in view.documents),
    )


async def case_outcomes(
    client: Client, case_ids: Iterable[str], *, since: datetime | None = None
) -> list[CaseOutcome]:
    """How each case ended.

    Args:
        client: The Temporal client.
        case_ids: The cases.
        since: Only executions started after this moment count as runs of these cases.

    Returns:
        One outcome per case, in the order given.
    """
    runs = await runs_per_case(client, since)
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def one(case_id: str) -> CaseOutcome:
        async with gate:
            return await _outcome(client, case_id, runs[case_id])

    return list(await asyncio.gather(*(one(case_id) for case_id in case_ids)))
