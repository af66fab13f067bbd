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

from activities.registry import DEPARTMENT_ACTIVITIES
from onething.constants import DEPARTMENTS, Department, department_task_queue
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workers.runtime import configure_logging, serve_until_stopped, stop_on_signals

PART = "worker-departments"


def build_workers(client: Client, departments: Sequence[Department]) -> list[Worker]:
    """One worker per department that has activities, each on its own task queue."""
    return [
        Worker(
            client,
            task_queue=department_task_queue(department),
            activities=DEPARTMENT_ACTIVITIES[department],
            max_concurrent_activities=200,
        )
        for department in departments
        if DEPARTMENT_ACTIVITIES[department]
    ]


async def main(
    departments: Sequence[Department] = DEPARTMENTS,
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the workers of ``departments`` until ``stop`` is set (SIGTERM or SIGINT by default)."""
    settings = settings or get_settings()
    client = client or await connect_temporal(settings)
    stop = stop or stop_on_signals()
    async with AsyncExitStack() as workers:
        for worker in build_workers(client, departments):
            await workers.enter_async_context(worker)
        part = PART if len(departments) != 1 else f"worker-{departments[0]}"
        await serve_until_stopped(settings, part, stop)


def _parse(argv: Sequence[str] | None = None) -> list[Department]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--department",
        action="append",
        choices=DEPARTMENTS,
        help="a department to host (repeatable); all when omitted",
    )
    chosen: list[Department] | None = parser.parse_args(argv).department
    return chosen or list(DEPARTMENTS)


if __name__ == "__main__":
    configure_logging(PART)
    asyncio.run(main(_parse()))
