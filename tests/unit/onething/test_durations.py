"""Durations as operators type and read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from onething.cases import list_query
from onething.durations import format_span, parse_duration


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1w", timedelta(weeks=1)),
        (" 2H ", timedelta(hours=2)),
        ("PT2H", timedelta(hours=2)),
        ("P3D", timedelta(days=3)),
    ],
)
def test_durations_are_read_compact_or_iso(typed: str, expected: timedelta) -> None:
    assert parse_duration(typed) == expected


@pytest.mark.parametrize("typed", ["", "soon", "2", "h2", "2 hours", "0s", "P", "-1h"])
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(typed)


@pytest.mark.parametrize(
    ("span", "shown"),
    [
        (timedelta(seconds=2.48), "2.5s"),
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=12, seconds=5), "12m 05s"),
        (timedelta(hours=4, minutes=5), "4h 05m"),
        (timedelta(days=2, hours=23, minutes=59), "2d 23h"),
        (-timedelta(hours=1), "-1h 00m"),
    ],
)
def test_spans_show_their_two_largest_units(span: timedelta, shown: str) -> None:
    assert format_span(span) == shown


def test_age_filters_become_start_time_clauses() -> None:
    moment = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    query = list_query(bundle="newborn", started_before=moment, started_after=moment)
    assert query == (
        "Bundle IS NOT NULL AND Bundle = 'newborn' "
        "AND StartTime < '2026-11-26T08:00:00.000000Z' "
        "AND StartTime > '2026-11-26T08:00:00.000000Z'"
    )
    with pytest.raises(ValueError, match="time zone"):
        list_query(started_before=datetime(2026, 11, 26))
