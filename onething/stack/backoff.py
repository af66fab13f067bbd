"""How long to wait before restarting a part that exited."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential restart delays.

    Attributes:
        initial_s: The delay before the first restart.
        maximum_s: The longest delay.
        reset_after_s: A part that stayed up this long starts again from ``initial_s``.
    """

    initial_s: float = 1.0
    maximum_s: float = 30.0
    reset_after_s: float = 60.0


class RestartBackoff:
    """The restart delays of one part: doubling from the initial delay up to the maximum."""

    def __init__(self, policy: BackoffPolicy | None = None) -> None:
        """Start from the policy's initial delay.

        Args:
            policy: The delays to use; the default is 1 s doubling to 30 s, reset after 60 s up.
        """
        self.policy = policy or BackoffPolicy()
        self._next = self.policy.initial_s

    def next_delay(self, uptime_s: float) -> float:
        """The delay before restarting a part that just exited.

        Args:
            uptime_s: How long the part ran before it exited.

        Returns:
            Seconds to wait before starting it again.
        """
        if uptime_s >= self.policy.reset_after_s:
            self._next = self.policy.initial_s
        delay = self._next
        self._next = min(self._next * 2, self.policy.maximum_s)
        return delay
