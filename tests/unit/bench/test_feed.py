"""Handing workflows over with a bounded number in flight."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pytest
from temporalio.client import Client

from onething.bench.feed import feed
from onething.bench.timing import BenchTimeoutError


@dataclass
class _Count:
    count: int


@dataclass
class FakeTemporal:
    """Closes up to ``closes_per_look`` of the workflows in flight each time it is asked."""

    closes_per_look: int
    sent: list[range] = field(default_factory=list)
    closed: int = 0
    most_in_flight: int = 0

    @property
    def handed_over(self) -> int:
        return sum(len(r) for r in self.sent)

    async def count_workflows(self, query: str) -> _Count:
        assert "ExecutionStatus != 'Running'" in query
        self.closed = min(self.handed_over, self.closed + self.closes_per_look)
        return _Count(self.closed)

    async def send(self, indexes: range) -> None:
        self.sent.append(indexes)
        self.most_in_flight = max(self.most_in_flight, self.handed_over - self.closed)


async def test_no_more_than_the_window_is_ever_in_flight() -> None:
    temporal = FakeTemporal(closes_per_look=4)

    await feed(cast(Client, temporal), "newborn", 25, temporal.send, window=10, timeout_s=10)

    assert [i for r in temporal.sent for i in r] == list(range(25))
    assert temporal.sent[0] == range(10)
    assert temporal.most_in_flight == 10


async def test_a_run_within_the_window_is_one_burst() -> None:
    temporal = FakeTemporal(closes_per_look=0)

    await feed(cast(Client, temporal), "newborn", 7, temporal.send, window=10, timeout_s=10)

    assert temporal.sent == [range(7)]


async def test_a_run_that_stops_closing_times_out() -> None:
    temporal = FakeTemporal(closes_per_look=0)

    with pytest.raises(BenchTimeoutError, match="only 2 of 3"):
        await feed(cast(Client, temporal), "newborn", 3, temporal.send, window=2, timeout_s=0.01)
