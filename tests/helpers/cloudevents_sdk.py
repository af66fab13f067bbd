"""Records made by the official CNCF CloudEvents SDK, as a hospital's integrator would make them.

Both of the SDK's APIs: the current one (``cloudevents.core``: ``CloudEvent`` with
``kafka.to_binary``/``to_structured`` and the JSON format) and the one most code still calls
(``cloudevents.v1``: ``http.CloudEvent`` or ``pydantic.CloudEvent`` with
``kafka.to_binary``/``to_structured``). Each returns ``(key, value, headers)`` for a plain producer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka as core_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as CoreCloudEvent
from cloudevents.v1 import kafka as v1_kafka
from cloudevents.v1.http import CloudEvent as HttpCloudEvent
from cloudevents.v1.pydantic import CloudEvent as PydanticCloudEvent

Headers = list[tuple[str, bytes | None]]
Message = tuple[bytes | None, bytes, Headers]
ATTRIBUTES = ("specversion", "id", "source", "type", "subject", "time", "datacontenttype")


def _attributes(event: dict[str, Any], *, datacontenttype: bool) -> dict[str, Any]:
    names = ATTRIBUTES if datacontenttype else ATTRIBUTES[:-1]
    return {name: event[name] for name in names} | {"hospitalref": "MCH-7"}


def _message(headers: dict[str, bytes], key: str | bytes | None, value: str | bytes) -> Message:
    encoded = key.encode() if isinstance(key, str) else key
    return encoded, value.encode() if isinstance(value, str) else value, list(headers.items())


def core_sdk(event: dict[str, Any], mode: str, *, datacontenttype: bool = True) -> Message:
    """The record the current SDK (``cloudevents.core``) makes of ``event``."""
    attributes = _attributes(event, datacontenttype=datacontenttype)
    attributes["time"] = datetime.fromisoformat(attributes["time"])
    made = CoreCloudEvent(attributes=attributes, data=event["data"])
    convert = core_kafka.to_binary if mode == "binary" else core_kafka.to_structured
    message = convert(made, JSONFormat(), key_mapper=lambda e: e.get_subject())
    return _message(message.headers, message.key, message.value)


def v1_sdk(
    event: dict[str, Any],
    mode: str,
    *,
    datacontenttype: bool = True,
    model: Callable[..., Any] = HttpCloudEvent,
) -> Message:
    """The record the SDK's v1 API (``cloudevents.v1``) makes of ``event``."""
    attributes = _attributes(event, datacontenttype=datacontenttype)
    attributes["partitionkey"] = event["subject"]
    made = model(attributes, event["data"])
    convert = v1_kafka.to_binary if mode == "binary" else v1_kafka.to_structured
    message = convert(made)
    return _message(message.headers, message.key, message.value)


def v1_pydantic_sdk(event: dict[str, Any], mode: str, *, datacontenttype: bool = True) -> Message:
    """The record the SDK's pydantic ``CloudEvent`` makes of ``event``."""
    return v1_sdk(event, mode, datacontenttype=datacontenttype, model=PydanticCloudEvent)
