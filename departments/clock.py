"""Dates and times as Chinese departments write them: China Standard Time, +08:00."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Final

CHINA_TZ: Final = timezone(timedelta(hours=8), "CST")


def in_china(moment: datetime) -> datetime:
    """``moment`` in China Standard Time; a naive time is taken to be China time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def china_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in China (a birth date, say)."""
    return in_china(moment).date()


def now_in_china() -> datetime:
    """The current time with the +08:00 offset departments write on documents."""
    return datetime.now(CHINA_TZ)


def age_on(birth: date, on: date) -> int:
    """A person's age in whole years on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
