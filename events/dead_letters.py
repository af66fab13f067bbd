"""The dead-letter record: what could not be accepted, why, where it came from, and its bytes.

A dead letter always fits on the topic: the original value is kept whole only up to a configured
size (``ONETHING_DEAD_LETTER_MAX_ORIGINAL_BYTES``), else cut and marked so; its size and SHA-256
are always there, so the original can be matched to what the sender holds.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
from datetime import UTC, datetime
from typing import Final

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, KafkaTimeoutError
from pydantic import BaseModel, ConfigDict

from events.binding import Headers
from events.rejection import Rejection
from onething.constants import TOPIC_DEAD_LETTERS

MAX_DETAIL_CHARS: Final = 2000
MAX_KEY_BYTES: Final = 1024
MAX_HEADERS: Final = 32
MAX_HEADER_NAME_CHARS: Final = 256
MAX_HEADER_VALUE_BYTES: Final = 1024
#: How long the writer waits between attempts while the dead-letter topic cannot be written.
RETRY_BACKOFF_S: Final = (0.5, 30.0)

log = logging.getLogger(__name__)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeadLetterHeader(_Frozen):
    """One header of the original record (name and value cut to their limits)."""

    name: str
    value_base64: str | None
    truncated: bool = False


class DeadLetter(_Frozen):
    """The value written to ``onething.dead-letters``; the original bytes are base64-encoded.

    Attributes:
        reason: A searchable reason (``not_json``, ``too_large``, ``bad_headers``...).
        detail: What is wrong, without the values.
        source_topic: The topic the record was read from.
        partition: Its partition.
        offset: Its offset.
        size: The length of the original value in bytes.
        sha256: The SHA-256 of the original value, in hex.
        original_base64: The original value, or its first bytes when ``original_truncated``.
        original_truncated: Whether ``original_base64`` holds only the first bytes.
        key_base64: The record key (cut like the original when ``key_truncated``).
        headers: The record's headers (at most ``MAX_HEADERS``; ``headers_truncated`` if more).
        dead_lettered_at: When the bridge wrote it.
    """

    reason: str
    detail: str
    source_topic: str
    partition: int
    offset: int
    size: int
    sha256: str
    original_base64: str
    original_truncated: bool = False
    key_base64: str | None = None
    key_truncated: bool = False
    headers: tuple[DeadLetterHeader, ...] = ()
    headers_truncated: bool = False
    dead_lettered_at: datetime
    #: The case a rejected correction was for (a case ID is never personal data).
    case_id: str | None = None

    def original(self) -> bytes:
        """The record's value as it arrived (its first bytes if ``original_truncated``)."""
        return base64.b64decode(self.original_base64)

    def without_original(self, why: str) -> DeadLetter:
        """The same letter with no original bytes, key or headers: the smallest it can be."""
        return self.model_copy(
            update={
                "detail": _cut_text(f"{self.detail}; {why}", MAX_DETAIL_CHARS),
                "original_base64": "",
                "original_truncated": self.size > 0,
                "key_base64": None,
                "key_truncated": self.key_base64 is not None or self.key_truncated,
                "headers": (),
                "headers_truncated": bool(self.headers) or self.headers_truncated,
            }
        )


def build_dead_letter(
    rejection: Rejection,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes,
    headers: Headers = (),
    max_original_bytes: int,
    case_id: str | None = None,
) -> DeadLetter:
    """The dead letter of one record, cut to fit.

    Args:
        rejection: Why the record was not accepted.
        topic: The topic it was read from.
        partition: Its partition.
        offset: Its offset.
        key: Its key.
        value: Its value.
        headers: Its headers.
        max_original_bytes: The most bytes of the value the letter keeps.
        case_id: The case a rejected correction was for (a case ID is never personal data).

    Returns:
        The letter; whatever was cut is marked so.
    """
    original, original_truncated = _cut(value, max_original_bytes)
    kept_key, key_truncated = _cut(key, MAX_KEY_BYTES) if key is not None else (None, False)
    return DeadLetter(
        reason=rejection.reason,
        detail=_cut_text(rejection.detail, MAX_DETAIL_CHARS),
        source_topic=topic,
        partition=partition,
        offset=offset,
        size=len(value),
        sha256=hashlib.sha256(value).hexdigest(),
        original_base64=_b64(original),
        original_truncated=original_truncated,
        key_base64=_b64(kept_key) if kept_key is not None else None,
        key_truncated=key_truncated,
        headers=tuple(_header(name, header_value) for name, header_value in headers[:MAX_HEADERS]),
        headers_truncated=len(headers) > MAX_HEADERS,
        dead_lettered_at=datetime.now(UTC),
        case_id=case_id,
    )


class DeadLetterWriter:
    """Writes dead letters, once each, for as long as it takes.

    A letter the broker refuses as such (too large for it, say) is written again without its
    original bytes; while the topic cannot be written at all, the same letter is retried with
    backoff until it is written or ``stop`` is set.
    """

    def __init__(self, producer: AIOKafkaProducer, stop: asyncio.Event) -> None:
        """Write with ``producer``; give up retrying (and raise) once ``stop`` is set."""
        self._producer = producer
        self._stop = stop

    async def write(self, letter: DeadLetter) -> None:
        """Write ``letter`` and wait for the broker to keep it.

        Raises:
            Exception: The last error, if ``stop`` was set before the letter could be written.
        """
        backoff = RETRY_BACKOFF_S[0]
        while True:
            try:
                await self._send(letter)
                return
            except Exception as err:
                if not is_transient(err):
                    smaller = await self._write_smaller(letter, err)
                    if smaller is None:
                        return
                    letter = smaller
                if self._stop.is_set():
                    raise
                log.warning(
                    "dead-letter topic not writable (%s); retrying %s/%d/%d in %.1fs",
                    type(err).__name__,
                    letter.source_topic,
                    letter.partition,
                    letter.offset,
                    backoff,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, RETRY_BACKOFF_S[1])

    async def _write_smaller(self, letter: DeadLetter, err: Exception) -> DeadLetter | None:
        """Write the letter without its original; None once written, else the letter to retry."""
        smaller = letter.without_original(
            f"the original could not be kept: the broker refused the letter ({type(err).__name__})"
        )
        try:
            await self._send(smaller)
        except Exception as again:
            if not is_transient(again):
                log.error("dead letter refused even without its original: %s", type(again).__name__)
            return smaller
        return None

    async def _send(self, letter: DeadLetter) -> None:
        await self._producer.send_and_wait(
            TOPIC_DEAD_LETTERS,
            letter.model_dump_json().encode(),
            key=f"{letter.source_topic}/{letter.partition}/{letter.offset}".encode(),
            headers=[("reason", letter.reason.encode())],
        )


def is_transient(err: BaseException) -> bool:
    """Whether ``err`` says the broker is unreachable or busy, rather than refusing the record."""
    if isinstance(err, KafkaTimeoutError | OSError | TimeoutError):
        return True
    return isinstance(err, KafkaError) and bool(err.retriable)


def _cut(data: bytes, limit: int) -> tuple[bytes, bool]:
    return (data, False) if len(data) <= limit else (data[:limit], True)


def _cut_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _header(name: str, value: bytes | None) -> DeadLetterHeader:
    kept, truncated = _cut(value, MAX_HEADER_VALUE_BYTES) if value is not None else (None, False)
    return DeadLetterHeader(
        name=_cut_text(name, MAX_HEADER_NAME_CHARS),
        value_base64=_b64(kept) if kept is not None else None,
        truncated=truncated or len(name) > MAX_HEADER_NAME_CHARS,
    )
