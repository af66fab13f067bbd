"""Waiting for a case that an event will start, with a deadline."""

from __future__ import annotations

import asyncio
import time

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows.models import CaseView


class CaseTimeoutError(TimeoutError):
    """The case did not start or finish before the deadline."""


async def wait_for_case(
    client: Client, case_id: str, *, timeout_s: float = 120.0, poll_s: float = 0.2
) -> CaseView:
    """Wait until the bridge has started ``case_id`` and the case has closed; return its view.

    Raises:
        CaseTimeoutError: not started or not finished within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    handle = client.get_workflow_handle(case_id, result_type=CaseView)
    while True:
        try:
            await handle.describe()
            break
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
        if time.monotonic() > deadline:
            raise CaseTimeoutError(f"{case_id} was not started within {timeout_s:.0f}s")
        await asyncio.sleep(poll_s)
    try:
        return await asyncio.wait_for(
            handle.result(), timeout=max(0.1, deadline - time.monotonic())
        )
    except TimeoutError:
        raise CaseTimeoutError(f"{case_id} did not finish within {timeout_s:.0f}s") from None
