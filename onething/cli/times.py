"""Times as the CLI shows them: one convention for tables and one for JSON.

Tables show wall-clock time in the operator's zone (``ONETHING_TZ``, default ``Asia/Shanghai``)
with the zone's name; JSON gives every moment in RFC 3339 with that zone's UTC offset
(``2026-12-02T17:05:00.123456+08:00``), never a bare ``Z`` beside ``+08:00``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter

from onething.durations import format_span, parse_duration


@lru_cache(maxsize=1)
def operator_zone() -> tzinfo:
    """The operator's time zone: ``Settings.tz``."""
    from onething.settings import get_settings

    return ZoneInfo(get_settings().tz)


def local_time(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """``moment`` in the operator's zone, to the second, with the zone; empty for None.

    Example: ``2026-12-02 17:05:00 CST``.
    """
    if moment is None:
        return ""
    return moment.astimezone(zone or operator_zone()).strftime("%Y-%m-%d %H:%M:%S %Z")


def json_time(moment: datetime, zone: tzinfo | None = None) -> str:
    """``moment`` in RFC 3339 with the operator zone's offset, to the microsecond it holds."""
    return moment.astimezone(zone or operator_zone()).isoformat()


def to_json(value: Any, zone: tzinfo | None = None) -> str:
    """``value`` (models, lists, dicts) as JSON, every moment in it as :func:`json_time` gives.

    Dates stay ISO dates and durations ISO 8601 durations, as pydantic writes them.
    """
    return json.dumps(_plain(value, zone or operator_zone()), ensure_ascii=False)


def _plain(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="python"), zone)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, zone) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v, zone) for v in value]
    if isinstance(value, datetime):
        return json_time(value if value.tzinfo else value.replace(tzinfo=UTC), zone)
    if isinstance(value, date | timedelta):
        return _ANY.dump_python(value, mode="json")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return _ANY.dump_python(value, mode="json")


_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def parse_since(text: str, now: datetime, zone: tzinfo | None = None) -> datetime:
    """A ``--since`` value: a span back from ``now`` (``2h``, ``PT30M``) or a moment.

    A moment without an offset is in the operator's zone.

    Raises:
        ValueError: Neither a duration nor an ISO 8601 time.
    """
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration like 2h, 1d, PT30M nor a time like "
            "2026-12-02T09:00 or 2026-12-02T09:00+08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone or operator_zone())


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``moment`` was, e.g. ``3h 05m``; empty for None."""
    if moment is None:
        return ""
    return format_span((now or datetime.now(UTC)) - moment)


def time_left(deadline: datetime, now: datetime | None = None) -> str:
    """How long until ``deadline`` (``in 2d 3h``), or how far past it (``overdue 4h 10m``)."""
    left = deadline - (now or datetime.now(UTC))
    if left.total_seconds() < 0:
        return f"overdue {format_span(-left)}"
    return f"in {format_span(left)}"
