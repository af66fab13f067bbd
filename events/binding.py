"""The CloudEvents Kafka protocol binding: which content mode a record uses, and its attributes.

Structured mode: the value is the whole event as JSON; a ``content-type`` header, when present, is
``application/cloudevents+json`` (or, as older SDKs write it, the event's ``application/json``).
Binary mode: the attributes ride in ``ce_`` headers, ``content-type`` gives ``datacontenttype``
and the value is the data. A record is binary when it carries ``ce_specversion`` and no
``application/cloudevents`` content type; otherwise it is structured, as the spec says.

Only the headers the binding reads are judged: any other header (not UTF-8, repeated, without a
value, huge) is the producer's business and is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from events.rejection import Rejection

Headers = Sequence[tuple[str, bytes | None]]

CONTENT_TYPE: Final = "content-type"
CE_PREFIX: Final = "ce_"
JSON: Final = "application/json"
STRUCTURED_JSON: Final = "application/cloudevents+json"
#: The Kafka headers of every event onething publishes: structured content mode, always.
STRUCTURED_HEADERS: Final[list[tuple[str, bytes]]] = [(CONTENT_TYPE, STRUCTURED_JSON.encode())]
#: The attributes a binding header carries are short: an ``id`` is at most 256 characters.
MAX_HEADER_VALUE_BYTES: Final = 1024
#: Header names echoed in a rejection; any other ``ce_`` name is free text and is not.
_KNOWN_HEADERS: Final = frozenset(
    {CONTENT_TYPE}
    | {
        f"{CE_PREFIX}{name}"
        for name in ("specversion", "id", "source", "type", "subject", "time", "datacontenttype")
    }
)


@dataclass(frozen=True)
class Envelope:
    """What a record's headers say about the event in its value.

    Attributes:
        mode: ``structured`` (the value is the event) or ``binary`` (the value is its data).
        attributes: In binary mode, the attributes from the ``ce_`` headers, without the prefix.
        content_type: The media type of the ``content-type`` header, lower-cased, if any.
    """

    mode: Literal["structured", "binary"]
    attributes: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


def read_envelope(headers: Headers) -> Envelope | Rejection:
    """Read the content mode and, in binary mode, the attributes from a record's headers.

    Args:
        headers: The record's headers as the Kafka client gives them.

    Returns:
        The envelope, or a :class:`Rejection` naming the header that is wrong (never its value).
    """
    binding: dict[str, list[bytes | None]] = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered == CONTENT_TYPE or lowered.startswith(CE_PREFIX):
            binding.setdefault(lowered, []).append(value)
    media_type = None
    if CONTENT_TYPE in binding:
        content_type = _header_text(CONTENT_TYPE, binding.pop(CONTENT_TYPE))
        if isinstance(content_type, Rejection):
            return content_type
        media_type = media_type_of(content_type)
        if media_type is None:
            return Rejection(
                "unsupported_content_type",
                "content-type must be application/cloudevents+json or application/json, "
                "with no charset but utf-8",
            )
    if media_type == STRUCTURED_JSON or f"{CE_PREFIX}specversion" not in binding:
        # Structured mode: the value holds every attribute, and ce_ headers mean nothing.
        return Envelope(mode="structured", content_type=media_type)
    attributes: dict[str, str] = {}
    for name, values in binding.items():
        text = _header_text(name, values)
        if isinstance(text, Rejection):
            return text
        attributes[name.removeprefix(CE_PREFIX)] = text
    return Envelope(mode="binary", attributes=attributes, content_type=media_type)


def media_type_of(
    content_type: str,
) -> Literal["application/json", "application/cloudevents+json"] | None:
    """The JSON media type a content type names, or None for anything else.

    A ``charset`` parameter is allowed only when it is UTF-8; other parameters are ignored.
    """
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            return None
    if media_type == JSON:
        return JSON
    if media_type == STRUCTURED_JSON:
        return STRUCTURED_JSON
    return None


def _header_text(name: str, values: list[bytes | None]) -> str | Rejection:
    shown = name if name in _KNOWN_HEADERS else "a ce_ extension header"
    if len(values) > 1:
        return Rejection("bad_headers", f"{shown} appears {len(values)} times")
    (value,) = values
    if value is None:
        return Rejection("bad_headers", f"{shown} has no value")
    if len(value) > MAX_HEADER_VALUE_BYTES:
        return Rejection(
            "bad_headers",
            f"{shown} is {len(value)} bytes; the limit is {MAX_HEADER_VALUE_BYTES}",
        )
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection("bad_headers", f"{shown} is not UTF-8")
