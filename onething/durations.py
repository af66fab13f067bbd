"""Durations as operators type and read them: ``90s``, ``15m``, ``2h``, ``1d12h``, ``1w``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from pydantic import TypeAdapter, ValidationError

_UNIT_SECONDS: Final = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_COMPACT: Final = re.compile(r"^(?:\d+[wdhms])+$")
_PART: Final = re.compile(r"(\d+)([wdhms])")
_ISO: Final = TypeAdapter(timedelta)


def parse_duration(text: str) -> timedelta:
    """Read a duration: compact (``2h``, ``1d12h``, ``45m``, ``1w``) or ISO 8601 (``PT2H``).

    Args:
        text: What the operator typed.

    Returns:
        The duration.

    Raises:
        ValueError: Neither form, or a duration that is not positive.
    """
    compact = text.strip().lower()
    if _COMPACT.match(compact):
        seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(compact))
        duration = timedelta(seconds=seconds)
    elif compact.startswith("p"):
        try:
            duration = _ISO.validate_python(text.strip().upper())
        except ValidationError:
            raise ValueError(f"{text!r} is not an ISO 8601 duration") from None
    else:
        raise ValueError(f"{text!r} is not a duration like 90s, 15m, 2h, 1d12h, 1w or PT2H")
    if duration <= timedelta(0):
        raise ValueError(f"{text!r} is not a positive duration")
    return duration


def format_span(span: timedelta) -> str:
    """A duration in its two largest units: ``2d 3h``, ``4h 05m``, ``12m 30s``, ``42s``, ``2.5s``.

    A negative span is shown with a leading ``-``.
    """
    total = span.total_seconds()
    sign, total = ("-", -total) if total < 0 else ("", total)
    if total < 60:
        return f"{sign}{total:.1f}s" if total < 10 else f"{sign}{int(total)}s"
    seconds = int(total)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    else:
        text = f"{minutes}m {secs:02d}s"
    return sign + text
