"""Container health checks of onething's processes, run by ``docker compose``.

Each check asks the outside world whether the process in this container does its job: a
department answers ``GET /health``, a worker polls its task queue, the bridge is a member of
its consumer group. Exit status 0 means healthy; otherwise one line on standard error says why.

Usage::

    python healthcheck.py http http://localhost:8000/health
    python healthcheck.py task-queue onething --kind workflow
    python healthcheck.py consumer-group onething-bridge
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.request
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient
from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from onething.settings import Settings

_QUEUE_TYPES = {
    "workflow": TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    "activity": TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
}


class Unhealthy(Exception):
    """The checked process is not (yet) doing its job."""


def check_http(url: str, *, timeout_s: float) -> None:
    """Require ``url`` to answer 200 with a JSON body whose ``status`` is ``ok``.

    Raises:
        Unhealthy: the service did not answer, or answered something else.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            body = json.load(response)
    except (OSError, ValueError) as error:
        raise Unhealthy(f"{url}: {error}") from error
    if not isinstance(body, dict) or body.get("status") != "ok":
        raise Unhealthy(f"{url}: status is not ok")


async def check_task_queue(settings: Settings, queue: str, kind: str) -> None:
    """Require at least one worker polling ``queue`` for tasks of ``kind``.

    Raises:
        Unhealthy: nobody polls the queue.
    """
    client = await Client.connect(settings.temporal_target, namespace=settings.temporal_namespace)
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=_QUEUE_TYPES[kind],
        )
    )
    if not response.pollers:
        raise Unhealthy(f"no worker polls {kind} task queue {queue}")


async def check_consumer_group(settings: Settings, group: str) -> None:
    """Require the consumer group ``group`` to have at least one member.

    Raises:
        Unhealthy: the group is unknown, failed to describe, or has no member.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_target)
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    for response in responses:
        for described in response.to_object()["groups"]:
            if described["group"] == group and described["error_code"] == 0:
                if described["members"]:
                    return
                raise Unhealthy(f"consumer group {group} has no member")
    raise Unhealthy(f"consumer group {group} is unknown")


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds for the whole check")
    checks = parser.add_subparsers(dest="check", required=True)
    http = checks.add_parser("http", help="GET a /health endpoint")
    http.add_argument("url")
    task_queue = checks.add_parser("task-queue", help="a worker polls a Temporal task queue")
    task_queue.add_argument("queue")
    task_queue.add_argument("--kind", choices=sorted(_QUEUE_TYPES), required=True)
    group = checks.add_parser("consumer-group", help="a Kafka consumer group has a member")
    group.add_argument("group")
    return parser.parse_args(argv)


async def _run(args: argparse.Namespace) -> None:
    settings = Settings()
    async with asyncio.timeout(args.timeout):
        if args.check == "task-queue":
            await check_task_queue(settings, args.queue, args.kind)
        else:
            await check_consumer_group(settings, args.group)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one check; return the process exit status."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        if args.check == "http":
            check_http(args.url, timeout_s=args.timeout)
        else:
            asyncio.run(_run(args))
    except Unhealthy as error:
        sys.stderr.write(f"unhealthy: {error}\n")
        return 1
    except Exception as error:  # the check itself broke; docker only needs a verdict
        sys.stderr.write(f"unhealthy: {type(error).__name__}: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The Temporal client's native threads can abort the interpreter while it finalizes,
    # which would turn a healthy verdict into exit status 134; the verdict is final here.
    os._exit(status)
