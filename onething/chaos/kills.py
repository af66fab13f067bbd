"""Killing the stack's parts by the PIDs the supervisor recorded, and planning when to."""

from __future__ import annotations

import contextlib
import os
import random
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from onething.constants import DEPARTMENTS
from onething.settings import Settings
from onething.stack.services import department_part_name

#: The parts a chaos run may kill, by kind; each kind is as likely as the next. The broker is
#: not among them: it keeps topics and offsets in memory, so killing it loses them by design.
TARGETS: Final[Mapping[str, tuple[str, ...]]] = {
    "temporal": ("temporal",),
    "bridge": ("bridge",),
    "workers": ("worker-orchestrator", "worker-departments"),
    "departments": tuple(department_part_name(d) for d in DEPARTMENTS),
}


class NotRunningError(RuntimeError):
    """The part has no PID file: it is not running (it may be restarting)."""

    def __init__(self, part: str) -> None:
        """Record which part.

        Args:
            part: The part's name.
        """
        self.part = part
        super().__init__(f"{part} is not running (no PID file)")


def pid_file(settings: Settings, part: str) -> Path:
    """Where the supervisor keeps the PID of a running part: ``<home>/run/<part>.pid``."""
    return settings.home / "run" / f"{part}.pid"


def part_pid(settings: Settings, part: str) -> int | None:
    """The PID the supervisor recorded for ``part``, or ``None`` while it is not running."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        return int(pid_file(settings, part).read_text().strip())
    return None


def kill_part(settings: Settings, part: str) -> int:
    """SIGKILL a part of a stack, by the PID its supervisor recorded.

    Args:
        settings: The stack's settings (its ``home``).
        part: The part's name, e.g. ``bridge`` or ``department-police``.

    Returns:
        The PID killed.

    Raises:
        NotRunningError: The part has no PID file, or its process is already gone.
    """
    pid = part_pid(settings, part)
    if pid is None:
        raise NotRunningError(part)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        raise NotRunningError(part) from None
    return pid


@dataclass(frozen=True, slots=True)
class PlannedKill:
    """One kill of a chaos run: wait ``after_s``, then kill a part of kind ``kind``."""

    after_s: float
    kind: str


def plan_kills(
    kills: int,
    *,
    seed: int,
    gap_s: tuple[float, float] = (2.0, 8.0),
    kinds: Sequence[str] = tuple(TARGETS),
) -> list[PlannedKill]:
    """The kills of a chaos run: random gaps and kinds, the same for the same seed.

    Args:
        kills: How many.
        seed: Makes the plan reproducible.
        gap_s: The shortest and longest wait before each kill.
        kinds: The kinds of part to choose from (keys of :data:`TARGETS`).

    Returns:
        The kills in order.
    """
    rng = random.Random(f"kills-{seed}")
    return [PlannedKill(after_s=rng.uniform(*gap_s), kind=rng.choice(kinds)) for _ in range(kills)]


def choose_part(settings: Settings, kind: str, rng: random.Random) -> str | None:
    """A running part of ``kind`` to kill, chosen with ``rng``; ``None`` if none runs now."""
    running = [part for part in TARGETS[kind] if part_pid(settings, part) is not None]
    return rng.choice(running) if running else None
