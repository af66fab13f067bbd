"""The sample cache: the same people as the population, read without building it again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import departments.population
import events.sample_people
from departments.population import Population
from events.sample_people import SamplePeople, load_sample_people
from events.samples import retirement_then_death, sample_event
from onething.constants import BUNDLES

FAMILIES = 300


@pytest.fixture(scope="module")
def population() -> Population:
    return Population.build(FAMILIES)


def without_id(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "id"}


def test_samples_from_the_cache_name_the_same_people_as_the_population(
    population: Population, tmp_path: Path
) -> None:
    people = load_sample_people(FAMILIES, cache=tmp_path)

    for bundle in BUNDLES:
        for seed in range(40):
            assert without_id(sample_event(bundle, seed, people)) == without_id(
                sample_event(bundle, seed, population)
            ), (bundle, seed)
    for place in ("home", "hospital"):
        assert without_id(sample_event("death", 3, people, place=place)) == without_id(
            sample_event("death", 3, population, place=place)
        )
    cached = [without_id(e) for e in retirement_then_death(5, people)]
    built = [without_id(e) for e in retirement_then_death(5, population)]
    assert cached == built


def test_the_cache_is_read_without_building_the_population(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_sample_people(FAMILIES, cache=tmp_path)

    def never(*args: object) -> Population:
        raise AssertionError("the population was built again")

    monkeypatch.setattr(departments.population, "load_population", never)
    again = load_sample_people(FAMILIES, cache=tmp_path)

    assert again.to_json() == first.to_json()
    assert len(list(tmp_path.iterdir())) == 1


def test_another_generator_or_size_gets_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_sample_people(FAMILIES, cache=tmp_path)
    load_sample_people(FAMILIES + 1, cache=tmp_path)
    monkeypatch.setattr(events.sample_people, "population_fingerprint", lambda: "changed")
    load_sample_people(FAMILIES, cache=tmp_path)

    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3
    assert any("changed" in name for name in names)


def test_a_damaged_cache_file_is_built_again(tmp_path: Path) -> None:
    good = load_sample_people(FAMILIES, cache=tmp_path)
    (path,) = tmp_path.iterdir()
    path.write_text("{not json", encoding="utf-8")

    again = load_sample_people(FAMILIES, cache=tmp_path)

    assert again.to_json() == good.to_json()
    assert SamplePeople.from_json(again.to_json()).family(7) == good.family(7)
