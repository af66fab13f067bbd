"""Kafka producers and consumers built the same way everywhere."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from onething.constants import BRIDGE_GROUP_ID, INPUT_TOPICS
from onething.settings import Settings


def new_producer(settings: Settings) -> AIOKafkaProducer:
    """A producer that waits for every replica, so an acknowledged event is durable."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_target,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15_000,
    )


def new_bridge_consumer(settings: Settings) -> AIOKafkaConsumer:
    """The bridge's consumer: one group, manual commits after the case has durably started."""
    return AIOKafkaConsumer(
        *INPUT_TOPICS,
        bootstrap_servers=settings.kafka_target,
        group_id=BRIDGE_GROUP_ID,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=200,
    )


def new_reader(settings: Settings) -> AIOKafkaConsumer:
    """A consumer in no group: it reads a topic from the start and moves no one's offsets."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_target,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=15_000,
    )
