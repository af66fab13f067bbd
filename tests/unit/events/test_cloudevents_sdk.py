"""Events made by the official CNCF CloudEvents SDK parse in both Kafka content modes.

Both of the SDK's APIs are used as a hospital's integrator would: the current one
(``cloudevents.core``: ``CloudEvent`` with ``kafka.to_binary``/``to_structured`` and the JSON
format) and the one most code still calls (``cloudevents.v1``: ``http.CloudEvent`` or
``pydantic.CloudEvent`` with ``kafka.to_binary``/``to_structured``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from events.models import BirthEvent
from events.parsing import Rejection, parse_event
from onething.constants import TOPIC_BIRTHS
from tests.helpers.cloudevents_sdk import Headers, Message, core_sdk, v1_pydantic_sdk, v1_sdk
from tests.helpers.samples import birth_event

SDKS = [core_sdk, v1_sdk, v1_pydantic_sdk]
#: Every SDK and mode, with and without ``datacontenttype``, except where the v1 API itself fails
#: on an event without one (a KeyError in its binary mode, an AttributeError in its pydantic
#: structured mode): an integrator cannot make those records with it.
MADE = [
    (sdk, mode, datacontenttype)
    for sdk in SDKS
    for mode in ("binary", "structured")
    for datacontenttype in (True, False)
    if datacontenttype or (sdk, mode) not in {(v1_sdk, "binary"), (v1_pydantic_sdk, "structured")}
]


def parse(message: Message) -> BirthEvent | Rejection:
    key, value, headers = message
    parsed = parse_event(value, topic=TOPIC_BIRTHS, key=key, headers=headers)
    assert isinstance(parsed, BirthEvent | Rejection)
    return parsed


@pytest.mark.parametrize(("sdk", "mode", "datacontenttype"), MADE)
def test_sdk_events_parse_to_the_same_event_as_plain_json(
    sdk: Callable[..., Message], mode: str, datacontenttype: bool
) -> None:
    event = birth_event("LX-SDK-1")
    message = sdk(event, mode, datacontenttype=datacontenttype)
    assert message[0] == b"LX-SDK-1"
    if mode == "binary":
        assert dict(message[2])["ce_specversion"] == b"1.0"

    parsed = parse(message)

    assert isinstance(parsed, BirthEvent), parsed
    assert parsed == BirthEvent.model_validate(event)


@pytest.mark.parametrize("sdk", SDKS)
def test_the_sdks_binary_mode_puts_the_attributes_in_headers(sdk: Callable[..., Message]) -> None:
    _, value, headers = sdk(birth_event("LX-SDK-2"), "binary")
    names = {name for name, _ in headers}
    assert {"ce_id", "ce_source", "ce_type", "ce_subject", "ce_time", "content-type"} <= names
    assert b"specversion" not in value


@pytest.mark.parametrize(
    "content_type",
    [
        b"application/cloudevents+json",
        b"application/cloudevents+json; charset=utf-8",
        b"Application/CloudEvents+JSON;charset=UTF-8",
        b"application/json",
        b"application/json; charset=utf-8",
    ],
)
def test_structured_content_types_are_honoured(content_type: bytes) -> None:
    key, value, _ = core_sdk(birth_event("LX-SDK-3"), "structured", datacontenttype=False)
    assert isinstance(parse((key, value, [("content-type", content_type)])), BirthEvent)


@pytest.mark.parametrize(
    "content_type",
    [b"application/cloudevents-batch+json", b"text/plain", b"application/json; charset=latin-1"],
)
def test_other_content_types_are_rejected(content_type: bytes) -> None:
    for mode in ("binary", "structured"):
        key, value, headers = core_sdk(birth_event("LX-SDK-4"), mode)
        headers = [(n, v) for n, v in headers if n != "content-type"]
        rejection = parse((key, value, [*headers, ("content-type", content_type)]))
        assert isinstance(rejection, Rejection)
        assert rejection.reason == "unsupported_content_type", mode


def test_a_structured_content_type_wins_over_ce_headers() -> None:
    key, value, _ = core_sdk(birth_event("LX-SDK-5"), "structured")
    headers: Headers = [
        ("content-type", b"application/cloudevents+json"),
        ("ce_specversion", b"0.3"),
        ("ce_id", b"other"),
    ]
    assert isinstance(parse((key, value, headers)), BirthEvent)


def test_binary_mode_without_a_content_type_is_json() -> None:
    key, value, headers = core_sdk(birth_event("LX-SDK-6"), "binary")
    parsed = parse((key, value, [(n, v) for n, v in headers if n != "content-type"]))
    assert isinstance(parsed, BirthEvent)
    assert parsed.datacontenttype == "application/json"


@pytest.mark.parametrize(
    ("header", "value", "reason", "detail"),
    [
        ("ce_specversion", b"0.3", "not_cloudevent", "specversion"),
        ("ce_type", b"onething.death.registered", "wrong_topic", "hospital.deaths"),
        ("ce_time", b"2026-05-23T09:40:00", "invalid_event", "time"),
        ("ce_subject", b"has space", "invalid_event", "subject"),
        ("ce_id", b"", "invalid_event", "id"),
    ],
)
def test_binary_attributes_are_held_to_the_contract(
    header: str, value: bytes, reason: str, detail: str
) -> None:
    _, data, headers = core_sdk(birth_event("LX-SDK-7"), "binary")
    headers = [(n, value if n == header else v) for n, v in headers]
    rejection = parse((None, data, headers))
    assert isinstance(rejection, Rejection)
    assert (rejection.reason, detail in rejection.detail) == (reason, True), rejection


def test_a_binary_record_missing_an_attribute_names_it() -> None:
    key, data, headers = core_sdk(birth_event("LX-SDK-8"), "binary")
    rejection = parse((key, data, [(n, v) for n, v in headers if n != "ce_source"]))
    assert isinstance(rejection, Rejection)
    assert (rejection.reason, "source" in rejection.detail) == ("invalid_event", True)


def test_a_binary_key_other_than_the_subject_is_rejected() -> None:
    _, data, headers = core_sdk(birth_event("LX-SDK-9"), "binary")
    rejection = parse((b"LX-OTHER", data, headers))
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "key_mismatch"


def test_binary_data_that_is_not_json_is_rejected() -> None:
    key, _, headers = core_sdk(birth_event("LX-SDK-10"), "binary")
    rejection = parse((key, b"<birth/>", headers))
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "not_json"
