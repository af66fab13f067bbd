"""The orchestrator worker: every bundle's workflow and the case-update publisher."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.worker import Worker

from activities.case_updates import CaseUpdatePublisher
from events.kafka import new_producer
from onething.constants import ORCHESTRATOR_TASK_QUEUE
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workers import tuning
from workers.runtime import configure_logging, serve_until_stopped, stop_on_signals
from workflows.registry import WORKFLOWS

PART = "worker-orchestrator"


def build_worker(client: Client, publisher: CaseUpdatePublisher) -> Worker:
    """The orchestrator worker on the ``onething`` task queue."""
    return Worker(
        client,
        task_queue=ORCHESTRATOR_TASK_QUEUE,
        workflows=[workflow for workflow, _ in WORKFLOWS.values()],
        activities=[publisher.publish],
        workflow_runner=tuning.workflow_runner(),
        max_cached_workflows=tuning.MAX_CACHED_WORKFLOWS,
        max_concurrent_workflow_tasks=tuning.MAX_CONCURRENT_WORKFLOW_TASKS,
        max_concurrent_activities=tuning.MAX_CONCURRENT_ACTIVITIES,
    )


async def main(
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
    part: str = PART,
) -> None:
    """Run the orchestrator worker until ``stop`` is set (SIGTERM or SIGINT by default).

    ``part`` names its ready file, so that several orchestrator processes can run side by side.
    """
    settings = settings or get_settings()
    client = client or await connect_temporal(settings)
    stop = stop or stop_on_signals()
    producer = new_producer(settings)
    await producer.start()
    try:
        async with build_worker(client, CaseUpdatePublisher(producer)):
            await serve_until_stopped(settings, part, stop)
    finally:
        await producer.stop()


def _parse(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", default=PART, help="the name of its ready file and log lines")
    part: str = parser.parse_args(argv).part
    return part


if __name__ == "__main__":
    part = _parse()
    configure_logging(part)
    asyncio.run(main(part=part))
