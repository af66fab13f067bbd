"""The orchestrator worker: every bundle's workflow and the case-update publisher."""

from __future__ import annotations

import asyncio

from temporalio.client import Client
from temporalio.worker import Worker

from activities.case_updates import CaseUpdatePublisher
from events.kafka import new_producer
from onething.constants import ORCHESTRATOR_TASK_QUEUE
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
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
    )


async def main(
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the orchestrator worker until ``stop`` is set (SIGTERM or SIGINT by default)."""
    settings = settings or get_settings()
    client = client or await connect_temporal(settings)
    stop = stop or stop_on_signals()
    producer = new_producer(settings)
    await producer.start()
    try:
        async with build_worker(client, CaseUpdatePublisher(producer)):
            await serve_until_stopped(settings, PART, stop)
    finally:
        await producer.stop()


if __name__ == "__main__":
    configure_logging(PART)
    asyncio.run(main())
