"""Department workers: each department's activities on its own task queue.

The local stack hosts every department in one process; a department can instead run
``python -m workers.departments --department police`` beside its own system.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack

from temporalio.client import Client
from temporalio.worker import Worker

from activities.department_client import close_connections
from activities.registry import DEPARTMENT_ACTIVITIES
from onething.constants import DEPARTMENTS, Department, department_task_queue
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workers import tuning
from workers.runtime import configure_logging, serve_until_stopped, stop_on_signals

PART = "worker-departments"


def build_workers(
    client: Client, departments: Sequence[Department], *, settings: Settings | None = None
) -> list[Worker]:
    """One worker per department that has activities, each on its own task queue.

    Args:
        client: The Temporal client.
        departments: The departments to host.
        settings: Where each department's rate limit comes from; the process settings if None.

    Returns:
        The workers, not yet running.
    """
    settings = settings or get_settings()
    return [
        Worker(
            client,
            task_queue=department_task_queue(department),
            activities=DEPARTMENT_ACTIVITIES[department],
            max_concurrent_activities=tuning.MAX_CONCURRENT_ACTIVITIES,
            # Enforced by the server for the whole task queue, so a department that runs
            # several workers is still never asked more often than it allows.
            max_task_queue_activities_per_second=settings.department_rate_limit(department),
        )
        for department in departments
        if DEPARTMENT_ACTIVITIES[department]
    ]


async def main(
    departments: Sequence[Department] = DEPARTMENTS,
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
    part: str | None = None,
) -> None:
    """Run the workers of ``departments`` until ``stop`` is set (SIGTERM or SIGINT by default).

    ``part`` names its ready file (by default from the departments hosted), so that several
    department worker processes can run side by side.
    """
    settings = settings or get_settings()
    # Only the hosted departments' key rings: this process cannot read the others' payloads.
    client = client or await connect_temporal(settings, departments=departments)
    stop = stop or stop_on_signals()
    async with AsyncExitStack() as workers:
        # Closed last, once every activity has finished with the connections.
        workers.push_async_callback(close_connections)
        for worker in build_workers(client, departments, settings=settings):
            await workers.enter_async_context(worker)
        if part is None:
            part = PART if len(departments) != 1 else f"worker-{departments[0]}"
        await serve_until_stopped(settings, part, stop)


def _parse(argv: Sequence[str] | None = None) -> tuple[list[Department], str | None]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--department",
        action="append",
        choices=DEPARTMENTS,
        help="a department to host (repeatable); all when omitted",
    )
    parser.add_argument("--part", help="the name of its ready file and log lines")
    args = parser.parse_args(argv)
    chosen: list[Department] | None = args.department
    part: str | None = args.part
    return chosen or list(DEPARTMENTS), part


if __name__ == "__main__":
    departments, part = _parse()
    configure_logging(part or PART)
    asyncio.run(main(departments, part=part))
