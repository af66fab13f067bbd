"""The population's identifiers pass validators written by others, and the code history holds.

``python-stdnum`` checks a resident ID number's check digit (GB 11643-1999), its birth date and
that its division code was listed in GB/T 2260 in the year of birth; it checks a unified social
credit code's shape and check character (GB 32100-2015).
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from departments.jinhua import CODE_HISTORY, DISTRICTS, code_in_year, code_listed_in
from departments.market_regulation import CITY_REGION, organisation_code
from departments.population import Person, Population
from onething.identifiers import make_id_number, make_uscc
from onething.settings import Settings


def _sex_in(id_number: str) -> str:
    return "M" if int(id_number[16]) % 2 else "F"


def _outside_validator_problems(people: list[Person]) -> list[str]:
    """What python-stdnum finds wrong, by position only: never an ID number in a message."""
    problems = []
    for position, person in enumerate(people):
        if not ric.is_valid(person.id_number):
            problems.append(f"person {position}: rejected by stdnum.cn.ric")
        elif ric.get_birth_date(person.id_number) != person.birth_date:
            problems.append(f"person {position}: birth date differs from the record")
        elif _sex_in(person.id_number) != person.sex:
            problems.append(f"person {position}: sex differs from the record")
    return problems


@pytest.fixture(scope="module")
def seeded() -> list[Person]:
    """Every person of the population the departments are seeded with by default."""
    return list(Population.build(Settings().population_families).people())


@pytest.mark.population
def test_every_seeded_person_passes_python_stdnum(seeded: list[Person]) -> None:
    people = seeded

    assert len(people) == 4 * 12_000
    assert _outside_validator_problems(people) == []


@pytest.mark.population
def test_every_seeded_person_carries_the_code_of_their_birth_year(seeded: list[Person]) -> None:
    wrong = [
        position
        for position, person in enumerate(seeded)
        if not code_listed_in(person.region, person.birth_date.year)
        or person.region != code_in_year(person.district, person.birth_date.year)
    ]
    assert wrong == []


def test_older_people_carry_codes_that_no_longer_exist() -> None:
    people = list(Population.build(300).people())
    born_before_1982 = [p for p in people if p.birth_date.year < 1982]
    assert born_before_1982
    assert all(p.region.startswith("3325") for p in born_before_1982)
    assert {p.region for p in people if p.birth_date.year >= 2000} <= {d.code for d in DISTRICTS}


@pytest.mark.parametrize(
    ("district", "year", "code"),
    [
        ("330782", 1950, "332526"),  # 义乌县 of the Jinhua prefecture (3325)
        ("330782", 1984, "332425"),  # 义乌县 after the prefecture was renumbered 3324
        ("330782", 1987, "330725"),  # 义乌县 of Jinhua City
        ("330782", 1988, "339007"),  # 义乌市, a city directly under the province
        ("330782", 1995, "330782"),  # 义乌市 of Jinhua City
        ("330703", 1990, "330721"),  # 金华县, before it became 金东区
        ("330703", 2000, "330703"),
        ("330702", 1970, "332501"),  # the old county-level 金华市
        ("330702", 1986, "330702"),
        ("330781", 1987, "339003"),
        ("330784", 1991, "330722"),  # 永康县 until 1992
        ("330784", 1993, "330784"),
        ("330727", 1980, "332525"),  # 磐安 was part of 东阳 before 1983
    ],
)
def test_code_in_year_follows_the_documented_history(district: str, year: int, code: str) -> None:
    assert code_in_year(district, year) == code


def test_every_code_of_the_history_is_listed_for_its_years_by_python_stdnum() -> None:
    checked = 0
    for history in CODE_HISTORY.values():
        for entry in history:
            for year in range(entry.first_year or 1940, (entry.last_year or 2026) + 1):
                id_number = _id_number(entry.code, date(year, 6, 1))
                assert ric.is_valid(id_number), (entry.code, year)
                checked += 1
    assert checked > 300


def test_codes_of_today_are_refused_for_people_born_before_them() -> None:
    assert not code_listed_in("330782", 1970)
    assert not ric.is_valid(_id_number("330782", date(1970, 6, 1)))
    assert not code_listed_in("330703", 1999)
    assert not ric.is_valid(_id_number("330703", date(1999, 6, 1)))


def test_every_credit_code_market_regulation_makes_passes_python_stdnum() -> None:
    draw = random.Random(11)
    regions = [d.code for d in DISTRICTS] + [CITY_REGION]
    codes = [
        make_uscc(region, organisation_code(f"{draw.randrange(10**8):08d}"))
        for region in regions
        for _ in range(500)
    ]
    assert all(uscc.is_valid(code) for code in codes)
    assert len(set(codes)) > 0.99 * len(codes)


def _id_number(region: str, born: date) -> str:
    return make_id_number(region, born, 11)
