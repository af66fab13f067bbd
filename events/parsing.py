"""Validation at the edge: raw Kafka bytes become a typed event, or a reason to dead-letter them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from pydantic import TypeAdapter, ValidationError

from events.models import InputEvent
from events.plausibility import CONTEXT_KEY, EdgeClock
from onething.constants import EVENT_TYPES
from onething.identifiers import IdentifierError, validate_id_number
from onething.settings import get_settings

#: A birth event is about 700 bytes; anything near this is not an event but a mistake or an attack.
MAX_EVENT_BYTES: Final = 64 * 1024

_ADAPTER: Final = TypeAdapter[InputEvent](InputEvent)


@dataclass(frozen=True)
class Rejection:
    """Why an input cannot be accepted: a searchable ``reason`` and a ``detail`` without values."""

    reason: str
    detail: str


def parse_event(
    raw: bytes, *, topic: str, key: bytes | None = None, now: datetime | None = None
) -> InputEvent | Rejection:
    """Validate one Kafka record against the contract, and that it could be true.

    Args:
        raw: the record's value.
        topic: the topic it was read from; the event's ``type`` must belong to it.
        key: the record's key; when present it must be the event's ``subject``.
        now: the moment the event is judged at (the current time when None); times in the
            event may lie at most ``Settings.clock_skew`` after it.

    Returns:
        The typed event, or a :class:`Rejection` naming what is wrong (never the values).
    """
    if len(raw) > MAX_EVENT_BYTES:
        return Rejection("too_large", f"event is {len(raw)} bytes; the limit is {MAX_EVENT_BYTES}")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Rejection("not_utf8", "the value is not UTF-8 text")
    except json.JSONDecodeError as err:
        return Rejection("not_json", f"the value is not JSON: {err.msg} at position {err.pos}")
    if not isinstance(document, dict):
        return Rejection("not_cloudevent", "the value is JSON but not an object")
    event_type = document.get("type")
    if document.get("specversion") != "1.0" or not isinstance(event_type, str):
        return Rejection(
            "not_cloudevent", "a CloudEvents 1.0 event needs specversion '1.0' and a string type"
        )
    if event_type not in EVENT_TYPES:
        # Not echoed: an unknown type is free text and could be anything, a name included.
        return Rejection("unknown_type", f"the type starts no bundle; known: {sorted(EVENT_TYPES)}")
    expected_topic = EVENT_TYPES[event_type][0]
    if topic != expected_topic:
        return Rejection(
            "wrong_topic", f"type {event_type} belongs on {expected_topic}, not on {topic}"
        )
    try:
        event = _ADAPTER.validate_python(document, context=_edge_context(now))
    except ValidationError as err:
        return Rejection(_reason(err), _describe(err))
    if key is not None and key != event.subject.encode():
        return Rejection("key_mismatch", "the record key must be the event's subject")
    if _is_id_number(event.subject):
        return Rejection("subject_is_id_number", "the subject must not be a person's ID number")
    return event


def _edge_context(now: datetime | None) -> dict[str, EdgeClock]:
    clock = EdgeClock(now=now or datetime.now(UTC), skew=get_settings().clock_skew)
    return {CONTEXT_KEY: clock}


def _reason(err: ValidationError) -> str:
    """``implausible_event`` when the event is well formed but cannot be true."""
    types = {error["type"] for error in err.errors(include_input=False, include_url=False)}
    return "implausible_event" if types == {"implausible"} else "invalid_event"


def _describe(err: ValidationError) -> str:
    """Field paths and messages only: pydantic's ``input`` would echo personal data."""
    parts = []
    for error in err.errors(include_input=False, include_url=False)[:10]:
        location = ".".join(str(part) for part in error["loc"])
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def _is_id_number(subject: str) -> bool:
    try:
        validate_id_number(subject)
    except IdentifierError:
        return False
    return True
