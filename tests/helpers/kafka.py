"""Plain Kafka clients for tests: a producer as a hospital would use, and a topic reader."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


async def produce(bootstrap: str, topic: str, values: list[tuple[bytes | None, bytes]]) -> None:
    """Send ``(key, value)`` records with a plain producer and wait for the broker to keep them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in values:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def produce_event(bootstrap: str, topic: str, event: dict[str, Any], times: int = 1) -> None:
    """Send one CloudEvent, keyed by its subject, ``times`` times."""
    value = json.dumps(event, ensure_ascii=False).encode()
    await produce(bootstrap, topic, [(event["subject"].encode(), value)] * times)


async def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[dict[str, Any]]], bool],
    *,
    timeout_s: float = 60.0,
) -> list[dict[str, Any]]:
    """Read a topic from the start (without a group) until ``done(records)`` holds.

    Raises:
        TimeoutError: ``done`` still false after ``timeout_s``.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[dict[str, Any]] = []
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        deadline = time.monotonic() + timeout_s
        while not done(records):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: condition not met; read {len(records)} records")
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                records.extend(json.loads(m.value) for m in messages)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return set(partitions)
        await consumer.topics()
        await asyncio.sleep(0.1)
    raise LookupError(f"topic {topic} has no partitions")


async def read_all_values(bootstrap: str, topic: str) -> list[bytes]:
    """Every record value a topic holds now, as raw bytes (JSON or not), read without a group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(assigned)
        values: list[bytes] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=300)
            values.extend(m.value for messages in batch.values() for m in messages if m.value)
        return values
    finally:
        await consumer.stop()


#: Large enough for the 8 MB records the edge tests send; aiokafka's default is 1 MiB.
LARGE_REQUEST_BYTES = 16 * 1024 * 1024

Record = tuple[bytes | None, bytes, list[tuple[str, bytes | None]]]


async def produce_records(
    bootstrap: str, topic: str, records: list[Record]
) -> list[tuple[int, int]]:
    """Send ``(key, value, headers)`` records in order; return where each was kept.

    The producer takes requests up to 16 MiB, so oversized records reach the broker to be judged.

    Returns:
        The ``(partition, offset)`` of each record.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        max_request_size=LARGE_REQUEST_BYTES,
        request_timeout_ms=60_000,
    )
    await producer.start()
    try:
        offsets = []
        for key, value, headers in records:
            metadata = await producer.send_and_wait(topic, value, key=key, headers=headers)
            offsets.append((metadata.partition, metadata.offset))
        return offsets
    finally:
        await producer.stop()


async def committed_offset(bootstrap: str, group: str, tp: TopicPartition) -> int | None:
    """The offset a consumer group has committed for ``tp``, asked without joining the group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(tp)
        return offset
    finally:
        await consumer.stop()
