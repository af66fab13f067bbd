"""Validation at the edge: every kind of bad input has a reason, and no reason echoes a value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from events.models import BirthEvent
from events.parsing import MAX_EVENT_BYTES, Rejection, parse_event
from tests.helpers.samples import birth_event

TOPIC = "hospital.births"


def raw(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def rejected(value: bytes, *, topic: str = TOPIC, key: bytes | None = None) -> Rejection:
    result = parse_event(value, topic=topic, key=key)
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
