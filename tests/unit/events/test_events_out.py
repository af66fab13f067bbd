"""Events onething publishes go out in structured content mode, and read back as CloudEvents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka
from cloudevents.core.formats.json import JSONFormat

from activities.case_updates import CaseUpdatePublisher
from events.publisher import publish_lines
from onething.constants import TOPIC_BIRTHS, TOPIC_CASE_UPDATES
from tests.helpers.samples import birth_event
from workflows.models import CaseUpdateInput


class Sent:
    topic = TOPIC_CASE_UPDATES
    partition = 0
    offset = 7


class RecordingProducer:
    def __init__(self) -> None:
        self.records: list[tuple[str, bytes, bytes | None, list[tuple[str, bytes]]]] = []

    async def send_and_wait(self, topic: str, value: bytes, **kwargs: Any) -> Sent:
        self.records.append((topic, value, kwargs.get("key"), kwargs.get("headers") or []))
        return Sent()

    async def send(self, topic: str, value: bytes, **kwargs: Any) -> Any:
        await self.send_and_wait(topic, value, **kwargs)

        async def delivered() -> Sent:
            return Sent()

        return delivered()


def sdk_reads(value: bytes, key: bytes | None, headers: list[tuple[str, bytes]]) -> Any:
    """What the official SDK makes of a record, detecting the content mode itself."""
    return from_kafka(KafkaMessage(headers=dict(headers), key=key, value=value), JSONFormat())


async def test_case_updates_are_structured_cloudevents() -> None:
    producer = RecordingProducer()
    update = CaseUpdateInput(
        type="onething.case.completed",
        case_id="newborn-LX-1",
        bundle="newborn",
        status="completed",
        documents=[],
        time=datetime(2026, 5, 23, 9, 40, tzinfo=UTC),
    )
    await CaseUpdatePublisher(producer).publish(update)

    ((topic, value, key, headers),) = producer.records
    assert topic == TOPIC_CASE_UPDATES
    assert headers == [("content-type", b"application/cloudevents+json")]
    assert not any(name.startswith("ce_") for name, _ in headers)
    read = sdk_reads(value, key, headers)
    assert (read.get_type(), read.get_subject()) == ("onething.case.completed", "newborn-LX-1")
    assert read.get_data()["status"] == "completed"


async def test_onething_publish_sends_structured_records() -> None:
    producer = RecordingProducer()
    event = birth_event("LX-2")
    report = await publish_lines(producer, [json.dumps(event)])

    assert report.published == 1
    ((topic, value, key, headers),) = producer.records
    assert (topic, key, headers) == (
        TOPIC_BIRTHS,
        b"LX-2",
        [("content-type", b"application/cloudevents+json")],
    )
    assert sdk_reads(value, key, headers).get_id() == event["id"]
