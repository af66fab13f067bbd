"""Which workflow and input model serve each bundle."""

from __future__ import annotations

from typing import Final

from workflows.models import CaseInput, NewbornInput
from workflows.newborn import NewbornCase

WORKFLOWS: Final[dict[str, tuple[type, type[CaseInput]]]] = {
    "newborn": (NewbornCase, NewbornInput),
}
