"""Times as the CLI prints them: local wall-clock time, and spans relative to now."""

from __future__ import annotations

from datetime import UTC, datetime

from onething.durations import format_span


def local_time(moment: datetime | None) -> str:
    """``moment`` in the operator's time zone, to the second; empty for None."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""


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
