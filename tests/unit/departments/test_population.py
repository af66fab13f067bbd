"""The synthetic population: deterministic, valid and shaped as the bundles need it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from departments.jinhua import DISTRICT_BY_CODE, code_in_year
from departments.population import (
    REFERENCE_DATE,
    Population,
    business_addresses,
    statutory_retirement_date,
)
from onething.identifiers import validate_id_number
from onething.settings import Settings


@pytest.fixture(scope="module")
def full() -> Population:
    """The population at its default size (built once for the module, about 1.5 s)."""
    return Population.build(Settings().population_families)


def test_same_seed_builds_the_same_people() -> None:
    assert Population.build(150, seed=7) == Population.build(150, seed=7)
    assert Population.build(150, seed=7) != Population.build(150, seed=8)


def test_smaller_population_is_independent_of_build_order() -> None:
    first = Population.build(100)
    Population.build(50, seed=99)
    assert Population.build(100) == first


def test_every_id_number_is_valid_unique_and_matches_sex_and_birth(full: Population) -> None:
    people = list(full.people())
    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        assert validate_id_number(person.id_number) == person.id_number
        assert person.district in DISTRICT_BY_CODE
        assert person.region == code_in_year(person.district, person.birth_date.year)
        assert person.id_number[6:14] == f"{person.birth_date:%Y%m%d}"
        assert int(person.id_number[16]) % 2 == (1 if person.sex == "M" else 0)


def test_default_size_has_over_ten_thousand_distinct_families(full: Population) -> None:
    assert len(full.families) == 12_000
    assert len({f.father.id_number for f in full.families}) > 10_000
    assert len({f.marriage.number for f in full.families}) == 12_000


def test_parents_are_married_young_adults_with_phones(full: Population) -> None:
    for family in full.families:
        assert family.father.sex == "M"
        assert family.mother.sex == "F"
        assert 24 <= family.father.age() <= 40
        assert 24 <= family.mother.age() <= 40
        assert family.marriage.husband_id_number == family.father.id_number
        assert family.marriage.wife_id_number == family.mother.id_number
        assert family.marriage.registered_on < REFERENCE_DATE
        assert family.father.phone.isdigit()
        assert len(family.father.phone) == 11
        assert family.father.employer is not None
        assert family.father.name[0] == family.grandfather.name[0]


def test_about_85_percent_of_mothers_are_insured_with_a_bank_account(full: Population) -> None:
    insured = [f.mother.insurance for f in full.families if f.mother.insurance is not None]
    assert 0.82 < len(insured) / len(full.families) < 0.88
    assert all(len(i.bank_account) == 19 for i in insured)


def test_retiring_elders_reach_retirement_age_within_a_year(full: Population) -> None:
    retiring = full.cohort("retiring")
    assert len(retiring) > 2_000
    for family in retiring:
        elder = family.grandfather
        assert REFERENCE_DATE < elder.retirement_date <= REFERENCE_DATE + timedelta(days=366)
        assert elder.pension is None
        assert elder.employer is not None
        assert elder.insurance is not None
        assert elder.employment[0].start == elder.insurance.insured_since


def test_elderly_are_old_retired_and_have_a_son(full: Population) -> None:
    elderly = full.cohort("elderly")
    assert len(elderly) > 2_000
    for family in elderly:
        assert family.grandfather.age() >= 74
        assert family.grandfather.employer is None
        assert family.grandfather.household_number == family.grandmother.household_number
    assert sum(f.grandfather.pension is not None for f in elderly) > 0.85 * len(elderly)


def test_elders_are_58_to_90_and_older_than_their_son(full: Population) -> None:
    for family in full.families:
        for elder in (family.grandfather, family.grandmother):
            assert 53 <= elder.age() <= 90
            assert elder.age() - family.father.age() >= 19


def test_registries_hospitals_addresses_and_founders(full: Population) -> None:
    assert 18 <= len(full.hospitals) <= 25
    assert any(h.code == "330781-MCH" and h.name == "兰溪市妇幼保健院" for h in full.hospitals)
    addresses = {a.address for a in full.addresses}
    assert len(addresses) == len(full.addresses) >= 2_000
    assert all(a.startswith("浙江省金华市") and a.endswith("号") for a in addresses)
    assert "浙江省兰溪市虹兴路39号" not in addresses
    assert not any("虹兴路" in a for a in addresses)
    assert full.addresses == business_addresses(full.seed)
    assert 1_800 <= len(full.founders) <= 2_200
    assert all(f.employer is not None and f.age() >= 24 for f in full.founders)


@pytest.mark.parametrize(
    ("birth", "sex", "retires"),
    [
        (date(1964, 12, 10), "M", date(2024, 12, 10)),
        (date(1965, 1, 15), "M", date(2025, 2, 15)),
        (date(1965, 5, 1), "M", date(2025, 7, 1)),
        (date(1980, 3, 1), "M", date(2043, 3, 1)),
        (date(1969, 12, 31), "F", date(2024, 12, 31)),
        (date(1970, 1, 31), "F", date(2025, 2, 28)),
    ],
)
def test_statutory_retirement_date_follows_the_2025_reform(
    birth: date, sex: str, retires: date
) -> None:
    assert statutory_retirement_date(birth, sex) == retires  # type: ignore[arg-type]
