"""A baseline worker process: ``python -m onething.bench.baseline_worker --role workflows``.

``--role workflows`` hosts the baseline workflow and its publish activity (as the orchestrator
worker does); ``--role steps`` hosts its step activity (as a department worker does). Both take
the same worker options as onething's own workers, so that only the work differs.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Literal, cast

from temporalio.client import Client
from temporalio.worker import Worker

from onething.bench.baseline import BaselineWorkflow, noop
from onething.bench.baseline_models import BASELINE_STEPS_TASK_QUEUE, BASELINE_TASK_QUEUE
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workers import tuning
from workers.runtime import configure_logging, serve_until_stopped, stop_on_signals

Role = Literal["workflows", "steps"]
ROLES: tuple[Role, ...] = ("workflows", "steps")


def build_worker(client: Client, role: Role) -> Worker:
    """The baseline worker of one role, with the options of onething's worker of that role."""
    if role == "workflows":
        return Worker(
            client,
            task_queue=BASELINE_TASK_QUEUE,
            workflows=[BaselineWorkflow],
            activities=[noop],
            workflow_runner=tuning.workflow_runner(),
            max_cached_workflows=tuning.MAX_CACHED_WORKFLOWS,
            max_concurrent_workflow_tasks=tuning.MAX_CONCURRENT_WORKFLOW_TASKS,
            max_concurrent_activities=tuning.MAX_CONCURRENT_ACTIVITIES,
        )
    return Worker(
        client,
        task_queue=BASELINE_STEPS_TASK_QUEUE,
        activities=[noop],
        max_concurrent_activities=tuning.MAX_CONCURRENT_ACTIVITIES,
    )


async def main(
    role: Role,
    part: str,
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run a baseline worker until ``stop`` is set (SIGTERM or SIGINT by default)."""
    settings = settings or get_settings()
    client = client or await connect_temporal(settings)
    stop = stop or stop_on_signals()
    async with build_worker(client, role):
        await serve_until_stopped(settings, part, stop)


def _parse(argv: Sequence[str] | None = None) -> tuple[Role, str]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--part", required=True, help="the name of its ready file")
    args = parser.parse_args(argv)
    return cast(Role, args.role), str(args.part)


if __name__ == "__main__":
    role, part = _parse()
    configure_logging(part)
    asyncio.run(main(role, part))
