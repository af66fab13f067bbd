"""Restart delays double from 1 s to 30 s and start over after a minute up."""

from __future__ import annotations

from onething.stack.backoff import BackoffPolicy, RestartBackoff


def test_delays_double_up_to_the_maximum() -> None:
    backoff = RestartBackoff()

    delays = [backoff.next_delay(uptime_s=0.5) for _ in range(8)]

    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_minute_up_resets_the_delay() -> None:
    backoff = RestartBackoff()
    for _ in range(4):
        backoff.next_delay(uptime_s=1)

    assert backoff.next_delay(uptime_s=59.9) == 16
    assert backoff.next_delay(uptime_s=60) == 1
    assert backoff.next_delay(uptime_s=3) == 2


def test_the_policy_is_configurable() -> None:
    backoff = RestartBackoff(BackoffPolicy(initial_s=0.1, maximum_s=0.3, reset_after_s=5))

    assert [backoff.next_delay(uptime_s=0) for _ in range(4)] == [0.1, 0.2, 0.3, 0.3]
