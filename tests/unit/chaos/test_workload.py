"""The mix of a chaos run: every kind of case, distinct keys, the same order for the same seed."""

from __future__ import annotations

from collections import Counter

from departments.population import load_population
from onething.chaos.harness import batches
from onething.chaos.workload import MIX, chaos_cases


def test_the_mix_has_every_kind_with_its_own_case_keys() -> None:
    cases = chaos_cases(20, seed=3, population=load_population(100))

    assert Counter(case.kind for case in cases) == dict.fromkeys(MIX, 4)
    assert len({case.case_id for case in cases}) == 20
    for case in cases:
        data = case.event["data"]
        if case.kind.startswith("business"):
            assert data["address_pledge"] is (case.kind == "business-pledge")
        if case.kind == "death":
            assert data["place"] == "hospital"
        assert case.case_id.split("-", 1)[1] == case.event["subject"]


def test_a_seed_gives_the_same_order() -> None:
    population = load_population(100)

    first = [case.case_id for case in chaos_cases(10, seed=3, population=population)]

    assert first == [case.case_id for case in chaos_cases(10, seed=3, population=population)]
    assert first != [case.case_id for case in chaos_cases(10, seed=4, population=population)]


def test_batches_keep_the_order_and_differ_by_one_at_most() -> None:
    assert batches(list(range(7)), 3) == [[0, 1, 2], [3, 4], [5, 6]]
    assert batches([1], 3) == [[1], [], []]
