"""The bench's statistics: percentiles as NumPy's "linear" method, throughput and ratio."""

from __future__ import annotations

import pytest

from onething.bench.stats import latency_ms, percentile, ratio, throughput


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([1.0, 2.0, 3.0, 4.0], 25, 1.75),
        ([7.0], 99, 7.0),
        ([float(v) for v in range(1, 101)], 95, 95.05),
        ([float(v) for v in range(1, 101)], 99, 99.01),
    ],
)
def test_percentile_interpolates_between_closest_ranks(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_or_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="0 to 100"):
        percentile([1.0], 101)


def test_latency_is_reported_in_milliseconds() -> None:
    latency = latency_ms([0.1 * i for i in range(1, 101)])

    assert (latency.p50, latency.p95, latency.p99) == (5050.0, 9505.0, 9901.0)


def test_throughput_is_cases_per_second() -> None:
    assert throughput(1000, 40.0) == 25.0
    with pytest.raises(ValueError, match="positive time"):
        throughput(10, 0.0)


def test_ratio_is_onething_over_baseline() -> None:
    assert ratio(40.0, 50.0) == pytest.approx(0.8)
    assert ratio(60.0, 50.0) == pytest.approx(1.2)
    with pytest.raises(ValueError, match="positive"):
        ratio(1.0, 0.0)
