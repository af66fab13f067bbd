"""Property tests of the edge: whatever arrives, parse_event answers, and never echoes a person.

Three kinds of input: arbitrary bytes, arbitrary JSON, and valid events with mutations (fields
dropped, replaced by arbitrary JSON, or filled with a person's ID number or name). For each, the
parser returns an event or a Rejection without raising, and a Rejection's detail contains none of
the ID numbers and names the input carried.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import CloudEventBase
from events.parsing import Rejection, parse_event
from events.plausibility import MAX_FATHER_AGE, MAX_MOTHER_AGE, MIN_PARENT_AGE
from onething.constants import EVENT_TYPES, TOPIC_BIRTHS
from onething.identifiers import make_id_number
from tests.helpers.samples import birth_event

pytestmark = pytest.mark.fuzz

TOPICS = sorted({topic for topic, _ in EVENT_TYPES.values()})
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Common surname and given-name characters: names as registries hold them.
_NAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高安然子涵梓萱一诺浩宇欣怡宇轩雨桐若汐沐辰思远书瑶"
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
names = st.text(alphabet=_NAME_CHARS, min_size=2, max_size=4)
regions = st.sampled_from(["330781", "330702", "110101", "440305"])
sequences = st.integers(min_value=0, max_value=999)
#: The child of ``birth_event`` is born on 2026-05-23: parents of an age to be its parents.
_BORN = date(2026, 5, 23)
parent_id_numbers = {
    parent: st.builds(
        make_id_number,
        regions,
        st.dates(
            min_value=_BORN.replace(year=_BORN.year - oldest - 1) + timedelta(days=1),
            max_value=_BORN.replace(year=_BORN.year - MIN_PARENT_AGE),
        ),
        sequences,
    )
    for parent, oldest in (("mother", MAX_MOTHER_AGE), ("father", MAX_FATHER_AGE))
}


def _people(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [person for key in ("mother", "father") if (person := data.get(key)) is not None]


@st.composite
def birth_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid birth event about people with drawn names and ID numbers."""
    event = birth_event(father=draw(st.booleans()))
    event["data"]["child"]["name"] = draw(names)
    for parent in ("mother", "father"):
        if (person := event["data"].get(parent)) is not None:
            person["id_number"] = draw(parent_id_numbers[parent])
            person["name"] = draw(names)
    return event


def personal_values(event: dict[str, Any]) -> set[str]:
    """The ID numbers and names an event carries (before any mutation)."""
    data = event["data"]
    values = {data["child"]["name"]}
    for person in _people(data):
        values |= {person["id_number"], person["name"]}
    return values


def _paths(document: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    return found


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


def _drop(document: dict[str, Any], path: tuple[str, ...]) -> None:
    for key in path[:-1]:
        document = document[key]
    del document[path[-1]]


@st.composite
def mutated_events(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """A valid event after one to three mutations, and the personal values it started with."""
    event = draw(birth_events())
    secrets = personal_values(event)
    mutated = copy.deepcopy(event)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(mutated)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["drop", "arbitrary", "personal", "check_digit"]))
        if action == "drop":
            _drop(mutated, path)
        elif action == "arbitrary":
            _set(mutated, path, draw(json_values))
        elif action == "personal":
            _set(mutated, path, draw(st.sampled_from(sorted(secrets))))
        else:
            number = draw(st.sampled_from(sorted(s for s in secrets if s[:1].isdigit())))
            wrong = number[:17] + ("0" if number[17] != "0" else "1")
            secrets.add(wrong)
            _set(mutated, path, wrong)
    raw = json.dumps(mutated, ensure_ascii=draw(st.booleans())).encode()
    return raw, secrets


def assert_answers_without_echo(raw: bytes, topic: str, secrets: set[str]) -> None:
    result = parse_event(raw, topic=topic, key=None)
    assert isinstance(result, CloudEventBase | Rejection)
    if isinstance(result, Rejection):
        text = f"{result.reason} {result.detail}"
        echoed = sorted(secret for secret in secrets if secret in text)
        assert echoed == [], f"rejection echoes personal data: {result}"


@FUZZ
@given(raw=st.binary(max_size=2048), topic=st.sampled_from(TOPICS))
def test_arbitrary_bytes_get_an_answer(raw: bytes, topic: str) -> None:
    assert_answers_without_echo(raw, topic, set())


@FUZZ
@given(document=json_values, topic=st.sampled_from(TOPICS))
def test_arbitrary_json_gets_an_answer(document: Any, topic: str) -> None:
    assert_answers_without_echo(json.dumps(document).encode(), topic, set())


@FUZZ
@given(case=mutated_events())
def test_mutated_events_are_answered_without_echoing_a_person(case: tuple[bytes, set[str]]) -> None:
    raw, secrets = case
    assert_answers_without_echo(raw, TOPIC_BIRTHS, secrets)


@FUZZ
@given(event=birth_events())
def test_valid_events_with_drawn_people_parse(event: dict[str, Any]) -> None:
    raw = json.dumps(event, ensure_ascii=False).encode()
    parsed = parse_event(raw, topic=TOPIC_BIRTHS, key=event["subject"].encode())
    assert isinstance(parsed, CloudEventBase), parsed


header_names = st.sampled_from(
    ["content-type", "Content-Type", "ce_specversion", "ce_id", "ce_type", "ce_subject", "ce_time"]
) | st.text(max_size=20)
header_values = (
    st.none()
    | st.binary(max_size=64)
    | st.sampled_from(
        [b"1.0", b"application/json", b"application/cloudevents+json; charset=utf-8", b"\xff\xfe"]
    )
)
headers_lists = st.lists(st.tuples(header_names, header_values), max_size=8)


@st.composite
def nested_values(draw: st.DrawFn) -> bytes:
    """Brackets nested up to 20,000 deep, balanced or not, around arbitrary JSON or event parts."""
    depth = draw(st.integers(min_value=0, max_value=20_000))
    opener = draw(st.sampled_from(["[", '{"a":', '{"data":', '["\\"', "[{"]))
    closer = draw(st.sampled_from(["]", "}", "", "]}", '"]']))
    middle = draw(st.sampled_from(["1", "null", '"x"', json.dumps(birth_event())]))
    return (opener * depth + middle + closer * draw(st.integers(0, depth))).encode()


@FUZZ
@given(raw=st.binary(max_size=2048), topic=st.sampled_from(TOPICS), headers=headers_lists)
def test_arbitrary_bytes_and_headers_get_an_answer(
    raw: bytes, topic: str, headers: list[tuple[str, bytes | None]]
) -> None:
    result = parse_event(raw, topic=topic, key=raw[:8] or None, headers=headers)
    assert isinstance(result, CloudEventBase | Rejection)


@FUZZ
@given(raw=nested_values(), headers=headers_lists)
def test_deep_nesting_gets_an_answer(raw: bytes, headers: list[tuple[str, bytes | None]]) -> None:
    result = parse_event(raw, topic=TOPIC_BIRTHS, headers=headers)
    assert isinstance(result, CloudEventBase | Rejection)


@FUZZ
@given(event=birth_events(), headers=headers_lists, value=json_values)
def test_binary_mode_with_arbitrary_headers_gets_an_answer(
    event: dict[str, Any], headers: list[tuple[str, bytes | None]], value: Any
) -> None:
    attributes = [(f"ce_{k}", str(v).encode()) for k, v in event.items() if k != "data"]
    data = json.dumps(event["data"] if value is None else value, ensure_ascii=False).encode()
    result = parse_event(data, topic=TOPIC_BIRTHS, headers=attributes + headers)
    assert isinstance(result, CloudEventBase | Rejection)
