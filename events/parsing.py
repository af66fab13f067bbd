"""Validation at the edge: a Kafka record becomes a typed event, or a reason to dead-letter it.

:func:`parse_event` answers every record, whatever its bytes and headers: it never raises.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from events.binding import JSON, Envelope, Headers, media_type_of, read_envelope
from events.json_depth import nesting_depth
from events.models import InputEvent
from events.plausibility import CONTEXT_KEY, EdgeClock
from events.rejection import Rejection
from onething.constants import EVENT_TYPES
from onething.identifiers import IdentifierError, validate_id_number
from onething.settings import get_settings

__all__ = ["MAX_EVENT_BYTES", "MAX_NESTING", "Rejection", "parse_event"]

#: A birth event is about 700 bytes; anything near this is not an event but a mistake or an attack.
MAX_EVENT_BYTES: Final = 64 * 1024
#: An event nests four levels deep; a parser must never recurse as deep as a sender likes.
MAX_NESTING: Final = 32

_ADAPTER: Final = TypeAdapter[InputEvent](InputEvent)
log = logging.getLogger(__name__)


def parse_event(
    raw: bytes,
    *,
    topic: str,
    key: bytes | None = None,
    headers: Headers = (),
    now: datetime | None = None,
) -> InputEvent | Rejection:
    """Validate one Kafka record (either content mode) against the contract, and its plausibility.

    Args:
        raw: the record's value: the event (structured mode) or its data (binary mode).
        topic: the topic it was read from; the event's ``type`` must belong to it.
        key: the record's key; when present it must be the event's ``subject``.
        headers: the record's headers; ``content-type`` and ``ce_*`` are read.
        now: the moment the event is judged at (the current time when None); times in the
            event may lie at most ``Settings.clock_skew`` after it.

    Returns:
        The typed event, or a :class:`Rejection` naming what is wrong (never the values).
    """
    try:
        return _parse(raw, topic=topic, key=key, headers=headers, now=now)
    except Exception as err:
        # Whatever a record does to the parser, it must become a dead letter, not stall a partition.
        log.error("parsing a record from %s raised %s", topic, type(err).__name__)
        return Rejection("unparseable", f"parsing the record raised {type(err).__name__}")


def _parse(
    raw: bytes, *, topic: str, key: bytes | None, headers: Headers, now: datetime | None
) -> InputEvent | Rejection:
    if len(raw) > MAX_EVENT_BYTES:
        return Rejection("too_large", f"event is {len(raw)} bytes; the limit is {MAX_EVENT_BYTES}")
    envelope = read_envelope(headers)
    if isinstance(envelope, Rejection):
        return envelope
    value = _json_value(raw)
    if isinstance(value, Rejection):
        return value
    document = _document(envelope, value)
    if isinstance(document, Rejection):
        return document
    return _validate(document, topic=topic, key=key, now=now)


def _json_value(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection("not_utf8", "the value is not UTF-8 text")
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        return Rejection("too_deep", f"the value nests {depth} levels; the limit is {MAX_NESTING}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return Rejection("not_json", f"the value is not JSON: {err.msg} at position {err.pos}")
    except ValueError:
        # Python refuses integers of more than 4,300 digits with a plain ValueError.
        return Rejection("not_json", "the value is not JSON that can be read (a number too long)")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return Rejection("not_utf8", "the value escapes characters that are not Unicode text")
    return value


def _document(envelope: Envelope, value: Any) -> dict[str, Any] | Rejection:
    """The event as one JSON object, whichever content mode carried it."""
    if envelope.mode == "binary":
        document: dict[str, Any] = {**envelope.attributes, "data": value}
        if envelope.content_type is not None:
            document["datacontenttype"] = envelope.content_type
        return document
    if not isinstance(value, dict):
        return Rejection("not_cloudevent", "the value is JSON but not an object")
    given = value.get("datacontenttype")
    if isinstance(given, str) and media_type_of(given) == JSON:
        # "application/json; charset=utf-8" says the same as the contract's "application/json".
        value["datacontenttype"] = JSON
    return value


def _validate(
    document: dict[str, Any], *, topic: str, key: bytes | None, now: datetime | None
) -> InputEvent | Rejection:
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
