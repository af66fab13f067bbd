"""The dead-letter record: what could not be accepted, why, where it came from, and its bytes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel, ConfigDict

from events.parsing import Rejection
from onething.constants import TOPIC_DEAD_LETTERS


class DeadLetter(BaseModel):
    """The value written to ``onething.dead-letters``; the original bytes are base64-encoded."""

    model_config = ConfigDict(frozen=True)

    reason: str
    detail: str
    source_topic: str
    partition: int
    offset: int
    key_base64: str | None
    original_base64: str
    dead_lettered_at: datetime
    #: The case a rejected correction was for (a case ID is never personal data).
    case_id: str | None = None

    def original(self) -> bytes:
        """The record's value as it arrived."""
        return base64.b64decode(self.original_base64)


async def dead_letter(
    producer: AIOKafkaProducer,
    rejection: Rejection,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes,
    case_id: str | None = None,
) -> None:
    """Write one rejected record to the dead-letter topic and wait for the broker to keep it."""
    record = DeadLetter(
        reason=rejection.reason,
        detail=rejection.detail,
        source_topic=topic,
        partition=partition,
        offset=offset,
        key_base64=base64.b64encode(key).decode() if key is not None else None,
        original_base64=base64.b64encode(value).decode(),
        dead_lettered_at=datetime.now(UTC),
        case_id=case_id,
    )
    await producer.send_and_wait(
        TOPIC_DEAD_LETTERS,
        record.model_dump_json().encode(),
        key=f"{topic}/{partition}/{offset}".encode(),
        headers=[("reason", rejection.reason.encode())],
    )
