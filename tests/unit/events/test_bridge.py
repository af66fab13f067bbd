"""The bridge commits what is done, rewinds only what failed, and dead-letters each record once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord
from temporalio.service import RPCError, RPCStatusCode

from events import bridge as bridge_module
from events.bridge import EventBridge
from events.case_starter import StartOutcome
from events.dead_letters import DeadLetter
from onething.constants import TOPIC_BIRTHS
from onething.settings import Settings
from tests.helpers.samples import birth_event

TP = TopicPartition(TOPIC_BIRTHS, 0)


def record(offset: int, value: bytes, key: bytes | None = None) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=TP.topic,
        partition=TP.partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=(),
    )


class FakeConsumer:
    def __init__(self) -> None:
        self.committed: list[dict[TopicPartition, int]] = []
        self.seeks: list[tuple[TopicPartition, int]] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.append(dict(offsets))

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp, offset))


class FakeProducer:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send_and_wait(self, topic: str, value: bytes, **_: Any) -> None:
        self.letters.append(DeadLetter.model_validate_json(value))


class TemporalAwayOnce:
    """``start_case`` that fails like an unavailable Temporal the first time, then starts."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, _client: Any, event: Any, _settings: Any) -> tuple[str, StartOutcome]:
        self.calls += 1
        if self.calls == 1:
            raise RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b"")
        return f"newborn-{event.subject}", StartOutcome.STARTED


@pytest.fixture
def parts(monkeypatch: pytest.MonkeyPatch) -> tuple[EventBridge, FakeConsumer, FakeProducer]:
    monkeypatch.setattr(bridge_module, "start_case", TemporalAwayOnce())
    consumer, producer = FakeConsumer(), FakeProducer()
    bridge = EventBridge(None, consumer, producer, Settings())  # type: ignore[arg-type]
    return bridge, consumer, producer


def good(offset: int, subject: str) -> ConsumerRecord[bytes, bytes]:
    return record(offset, json.dumps(birth_event(subject)).encode(), subject.encode())


async def test_a_batch_of_poison_is_dead_lettered_once_each_and_committed(
    parts: tuple[EventBridge, FakeConsumer, FakeProducer],
) -> None:
    bridge, consumer, producer = parts
    deep = b"[" * 10_000 + b"]" * 10_000
    batch = [record(10, b"x" * 8_000_000), record(11, deep), record(12, b"\xff")]
    await bridge.handle_batch({TP: batch})
    assert [(letter.offset, letter.reason) for letter in producer.letters] == [
        (10, "too_large"),
        (11, "too_deep"),
        (12, "not_utf8"),
    ]
    assert consumer.committed == [{TP: 13}]
    assert consumer.seeks == []


async def test_a_failed_start_rewinds_to_it_and_the_records_after_it_are_not_handled_again(
    parts: tuple[EventBridge, FakeConsumer, FakeProducer],
) -> None:
    bridge, consumer, producer = parts
    batch = [record(20, b"bad-1"), good(21, "LX-21"), record(22, b"bad-2"), good(23, "LX-23")]
    with pytest.raises(RPCError):
        await bridge.handle_batch({TP: batch})
    assert consumer.committed == [{TP: 21}]
    assert consumer.seeks == [(TP, 21)]
    assert bridge.started == 1

    # Kafka hands the rewound records out again, from the failed one on.
    await bridge.handle_batch({TP: batch[1:]})
    assert consumer.committed[-1] == {TP: 24}
    assert sorted(letter.offset for letter in producer.letters) == [20, 22]
    assert bridge.started == 2


async def test_a_start_that_can_never_succeed_is_dead_lettered(
    parts: tuple[EventBridge, FakeConsumer, FakeProducer], monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge, consumer, producer = parts

    async def cannot_build(*_: Any) -> tuple[str, StartOutcome]:
        raise ValueError("no case input from this")

    monkeypatch.setattr(bridge_module, "start_case", cannot_build)
    await bridge.handle_batch({TP: [good(30, "LX-30")]})
    assert [(letter.offset, letter.reason) for letter in producer.letters] == [(30, "unstartable")]
    assert consumer.committed == [{TP: 31}]


class DeadLetterTopicDownAWhile(FakeProducer):
    """The dead-letter topic refuses connections for the first ``outage`` sends."""

    def __init__(self, outage: int) -> None:
        super().__init__()
        self.outage = outage
        self.attempts = 0

    async def send_and_wait(self, topic: str, value: bytes, **kwargs: Any) -> None:
        self.attempts += 1
        if self.attempts <= self.outage:
            raise KafkaConnectionError()
        await super().send_and_wait(topic, value, **kwargs)


async def test_while_the_dead_letter_topic_is_down_the_record_waits_and_nothing_is_redone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("events.dead_letters.RETRY_BACKOFF_S", (0.001, 0.004))
    starts = TemporalAwayOnce()
    starts.calls = 1  # Temporal is up throughout
    monkeypatch.setattr(bridge_module, "start_case", starts)
    consumer, producer = FakeConsumer(), DeadLetterTopicDownAWhile(outage=5)
    bridge = EventBridge(None, consumer, producer, Settings())  # type: ignore[arg-type]
    batch = [record(40, b"x" * 2_000_000), good(41, "LX-41"), record(42, b"[" * 50)]

    await bridge.handle_batch({TP: batch})

    assert sorted(letter.offset for letter in producer.letters) == [40, 42]
    assert producer.attempts == 7
    assert (bridge.started, bridge.dead_lettered) == (1, 2)
    assert consumer.committed == [{TP: 43}]
    assert consumer.seeks == []
