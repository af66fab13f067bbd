"""What the cases waiting on a department are retrying there, read from their case views.

``WaitingOn`` finds the cases; the attempts, the last error and the next try live in each case's
view (a search attribute per attempt would cost the server a visibility write each time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from onething.durations import format_span
from workflows.models import CaseView, RetryView

#: Case views read at once, and at most, for one listing.
VIEW_CONCURRENCY = 8
MOST_VIEWS = 50


async def retries_at(
    client: Client, case_ids: Sequence[str], department: str
) -> dict[str, list[RetryView]]:
    """The calls each open case is retrying at ``department`` (the first :data:`MOST_VIEWS`).

    A case that does not answer its ``status`` query (closed meanwhile, no worker) has none.
    """
    gate = asyncio.Semaphore(VIEW_CONCURRENCY)

    async def read(case_id: str) -> tuple[str, list[RetryView]]:
        async with gate:
            try:
                view = await client.get_workflow_handle(case_id).query(
                    "status", result_type=CaseView
                )
            except (RPCError, WorkflowQueryFailedError):
                return case_id, []
        return case_id, [r for r in view.retrying if r.department == department]

    return dict(await asyncio.gather(*(read(c) for c in case_ids[:MOST_VIEWS])))


def retry_summary(retries: Sequence[RetryView], now: datetime) -> str:
    """One cell: ``tax_registration: 6 attempts, DepartmentUnavailable, next try in 40s``."""
    return "; ".join(
        f"{r.step}: {r.attempts} attempts, {r.error_type}, next try "
        + (f"in {format_span(r.next_try_at - now)}" if r.next_try_at > now else "now")
        for r in retries
    )
