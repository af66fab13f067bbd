"""Sample events: valid by the contract, about people and places the registries hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from departments.population import Population, statutory_retirement_date
from events.models import BusinessEvent, DeathEvent, RetirementEvent
from events.parsing import Rejection, parse_event
from events.samples import (
    FALSE_ADDRESS,
    SampleOptionError,
    retirement_then_death,
    sample_event,
)
from onething.constants import BUNDLES, EVENT_TYPES, Bundle
from onething.identifiers import validate_id_number

SEEDS = range(200)


@pytest.fixture(scope="module")
def population() -> Population:
    """Large enough that 200 seeds give 200 different people in every cohort."""
    return Population.build(1_500)


def _parsed(event: dict[str, Any]) -> Any:
    raw = json.dumps(event, ensure_ascii=False).encode()
    parsed = parse_event(raw, topic=EVENT_TYPES[event["type"]][0], key=event["subject"].encode())
    assert not isinstance(parsed, Rejection), parsed
    return parsed


def _person(data: Any) -> str:
    """The ID number of the person a case is about."""
    for field in ("person", "deceased", "legal_representative", "mother"):
        if hasattr(data, field):
            id_number: str = getattr(data, field).id_number
            return id_number
    raise AssertionError("an event about nobody")


@pytest.mark.parametrize("bundle", BUNDLES)
def test_every_seed_gives_a_valid_event_with_its_own_case_and_person(
    bundle: Bundle, population: Population
) -> None:
    events = [_parsed(sample_event(bundle, seed, population)) for seed in SEEDS]

    assert len({e.subject for e in events}) == len(SEEDS)
    assert len({e.id for e in events}) == len(SEEDS)
    assert len({_person(e.data) for e in events}) == len(SEEDS)


def test_the_same_seed_gives_the_same_event_but_a_fresh_id(population: Population) -> None:
    for bundle in BUNDLES:
        first, again = sample_event(bundle, 42, population), sample_event(bundle, 42, population)
        assert first["id"] != again["id"]
        assert {**first, "id": ""} == {**again, "id": ""}


def test_retirement_is_a_grandfather_at_his_statutory_date(population: Population) -> None:
    retiring = {f.grandfather.id_number: f.grandfather for f in population.cohort("retiring")}
    for seed in SEEDS:
        event: RetirementEvent = _parsed(sample_event("retirement", seed, population))
        person = retiring[event.data.person.id_number]
        assert event.subject == f"PEN-330700-2026-{seed:08d}"
        assert event.data.kind == "normal"
        assert event.data.retirement_date == statutory_retirement_date(person.birth_date, "M")
        assert person.insurance is not None
        assert person.insurance.contribution_months >= 180


def test_death_is_an_elder_reported_by_the_son_mostly_in_hospital(population: Population) -> None:
    elderly = population.cohort("elderly")
    sons = {e.id_number: f.father for f in elderly for e in (f.grandfather, f.grandmother)}
    places = []
    for seed in SEEDS:
        event: DeathEvent = _parsed(sample_event("death", seed, population))
        assert event.data.informant.id_number == sons[event.data.deceased.id_number].id_number
        assert event.data.informant.relation == "child"
        assert event.subject.startswith("DTH-")
        assert event.subject.endswith(f"-{seed:08d}")
        places.append(event.data.place)
    assert places.count("hospital") > 0.7 * len(SEEDS)


def test_a_death_at_home_on_request(population: Population) -> None:
    default = sample_event("death", 7, population)
    home = _parsed(sample_event("death", 7, population, place="home"))
    assert home.data.place == "home"
    assert home.subject != default["subject"]
    assert home.data.deceased.id_number == default["data"]["deceased"]["id_number"]


def test_the_retiree_can_die_afterwards(population: Population) -> None:
    retirement, death = retirement_then_death(3, population)
    again = sample_event("death", 3, population, person_of=retirement)

    parsed: DeathEvent = _parsed(death)
    assert parsed.data.deceased.id_number == retirement["data"]["person"]["id_number"]
    assert parsed.data.informant.relation == "child"
    assert parsed.time > _parsed(retirement).time
    assert again["data"] == death["data"]
    assert death["subject"] != sample_event("death", 3, population)["subject"]


def test_business_is_a_founder_at_a_registered_address(population: Population) -> None:
    founders = {p.id_number for p in population.founders}
    addresses = {a.address for a in population.addresses}
    for seed in SEEDS:
        event: BusinessEvent = _parsed(sample_event("business", seed, population))
        assert event.data.legal_representative.id_number in founders
        assert event.data.company.address in addresses
        assert event.data.address_pledge is True
        assert event.subject == f"QY-330700-2026-{seed:08d}"
        assert event.data.company.name.endswith("有限公司")
    names = {sample_event("business", s, population)["data"]["company"]["name"] for s in SEEDS}
    assert len(names) == len(SEEDS)


def test_a_business_at_a_false_address_on_request(population: Population) -> None:
    default = sample_event("business", 5, population)
    false = _parsed(sample_event("business", 5, population, false_address=True))
    assert false.data.company.address == FALSE_ADDRESS
    assert false.data.address_pledge is True
    assert false.subject != default["subject"]
    assert false.data.company.name != default["data"]["company"]["name"]


def test_options_belong_to_their_bundle(population: Population) -> None:
    with pytest.raises(SampleOptionError):
        sample_event("retirement", 1, population, place="home")
    with pytest.raises(SampleOptionError):
        sample_event("death", 1, population, false_address=True)
    stranger = {"data": {"person": {"id_number": validate_id_number("11010519491231002X")}}}
    with pytest.raises(SampleOptionError):
        sample_event("death", 1, population, person_of=stranger)
