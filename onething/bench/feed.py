"""Handing workflows over to a run with a bounded number in flight.

Up to ``window`` are handed over at once; each one that closes lets another in. A run of N up to
``window`` is therefore one burst, and a longer one a steady stream whose backlog (and so each
process's memory) does not grow with N.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from temporalio.client import Client

from onething.bench.timing import (
    POLL_INTERVAL_S,
    PROGRESS_INTERVAL_S,
    BenchTimeoutError,
    count_closed,
)

#: Hands over the workflows with these indexes (publishes their events, or starts them).
Send = Callable[[range], Awaitable[None]]


async def feed(
    client: Client,
    workflow_type: str,
    total: int,
    send: Send,
    *,
    window: int,
    timeout_s: float,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Hand over ``total`` workflows of ``workflow_type``, at most ``window`` in flight.

    Args:
        client: A client of the run's Temporal.
        workflow_type: Every workflow of this type in the namespace belongs to the run.
        total: How many to hand over.
        send: Hands over a range of them.
        window: The most handed over and not yet closed at any time.
        timeout_s: How long handing all of them over may take.
        progress: Receives a line on how far it got, now and then.

    Raises:
        BenchTimeoutError: Not all were handed over within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    reported = time.monotonic()
    sent = 0
    while sent < total:
        closed = await count_closed(client, workflow_type)
        admitted = min(total, window + closed)
        if admitted > sent:
            await send(range(sent, admitted))
            sent = admitted
            continue
        now = time.monotonic()
        if now > deadline:
            raise BenchTimeoutError(f"{workflow_type}: only {sent} of {total} handed over in time")
        if progress is not None and now - reported >= PROGRESS_INTERVAL_S:
            progress(f"{workflow_type}: {sent}/{total} handed over, {closed} closed")
            reported = now
        await asyncio.sleep(POLL_INTERVAL_S)
