"""The statistics of a benchmark run: percentiles, throughput and the onething/baseline ratio."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class Latency(BaseModel):
    """Latency percentiles of a run, in milliseconds."""

    model_config = ConfigDict(frozen=True)

    p50: float
    p95: float
    p99: float


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``values``, interpolating linearly between closest ranks.

    This is NumPy's default ("linear") method: the 0th percentile is the minimum, the 100th the
    maximum, and the 50th of an even number of values the mean of the middle two.

    Args:
        values: The sample, in any order.
        q: The percentile, 0 to 100.

    Returns:
        The percentile.

    Raises:
        ValueError: ``values`` is empty or ``q`` is outside 0 to 100.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be 0 to 100, not {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(latencies_s: Sequence[float]) -> Latency:
    """The p50, p95 and p99 of latencies given in seconds, in milliseconds (rounded to 0.1 ms).

    Raises:
        ValueError: ``latencies_s`` is empty.
    """
    return Latency(**{f"p{q}": round(percentile(latencies_s, q) * 1000, 1) for q in (50, 95, 99)})


def throughput(cases: int, elapsed_s: float) -> float:
    """Cases per second over a run that took ``elapsed_s`` from first start to last completion.

    Raises:
        ValueError: ``elapsed_s`` is not positive.
    """
    if elapsed_s <= 0:
        raise ValueError(f"a run takes a positive time, not {elapsed_s} s")
    return cases / elapsed_s


def ratio(onething: float, baseline: float) -> float:
    """onething's throughput as a share of the baseline's (1.0: as fast as bare Temporal).

    Raises:
        ValueError: ``baseline`` is not positive.
    """
    if baseline <= 0:
        raise ValueError(f"a baseline throughput must be positive, not {baseline}")
    return onething / baseline
