"""Dead letters always fit, keep what they can, and are written once however long it takes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError

from events.dead_letters import (
    MAX_HEADER_VALUE_BYTES,
    MAX_HEADERS,
    MAX_KEY_BYTES,
    DeadLetter,
    DeadLetterWriter,
    build_dead_letter,
)
from events.rejection import Rejection
from onething.constants import TOPIC_DEAD_LETTERS

REJECTION = Rejection("too_large", "event is big")


def letter(value: bytes, *, limit: int = 1024, **fields: Any) -> DeadLetter:
    return build_dead_letter(
        REJECTION,
        topic="hospital.births",
        partition=2,
        offset=41,
        key=fields.pop("key", b"LX-1"),
        value=value,
        headers=fields.pop("headers", ()),
        max_original_bytes=limit,
    )


def test_a_small_original_is_kept_whole() -> None:
    value = b'{"not": "an event"}'
    kept = letter(value)
    assert kept.original() == value
    assert not kept.original_truncated
    assert (kept.size, kept.sha256) == (len(value), hashlib.sha256(value).hexdigest())
    assert (kept.source_topic, kept.partition, kept.offset) == ("hospital.births", 2, 41)


def test_a_large_original_is_cut_and_marked_with_its_size_and_hash() -> None:
    value = bytes(range(256)) * 4096  # 1 MiB
    kept = letter(value, limit=1000)
    assert kept.original() == value[:1000]
    assert kept.original_truncated
    assert kept.size == len(value)
    assert kept.sha256 == hashlib.sha256(value).hexdigest()
    assert len(kept.model_dump_json()) < 4000


def test_a_limit_of_zero_keeps_no_original_but_still_its_hash() -> None:
    kept = letter(b"x" * 10, limit=0)
    assert (kept.original(), kept.original_truncated, kept.size) == (b"", True, 10)


def test_keys_and_headers_of_every_kind_are_kept_within_limits() -> None:
    headers: list[tuple[str, bytes | None]] = [
        ("bin", b"\xff\x00"),
        ("none", None),
        ("dup", b"1"),
        ("dup", b"2"),
        ("huge", b"h" * 1_000_000),
        ("n" * 10_000, b"v"),
        *[(f"x-{i}", b"v") for i in range(100)],
    ]
    kept = letter(b"v", key=b"k" * 5000, headers=headers)
    assert kept.key_truncated
    assert base64.b64decode(kept.key_base64 or "") == b"k" * MAX_KEY_BYTES
    assert kept.headers_truncated
    assert len(kept.headers) == MAX_HEADERS
    by_name = [(h.name, h.value_base64, h.truncated) for h in kept.headers[:5]]
    assert by_name == [
        ("bin", base64.b64encode(b"\xff\x00").decode(), False),
        ("none", None, False),
        ("dup", "MQ==", False),
        ("dup", "Mg==", False),
        ("huge", base64.b64encode(b"h" * MAX_HEADER_VALUE_BYTES).decode(), True),
    ]
    assert kept.headers[5].truncated
    assert len(kept.model_dump_json()) < 100_000


def test_the_largest_letter_the_settings_allow_fits_a_default_producer_request() -> None:
    from onething.settings import Settings

    limit = Settings.model_fields["dead_letter_max_original_bytes"].metadata
    most = max(getattr(m, "le", 0) or 0 for m in limit)
    headers = [("h" * 300, b"v" * 5000)] * 1000
    kept = letter(b"x" * 10_000_000, limit=most, key=b"k" * 10_000, headers=headers)
    assert len(kept.model_dump_json()) + 10_000 < 1_048_576


class FlakyProducer:
    """A producer whose sends fail with the given errors first, then succeed."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[DeadLetter] = []
        self.attempts = 0

    async def send_and_wait(self, topic: str, value: bytes, **_: Any) -> None:
        assert topic == TOPIC_DEAD_LETTERS
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(DeadLetter.model_validate_json(value))


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("events.dead_letters.RETRY_BACKOFF_S", (0.001, 0.004))


@pytest.mark.usefixtures("fast_backoff")
async def test_a_topic_that_is_down_is_retried_until_the_letter_is_written_once() -> None:
    producer = FlakyProducer(
        KafkaConnectionError(), KafkaTimeoutError(), KafkaConnectionError(), OSError()
    )
    await DeadLetterWriter(producer, asyncio.Event()).write(letter(b"abc"))
    assert producer.attempts == 5
    assert [s.original() for s in producer.sent] == [b"abc"]


@pytest.mark.usefixtures("fast_backoff")
async def test_a_letter_the_broker_refuses_is_written_without_its_original() -> None:
    producer = FlakyProducer(MessageSizeTooLargeError())
    await DeadLetterWriter(producer, asyncio.Event()).write(letter(b"abc", headers=[("h", b"v")]))
    (sent,) = producer.sent
    assert (sent.original(), sent.original_truncated, sent.headers) == (b"", True, ())
    assert (sent.reason, sent.size, sent.sha256) == (
        "too_large",
        3,
        hashlib.sha256(b"abc").hexdigest(),
    )
    assert "MessageSizeTooLargeError" in sent.detail


@pytest.mark.usefixtures("fast_backoff")
async def test_a_refused_letter_with_the_topic_then_down_is_retried_small() -> None:
    producer = FlakyProducer(MessageSizeTooLargeError(), KafkaConnectionError())
    await DeadLetterWriter(producer, asyncio.Event()).write(letter(b"abc"))
    assert [(s.original(), s.original_truncated) for s in producer.sent] == [(b"", True)]


async def test_a_writer_told_to_stop_gives_up_with_the_error() -> None:
    stop = asyncio.Event()
    stop.set()
    producer = FlakyProducer(KafkaConnectionError())
    with pytest.raises(KafkaConnectionError):
        await DeadLetterWriter(producer, stop).write(letter(b"abc"))
    assert producer.sent == []
