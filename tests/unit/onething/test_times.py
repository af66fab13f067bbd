"""One time convention: local time with its zone in tables, RFC 3339 with offset in JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from onething.cases import CaseSummary, TimelineEntry
from onething.cli.times import json_time, local_time, parse_since, to_json
from onething.settings import Settings
from tests.unit.report.helpers import view

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 2, 1, 5, 7, 123456, tzinfo=UTC)


def test_a_table_shows_local_time_with_its_zone() -> None:
    assert local_time(AT, SHANGHAI) == "2026-12-02 09:05:07 CST"
    assert local_time(AT, ZoneInfo("UTC")) == "2026-12-02 01:05:07 UTC"
    assert local_time(None, SHANGHAI) == ""


def test_the_default_zone_is_shanghai_and_a_wrong_one_is_refused() -> None:
    assert Settings().tz == "Asia/Shanghai"
    assert Settings(tz="Europe/Berlin").tz == "Europe/Berlin"
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        Settings(tz="Mars/Olympus")


def test_json_gives_every_moment_with_the_zone_offset_and_never_a_bare_z() -> None:
    payload = {
        "summary": CaseSummary(
            case_id="newborn-1",
            bundle="newborn",
            status="completed",
            waiting_on=[],
            started_at=AT,
            closed_at=AT + timedelta(seconds=3),
        ),
        "timeline": [TimelineEntry(at=AT, event="case started")],
        "case": view(),
        "given": datetime(2026, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5))),
        "born": date(2026, 5, 1),
        "sla": timedelta(days=2),
    }

    text = to_json(payload, SHANGHAI)
    data = json.loads(text)

    assert json_time(AT, SHANGHAI) == "2026-12-02T09:05:07.123456+08:00"
    assert data["summary"]["started_at"] == "2026-12-02T09:05:07.123456+08:00"
    assert data["timeline"][0]["at"] == "2026-12-02T09:05:07.123456+08:00"
    assert data["case"]["started_at"].endswith("+08:00")
    assert data["given"] == "2026-05-01T22:00:00+08:00"
    assert data["born"] == "2026-05-01"
    assert data["sla"] == "P2D"
    assert 'Z"' not in text
    assert "+00:00" not in text


def test_since_takes_a_span_back_or_a_moment_in_the_operator_zone() -> None:
    assert parse_since("2h", AT, SHANGHAI) == AT - timedelta(hours=2)
    assert parse_since("PT30M", AT, SHANGHAI) == AT - timedelta(minutes=30)
    assert parse_since("2026-12-02T09:00", AT, SHANGHAI) == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert parse_since("2026-12-02T09:00+00:00", AT, SHANGHAI) == datetime(
        2026, 12, 2, 9, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since("soon", AT, SHANGHAI)
