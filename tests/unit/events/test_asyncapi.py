"""The AsyncAPI document and per-type JSON Schemas in docs/ match the models and hold the contract.

If ``test_docs_match_the_models`` fails, a model changed: run ``onething asyncapi`` and commit
``docs/asyncapi.json`` and ``docs/schemas/``.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry, Resource

from events import asyncapi
from events.models import EVENT_MODELS
from onething.constants import EVENT_TYPES, INPUT_TOPICS, TOPIC_CASE_UPDATES, TOPIC_DEAD_LETTERS
from tests.helpers.samples import birth_event

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs"
#: The contract's example events (one per type), as a sender would publish them.
EXAMPLES = DOCS / "examples"


def _rfc3339(value: object) -> bool:
    """RFC 3339 needs an offset; jsonschema checks date-time only with an optional package."""
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


FORMATS = FormatChecker()
FORMATS.checks("date-time", raises=ValueError)(_rfc3339)


def examples() -> list[dict[str, Any]]:
    """The contract's example events."""
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def schema_of(event_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DOCS / "schemas" / f"{event_type}.json").read_text())
    return schema


def errors(event: Any, schema: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(event)
    ]


def test_docs_match_the_models() -> None:
    stale = asyncapi.check(DOCS)
    assert stale == [], (
        f"{stale} differ from the models: run `{asyncapi.REGENERATE}` and commit docs/"
    )


def test_a_stale_or_missing_file_is_named(tmp_path: Path) -> None:
    asyncapi.write(tmp_path)
    assert asyncapi.check(tmp_path) == []
    (tmp_path / "schemas" / "onething.birth.registered.json").write_text("{}\n")
    (tmp_path / "asyncapi.json").unlink()
    assert sorted(asyncapi.check(tmp_path)) == [
        "asyncapi.json",
        "schemas/onething.birth.registered.json",
    ]


def test_there_is_an_example_of_every_event_type() -> None:
    assert sorted(event["type"] for event in examples()) == sorted(EVENT_MODELS)


def test_there_is_a_valid_json_schema_per_event_type() -> None:
    assert sorted(p.stem for p in (DOCS / "schemas").glob("*.json")) == sorted(EVENT_MODELS)
    for event_type in EVENT_MODELS:
        Draft202012Validator.check_schema(schema_of(event_type))


@pytest.mark.parametrize("event", examples(), ids=lambda e: e["type"])
def test_the_examples_validate_against_their_types_schema(event: dict[str, Any]) -> None:
    assert errors(event, schema_of(event["type"])) == []


BAD: list[tuple[str, Any]] = [
    ("no subject", lambda e: e.pop("subject")),
    ("subject with a space", lambda e: e.update(subject="LX 1")),
    ("time without an offset", lambda e: e.update(time="2026-05-23T09:40:00")),
    ("specversion 0.3", lambda e: e.update(specversion="0.3")),
    ("datacontenttype text/xml", lambda e: e.update(datacontenttype="text/xml")),
    ("no data", lambda e: e.pop("data")),
    ("an ID number too short", lambda e: _first_person(e["data"]).update(id_number="3307811993")),
]


def _first_person(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("mother", "deceased", "person", "legal_representative"):
        if key in data:
            person: dict[str, Any] = data[key]
            return person
    raise AssertionError("no person in the event")


@pytest.mark.parametrize(("what", "spoil"), BAD, ids=[what for what, _ in BAD])
def test_a_bad_event_does_not_validate(what: str, spoil: Any) -> None:
    for event in examples():
        bad = copy.deepcopy(event)
        spoil(bad)
        assert errors(bad, schema_of(event["type"])) != [], f"{what} validated"


def test_an_event_does_not_validate_against_another_types_schema() -> None:
    birth = birth_event()
    for event_type in set(EVENT_MODELS) - {birth["type"]}:
        assert errors(birth, schema_of(event_type)) != []


def test_datacontenttype_may_be_left_out() -> None:
    event = birth_event()
    del event["datacontenttype"]
    assert errors(event, schema_of(event["type"])) == []


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCS / "asyncapi.json").read_text())
    return loaded


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_asyncapi_document_describes_every_topic_in_both_modes(
    document: dict[str, Any],
) -> None:
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {*INPUT_TOPICS, TOPIC_CASE_UPDATES, TOPIC_DEAD_LETTERS}
    for event_type, model in EVENT_MODELS.items():
        topic = EVENT_TYPES[event_type][0]
        (channel,) = [c for c in document["channels"].values() if c["address"] == topic]
        assert set(channel["messages"]) == {
            f"{model.__name__}Structured",
            f"{model.__name__}Binary",
        }
        binary = document["components"]["messages"][f"{model.__name__}Binary"]
        assert {"ce_id", "ce_source", "ce_type", "ce_subject", "ce_time"} <= set(
            binary["headers"]["required"]
        )
    for ref in _refs(document):
        _resolve(document, ref)


@pytest.mark.parametrize("event", examples(), ids=lambda e: e["type"])
def test_the_examples_validate_against_the_asyncapi_messages(
    document: dict[str, Any], event: dict[str, Any]
) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:onething:asyncapi", Resource.opaque(document)
    )
    model = EVENT_MODELS[event["type"]].__name__
    payload = document["components"]["messages"][f"{model}Structured"]["payload"]
    schema = {"$ref": f"urn:onething:asyncapi{payload['$ref']}"}
    validator = Draft202012Validator(schema, registry=registry, format_checker=FORMATS)
    assert list(validator.iter_errors(event)) == []
    bad = dict(event, time="2026-05-23T09:40:00")
    assert list(validator.iter_errors(bad)) != []


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("check-jsonschema is a dev dependency: pip install -e '.[dev]'")
    return found


def test_an_integrator_can_check_an_event_with_check_jsonschema(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    event = birth_event()
    good.write_text(json.dumps(event, ensure_ascii=False))
    bad.write_text(json.dumps(dict(event, time="2026-05-23T09:40:00"), ensure_ascii=False))
    schema = DOCS / "schemas" / f"{event['type']}.json"

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_check_jsonschema(), "--schemafile", str(schema), str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=120,
        )

    assert run(good).returncode == 0, run(good).stdout
    failed = run(bad)
    assert failed.returncode == 1
    assert "date-time" in failed.stdout


def test_onething_asyncapi_check_says_the_docs_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "onething.cli", "asyncapi", "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "docs/ matches the models"), (
        result.stderr
    )
