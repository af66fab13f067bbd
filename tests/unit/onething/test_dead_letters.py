"""What operators see of a dead letter: why and where from, never the values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from events.dead_letters import DeadLetter
from onething.cli import app
from onething.dead_letters import REASONS, DeadLetterEntry, _matches

AT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
EVENTS = Path(__file__).resolve().parents[3] / "events"


def letter(
    reason: str = "invalid_event", detail: str = "data.mother: missing", **more: object
) -> DeadLetter:
    fields: dict[str, object] = {
        "reason": reason,
        "detail": detail,
        "source_topic": "hospital.births",
        "partition": 2,
        "offset": 41,
        "key_base64": "S0VZ",
        "original_base64": "eyJuYW1lIjogIueOi+aFpyJ9",
        "size": 17,
        "sha256": "0" * 64,
        "dead_lettered_at": AT,
    }
    return DeadLetter.model_validate(fields | more)


def test_an_entry_keeps_why_and_where_but_neither_key_nor_bytes() -> None:
    entry = DeadLetterEntry.of(letter())

    shown = entry.model_dump_json()
    assert set(entry.model_dump()) == {
        "reason",
        "detail",
        "source_topic",
        "partition",
        "offset",
        "dead_lettered_at",
        "case_id",
    }
    assert "S0VZ" not in shown
    assert "eyJ" not in shown


def test_a_rejected_correction_names_its_case_also_in_letters_written_before_case_id() -> None:
    named = letter("correction_rejected", "x", case_id="newborn-BR-1")
    older = letter(
        "correction_rejected",
        "newborn-BR-2 exists; fields ['child']: the case has ended; a new event cannot change it",
    )

    assert DeadLetterEntry.of(named).case_id == "newborn-BR-1"
    assert DeadLetterEntry.of(older).case_id == "newborn-BR-2"
    assert DeadLetterEntry.of(letter()).case_id is None


def test_the_filters_select_by_time_reason_and_case() -> None:
    entry = DeadLetterEntry.of(letter("correction_rejected", "x", case_id="death-D1"))

    assert _matches(entry, AT - timedelta(seconds=1), None, None)
    assert not _matches(entry, AT + timedelta(seconds=1), None, None)
    assert _matches(entry, None, "correction_rejected", "death-D1")
    assert not _matches(entry, None, "not_json", None)
    assert not _matches(entry, None, None, "death-D2")


def test_every_reason_the_bridge_dead_letters_for_is_known() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in EVENTS.glob("*.py"))
    used = set(re.findall(r'Rejection\(\s*"([a-z0-9_]+)"', source))

    assert used
    assert used <= set(REASONS)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--reason", "bogus"), "error: --reason must be one of too_large, not_utf8"),
        (("--since", "soon"), "error: --since: 'soon' is neither a duration"),
    ],
)
def test_a_filter_value_not_known_is_refused_in_one_line(args: tuple[str, ...], said: str) -> None:
    refused = CliRunner().invoke(app, ["dead-letters", *args])

    assert refused.exit_code == 2
    (line,) = refused.output.strip().splitlines()
    assert line.startswith(said)


def test_a_letter_of_any_version_is_read_without_its_values() -> None:
    from onething.dead_letters import _entry

    older = letter().model_dump_json(exclude={"size", "sha256"}).encode()
    newer = letter().model_dump_json().encode()

    for value in (older, newer):
        entry = _entry(value)
        assert entry is not None
        assert entry.reason == "invalid_event"
        assert "original_base64" not in entry.model_dump_json()
