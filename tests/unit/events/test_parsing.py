"""Validation at the edge: every kind of bad input has a reason, and no reason echoes a value."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from events.models import BirthEvent
from events.parsing import MAX_EVENT_BYTES, MAX_NESTING, Rejection, parse_event
from tests.helpers.samples import birth_event

TOPIC = "hospital.births"


def raw(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def rejected(
    value: bytes,
    *,
    topic: str = TOPIC,
    key: bytes | None = None,
    headers: Sequence[tuple[str, bytes | None]] | None = None,
) -> Rejection:
    result = parse_event(value, topic=topic, key=key, headers=headers or ())
    assert isinstance(result, Rejection), result
    return result


def test_a_valid_birth_event_parses() -> None:
    event = birth_event("LX-1")
    parsed = parse_event(raw(event), topic=TOPIC, key=b"LX-1")
    assert isinstance(parsed, BirthEvent)
    assert parsed.data.mother.id_number == event["data"]["mother"]["id_number"]


def test_the_shared_example_shape_parses_without_a_father() -> None:
    assert isinstance(parse_event(raw(birth_event(father=False)), topic=TOPIC), BirthEvent)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe", "not_utf8"),
        (b"{not json", "not_json"),
        (b"[1, 2]", "not_cloudevent"),
        (b'{"type": "onething.birth.registered"}', "not_cloudevent"),
        (b'{"specversion": "1.0", "type": "x.y"}', "unknown_type"),
        (b"x" * (MAX_EVENT_BYTES + 1), "too_large"),
    ],
)
def test_malformed_values_are_rejected_with_a_reason(value: bytes, reason: str) -> None:
    assert rejected(value).reason == reason


def test_a_wrong_check_digit_is_rejected_without_echoing_the_number() -> None:
    event = birth_event()
    good = event["data"]["mother"]["id_number"]
    event["data"]["mother"]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    rejection = rejected(raw(event))
    assert rejection.reason == "invalid_event"
    assert "data.mother.id_number" in rejection.detail
    assert "check digit" in rejection.detail
    assert good[:17] not in rejection.detail


def test_a_missing_field_names_the_field() -> None:
    event = birth_event()
    del event["data"]["child"]["born_at"]
    rejection = rejected(raw(event))
    assert "child.born_at" in rejection.detail


@pytest.mark.parametrize("subject", ["has space", "x" * 65, ""])
def test_subjects_outside_the_contract_are_rejected(subject: str) -> None:
    assert rejected(raw(birth_event(subject))).reason == "invalid_event"


def test_a_subject_that_is_an_id_number_is_rejected() -> None:
    event = birth_event()
    event["subject"] = event["data"]["mother"]["id_number"]
    assert rejected(raw(event)).reason == "subject_is_id_number"


def test_an_event_on_the_wrong_topic_is_rejected() -> None:
    assert rejected(raw(birth_event()), topic="hospital.deaths").reason == "wrong_topic"


def test_a_key_other_than_the_subject_is_rejected() -> None:
    assert rejected(raw(birth_event("LX-1")), key=b"LX-2").reason == "key_mismatch"


def test_a_time_without_offset_is_rejected() -> None:
    event = birth_event()
    event["time"] = "2026-05-23T09:40:00"
    assert "time" in rejected(raw(event)).detail


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 10_000, 100_000])
def test_deep_nesting_is_rejected_without_recursing(depth: int) -> None:
    for value in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        if len(value) <= MAX_EVENT_BYTES:
            assert rejected(value).reason == "too_deep"


def test_nesting_inside_strings_does_not_count() -> None:
    event = birth_event()
    event["source"] = "urn:" + '[{\\"' * 100
    assert isinstance(parse_event(raw(event), topic=TOPIC), BirthEvent)


def test_an_event_deeply_nested_in_its_data_is_rejected() -> None:
    event = birth_event()
    event["data"]["hospital"]["extra"] = "NESTED"
    nested = "[" * 10_000 + "]" * 10_000
    value = raw(event).replace(b'"NESTED"', nested.encode())
    assert rejected(value).reason == "too_deep"


def test_a_number_too_long_for_python_is_not_json() -> None:
    assert rejected(b"1" * 5000).reason == "not_json"


def test_escaped_text_that_is_not_unicode_is_rejected() -> None:
    value = raw(birth_event()).replace("徐安然".encode(), b"\\ud800")
    assert rejected(value).reason == "not_utf8"


def test_datacontenttype_may_be_left_out() -> None:
    event = birth_event()
    del event["datacontenttype"]
    parsed = parse_event(raw(event), topic=TOPIC)
    assert isinstance(parsed, BirthEvent)
    assert parsed.datacontenttype == "application/json"


def test_datacontenttype_other_than_json_is_rejected() -> None:
    event = birth_event()
    event["datacontenttype"] = "text/xml"
    rejection = rejected(raw(event))
    assert (rejection.reason, "datacontenttype" in rejection.detail) == ("invalid_event", True)


def test_a_parser_that_raises_gives_a_rejection(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_: str) -> int:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("events.parsing.nesting_depth", explode)
    rejection = rejected(raw(birth_event()))
    assert rejection == Rejection("unparseable", "parsing the record raised RecursionError")


ODD_HEADERS: list[list[tuple[str, bytes | None]]] = [
    [("x-trace", b"\xff\xfe\x00")],
    [("x-trace", None)],
    [("x-trace", b"a"), ("x-trace", b"b")],
    [("x-huge", b"h" * 1_000_000)],
    [(f"x-{n}", b"v") for n in range(500)],
    [("", b"")],
    [("Ünïcode-名", "值".encode())],
    [("ce_specversion_not", b"\xff"), ("ce_id", None), ("ce_id", b"\xff")],
    [("content-type", b"application/cloudevents+json"), ("ce_specversion", b"\xff")],
]


@pytest.mark.parametrize("headers", ODD_HEADERS)
def test_odd_headers_the_binding_does_not_read_are_ignored(
    headers: list[tuple[str, bytes | None]],
) -> None:
    parsed = parse_event(raw(birth_event()), topic=TOPIC, headers=headers)
    assert isinstance(parsed, BirthEvent), parsed


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ([("content-type", b"\xff\xfe")], "content-type is not UTF-8"),
        ([("content-type", None)], "content-type has no value"),
        (
            [("content-type", b"application/json"), ("Content-Type", b"text/plain")],
            "content-type appears 2 times",
        ),
        ([("content-type", b"application/json" + b" " * 2000)], "the limit is 1024"),
        ([("ce_specversion", b"1.0"), ("ce_id", None)], "ce_id has no value"),
        ([("ce_specversion", b"1.0"), ("ce_id", b"a"), ("ce_id", b"b")], "ce_id appears"),
        ([("ce_specversion", b"\xc3\x28")], "ce_specversion is not UTF-8"),
        ([("ce_specversion", b"1.0"), ("ce_mother", b"\xff")], "a ce_ extension header"),
    ],
)
def test_odd_binding_headers_are_rejected_naming_the_header(
    headers: list[tuple[str, bytes | None]], detail: str
) -> None:
    rejection = rejected(raw(birth_event()), headers=headers)
    assert rejection.reason == "bad_headers"
    assert detail in rejection.detail


def test_an_extension_header_name_is_not_echoed() -> None:
    headers = [("ce_specversion", b"1.0"), ("ce_xu_mingzi", b"\xff")]
    assert "xu_mingzi" not in rejected(raw(birth_event()), headers=headers).detail
