"""What the stack is made of: parts, each a child process or an existing service to check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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
    """

    name: str
    health: HealthCheck
    argv: tuple[str, ...] = ()
    ports: tuple[Port, ...] = ()
    set_up: SetUp | None = None
    description: str = ""

    @property
    def managed(self) -> bool:
        """Whether the stack runs this part itself (rather than using an existing service)."""
        return bool(self.argv)

    @property
    def label(self) -> str:
        """How messages name the part."""
        return self.description or self.name


#: Parts started together; a stage starts once every part of the one before is healthy.
Stage = tuple[Part, ...]
