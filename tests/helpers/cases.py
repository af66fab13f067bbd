"""Waiting for a running case to reach a state, as seen through its ``status`` query."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from workflows.models import CaseView


async def until(
    client: Client, case_id: str, condition: Callable[[CaseView], bool], timeout_s: float = 120
) -> CaseView:
    """The case's view once ``condition`` holds (the case may not have started yet).

    Raises:
        AssertionError: ``condition`` did not hold within ``timeout_s``.
    """
    handle = client.get_workflow_handle(case_id)
    for _ in range(int(timeout_s / 0.2)):
        try:
            view: CaseView = await handle.query("status", result_type=CaseView)
        except (RPCError, WorkflowQueryFailedError):  # not started yet
            await asyncio.sleep(0.2)
            continue
        if condition(view):
            return view
        await asyncio.sleep(0.2)
    raise AssertionError(f"{case_id} never reached the expected state")
