"""The event contract as an AsyncAPI 3.0 document, generated from the models so it cannot drift.

Two things are written to ``docs/``: ``asyncapi.json`` (every topic, both content modes of each
event type coming in, the case updates and dead letters going out) and ``schemas/<type>.json``, one
self-contained JSON Schema per event type, against which a sender can check an event before
publishing it (``check-jsonschema --schemafile docs/schemas/<type>.json event.json``).

Run ``onething asyncapi`` after changing a model; a unit test fails while the files in ``docs/``
differ from what the code gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from events.dead_letters import DeadLetter
from events.models import EVENT_MODELS, CloudEventBase, OutEvent
from onething.constants import (
    EVENT_TYPES,
    SUBJECT_PATTERN,
    TOPIC_CASE_UPDATES,
    TOPIC_DEAD_LETTERS,
    TOPIC_PARTITIONS,
)

#: The version of the public interface (CONTRACT.md) this document describes.
CONTRACT_VERSION: Final = "2"
DOCS: Final = Path(__file__).resolve().parents[1] / "docs"
ASYNCAPI_FILE: Final = "asyncapi.json"
SCHEMAS_DIR: Final = "schemas"
REGENERATE: Final = "onething asyncapi"

_COMPONENT_REF: Final = "#/components/schemas/{model}"
_KAFKA_BINDING: Final = "0.5.0"
_JSON_SCHEMA: Final = "https://json-schema.org/draft/2020-12/schema"
_ATTRIBUTE_HEADERS: Final = ("specversion", "id", "source", "type", "subject", "time")


def generate() -> dict[str, str]:
    """Every file of the contract, by path relative to ``docs/``, as its text."""
    files = {ASYNCAPI_FILE: _dump(asyncapi_document())}
    for event_type, model in sorted(EVENT_MODELS.items()):
        files[f"{SCHEMAS_DIR}/{event_type}.json"] = _dump(event_schema(event_type, model))
    return files


def event_schema(event_type: str, model: type[CloudEventBase]) -> dict[str, Any]:
    """The self-contained JSON Schema (2020-12) of one event type, as a structured-mode value."""
    schema = model.model_json_schema()
    return {
        "$schema": _JSON_SCHEMA,
        "$id": f"urn:onething:event:{event_type}:v{CONTRACT_VERSION}",
        **schema,
        "description": _describe(model, event_type),
    }


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic onething reads or writes."""
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(EVENT_MODELS.items()):
        topic = EVENT_TYPES[event_type][0]
        name = model.__name__
        schemas.update(_component_schemas(model))
        data_model = _data_model(model)
        messages[f"{name}Structured"] = _structured_message(event_type, model)
        messages[f"{name}Binary"] = _binary_message(event_type, model, data_model)
        channel = _channel_id(topic)
        channels[channel] = _channel(topic, [f"{name}Structured", f"{name}Binary"])
        operations[f"receive{name}"] = {
            "action": "receive",
            "title": f"A sender publishes {event_type}; the bridge starts a case from it",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{name}{mode}"}
                for mode in ("Structured", "Binary")
            ],
        }
    outgoing: tuple[tuple[str, type[BaseModel], str], ...] = (
        (TOPIC_CASE_UPDATES, OutEvent, "A case started, moved on or ended (no personal data)."),
        (TOPIC_DEAD_LETTERS, DeadLetter, "An input record the bridge could not accept."),
    )
    for topic, out_model, summary in outgoing:
        name = out_model.__name__
        schemas.update(_component_schemas(out_model))
        messages[name] = _out_message(out_model, topic, summary)
        channel = _channel_id(topic)
        channels[channel] = _channel(topic, [name])
        operations[f"send{name}"] = {
            "action": "send",
            "title": summary,
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "onething events",
            "version": CONTRACT_VERSION,
            "description": (
                "The CloudEvents onething reads and writes on Kafka. Events in may use either "
                "content mode of the CloudEvents Kafka protocol binding; events out are "
                "structured. The record key is the event's subject. Generated from the models "
                f"by `{REGENERATE}`: do not edit by hand."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def check(docs: Path = DOCS) -> list[str]:
    """The files under ``docs`` that differ from what the code gives (missing ones included)."""
    stale = []
    for relative, text in generate().items():
        path = docs / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    return stale


def write(docs: Path = DOCS) -> list[Path]:
    """Write every file of the contract under ``docs``; return their paths."""
    written = []
    for relative, text in generate().items():
        path = docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _describe(model: type[BaseModel], event_type: str) -> str:
    topic = EVENT_TYPES[event_type][0]
    return (
        f"{(model.__doc__ or '').strip()} Type {event_type}, on topic {topic}, keyed by its "
        "subject. The schema checks the shape; the bridge also verifies ID-number check digits "
        "(GB 11643-1999) and USCC check characters (GB 32100-2015), and refuses implausible facts."
    )


def _component_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema and those it refers to, referring to each other as components."""
    schema = model.model_json_schema(ref_template=_COMPONENT_REF)
    found = schema.pop("$defs", {})
    found[model.__name__] = schema
    return dict(found)


def _data_model(model: type[CloudEventBase]) -> type[BaseModel]:
    data_model = model.model_fields["data"].annotation
    if not (isinstance(data_model, type) and issubclass(data_model, BaseModel)):
        raise TypeError(f"{model.__name__}.data must be a model to be described")
    return data_model


def _channel_id(topic: str) -> str:
    return topic.replace(".", "-")


def _channel(topic: str, message_names: list[str]) -> dict[str, Any]:
    return {
        "address": topic,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in message_names},
        "bindings": {
            "kafka": {
                "topic": topic,
                "partitions": TOPIC_PARTITIONS,
                "bindingVersion": _KAFKA_BINDING,
            }
        },
    }


def _key_binding() -> dict[str, Any]:
    return {
        "kafka": {
            "key": {"type": "string", "pattern": SUBJECT_PATTERN},
            "bindingVersion": _KAFKA_BINDING,
        }
    }


def _structured_message(event_type: str, model: type[CloudEventBase]) -> dict[str, Any]:
    return {
        "name": event_type,
        "title": f"{event_type} (structured content mode)",
        "summary": (model.__doc__ or "").strip(),
        "contentType": "application/cloudevents+json",
        "headers": {
            "type": "object",
            "properties": {
                "content-type": {
                    "type": "string",
                    "description": "Optional; application/cloudevents+json (charset utf-8 only).",
                }
            },
        },
        "payload": {"$ref": _COMPONENT_REF.format(model=model.__name__)},
        "bindings": _key_binding(),
    }


def _binary_message(
    event_type: str, model: type[CloudEventBase], data_model: type[BaseModel]
) -> dict[str, Any]:
    attributes = model.model_json_schema()["properties"]
    headers: dict[str, Any] = {
        f"ce_{name}": {**attributes[name], "title": f"ce_{name}"} for name in _ATTRIBUTE_HEADERS
    }
    headers["content-type"] = {
        "type": "string",
        "description": "The event's datacontenttype: application/json (the default) if given.",
    }
    return {
        "name": event_type,
        "title": f"{event_type} (binary content mode)",
        "summary": f"{(model.__doc__ or '').strip()} Attributes in ce_ headers, data as the value.",
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "properties": headers,
            "required": [f"ce_{name}" for name in _ATTRIBUTE_HEADERS],
        },
        "payload": {"$ref": _COMPONENT_REF.format(model=data_model.__name__)},
        "bindings": _key_binding(),
    }


def _out_message(model: type[BaseModel], topic: str, summary: str) -> dict[str, Any]:
    out = model is OutEvent
    return {
        "name": topic,
        "title": model.__name__,
        "summary": summary,
        "contentType": "application/cloudevents+json" if out else "application/json",
        "payload": {"$ref": _COMPONENT_REF.format(model=model.__name__)},
        **({"bindings": _key_binding()} if out else {}),
    }
