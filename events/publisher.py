"""Publishing CloudEvents to the topic their ``type`` belongs to (``onething publish``).

Each line goes out as it is, in structured content mode (``application/cloudevents+json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer

from events.binding import STRUCTURED_HEADERS
from onething.constants import EVENT_TYPES


@dataclass
class PublishReport:
    """What a publish run did: events sent, and lines refused with why (by line number)."""

    published: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def route(line: str) -> tuple[str, bytes, bytes]:
    """The topic, key and value for one line holding a CloudEvent.

    Raises:
        ValueError: the line is not a JSON object with a known ``type`` and a string ``subject``.
    """
    try:
        event = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON ({err.msg})") from None
    if not isinstance(event, dict):
        raise ValueError("not a JSON object")
    event_type, subject = event.get("type"), event.get("subject")
    if event_type not in EVENT_TYPES:
        raise ValueError(f"type {str(event_type)[:60]!r} belongs to no topic")
    if not isinstance(subject, str) or not subject:
        raise ValueError("no subject to use as the key")
    topic = EVENT_TYPES[event_type][0]
    return topic, subject.encode(), line.strip().encode()


async def publish_lines(producer: AIOKafkaProducer, lines: Iterable[str]) -> PublishReport:
    """Send every line that holds a routable event; report the others without stopping."""
    report = PublishReport()
    pending = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            topic, key, value = route(line)
        except ValueError as err:
            report.refused.append((number, str(err)))
            continue
        pending.append(await producer.send(topic, value, key=key, headers=STRUCTURED_HEADERS))
    for delivery in pending:
        await delivery
        report.published += 1
    return report
