"""What the stack is made of: parts, each a child process or an existing service to check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from onething.stack.ports import Port

#: Answers whether a part serves, given the PID of its child process (``None`` for an existing
#: service). An exception counts as "not yet".
HealthCheck = Callable[[int | None], Awaitable[bool]]

#: Runs once a part is healthy, after every (re)start: e.g. creating topics on a fresh broker.
SetUp = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Part:
    """One part of the local stack.

    Attributes:
        name: The part's name; its log is ``logs/<name>.log``, its PID file ``run/<name>.pid``.
        health: Answers whether the part serves.
        argv: The command that runs the part; empty for an existing service, which the stack
            only checks and sets up.
        ports: The ports the part listens on, checked to be free before anything starts.
        set_up: Runs after every time the part becomes healthy.
        description: What the part is, for messages, e.g. ``Temporal at 10.0.0.5:7233``.
        after: The names of the parts that must be healthy before this one starts; None for
            every part of the stages before its own (``()``: it starts at once).
        progress_file: Where the part says what it is doing while it starts (see
            :func:`onething.runfiles.report_progress`); None if it says nothing.
        prestart: Start the process at once, to load its code while the parts it needs start,
            and let it run once they are healthy (``argv`` runs :mod:`onething.prestart`).
    """

    name: str
    health: HealthCheck
    argv: tuple[str, ...] = ()
    ports: tuple[Port, ...] = ()
    set_up: SetUp | None = None
    description: str = ""
    after: tuple[str, ...] | None = None
    progress_file: Path | None = None
    prestart: bool = False

    @property
    def managed(self) -> bool:
        """Whether the stack runs this part itself (rather than using an existing service)."""
        return bool(self.argv)

    @property
    def label(self) -> str:
        """How messages name the part."""
        return self.description or self.name


#: Parts listed together. A part starts once every part of the stages before is healthy, unless
#: it names the parts it needs in ``after``.
Stage = tuple[Part, ...]
