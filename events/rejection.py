"""Why an input cannot be accepted: the answer the edge gives instead of an event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """Why an input cannot be accepted: a searchable ``reason`` and a ``detail`` without values."""

    reason: str
    detail: str
