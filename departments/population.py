"""The synthetic population of Jinhua that every simulated department draws its records from.

One seed gives the same people on every machine: all randomness comes from a
``random.Random(seed)`` and a ``Faker("zh_CN")`` instance seeded with the same value, never from
global state. Ages are taken on :data:`REFERENCE_DATE`, not today, so a population never drifts.

Each family holds a married couple aged 24-40 (the parents of a future newborn) and the father's
parents, aged about 55-90. A family's :attr:`Family.cohort` says what the elders are good for:
``retiring`` (the grandfather reaches his statutory retirement age within a year of the reference
date), ``elderly`` (both elders are about 70-88: the death bundle, the father as next of kin) or
``settled`` (retired elders with pensions).
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from departments import jinhua
from departments.jinhua import (
    COMPANY_SUFFIXES,
    DISTRICTS,
    HOSPITALS,
    STREETS,
    Hospital,
    address,
)
from onething.identifiers import make_id_number
from onething.settings import get_settings

if TYPE_CHECKING:
    from faker import Faker

DEFAULT_SEED: Final = 20_260_101
#: The "today" of the population: ages, retirement and contribution years are counted to it.
REFERENCE_DATE: Final = date(2026, 7, 1)
#: Bump when the people built change for a reason outside this module and ``jinhua``.
POPULATION_VERSION: Final = "2"

Sex = Literal["F", "M"]
Cohort = Literal["retiring", "elderly", "settled"]
AddressUse = Literal["commercial", "office", "industrial"]
_T = TypeVar("_T")

_MALE_CHARS: Final = tuple(
    "伟强磊军洋勇杰涛明超华平刚辉鹏斌宇浩凯健俊帆建国志文峰龙林海波鑫晨博昊东亮成栋"
)
_FEMALE_CHARS: Final = tuple("芳娜敏静丽艳娟霞燕玲婷雪琳慧颖倩佳欣怡晶萍红梅莉丹蕾洁琴云雯璐瑶悦")
_PHONE_PREFIXES: Final = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "199",
)  # fmt: skip
_BANK_PREFIXES: Final = ("6222", "6228", "6217", "6230", "6214")
_EMPLOYERS: Final = 400
_BUSINESS_ADDRESSES: Final = 3_000
_ADDRESS_USES: Final[tuple[AddressUse, ...]] = ("commercial", "office", "industrial")


@dataclass(frozen=True, slots=True)
class Employment:
    """A period of insured employment; ``end`` is None while it lasts."""

    employer: str
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class Insurance:
    """Employee social insurance and the social security card that goes with it.

    Attributes:
        card_number: The social security card's number.
        bank_account: The account linked to the card; benefits and pensions are paid there.
        insured_since: The start of the first insured period.
        monthly_wage_cny: The contribution base (the insured wage).
        contribution_months: Months of contributions up to the reference date or retirement.
    """

    card_number: str
    bank_account: str
    insured_since: date
    monthly_wage_cny: int
    contribution_months: int


@dataclass(frozen=True, slots=True)
class Pension:
    """A basic old-age pension being paid."""

    number: str
    monthly_cny: int
    since: date


@dataclass(frozen=True, slots=True)
class Person:
    """A resident of Jinhua.

    Attributes:
        id_number: A valid 18-character resident ID number.
        name: The full name (surname first).
        sex: ``"M"`` or ``"F"``; it matches the parity of the ID number's sequence digits.
        birth_date: The birth date, also encoded in the ID number.
        phone: A mobile number.
        household_number: The household (hukou) the person is registered in.
        district: The code of today's district the person comes from; the ID number carries
            the code that place had in the year of birth (see :func:`jinhua.code_in_year`).
        employment: Insured employment, oldest first; the last is open while the person works.
        insurance: Employee social insurance, or None for the uninsured.
        pension: The pension being paid, or None before retirement.
    """

    id_number: str
    name: str
    sex: Sex
    birth_date: date
    phone: str
    household_number: str
    district: str
    employment: tuple[Employment, ...] = ()
    insurance: Insurance | None = None
    pension: Pension | None = None

    @property
    def region(self) -> str:
        """The division code in the ID number: the code of the district in the birth year."""
        return self.id_number[:6]

    @property
    def employer(self) -> str | None:
        """The current employer, or None for people not in work (they pay no wage tax)."""
        if self.employment and self.employment[-1].end is None:
            return self.employment[-1].employer
        return None

    @property
    def retirement_date(self) -> date:
        """The statutory retirement date (see :func:`statutory_retirement_date`)."""
        return statutory_retirement_date(self.birth_date, self.sex)

    def age(self, on: date = REFERENCE_DATE) -> int:
        """Age in whole years on a date (the reference date unless given)."""
        return _age(self.birth_date, on)


@dataclass(frozen=True, slots=True)
class Household:
    """A household register (hukou) entry."""

    number: str
    region: str
    address: str


@dataclass(frozen=True, slots=True)
class Marriage:
    """A registered marriage."""

    number: str
    husband_id_number: str
    wife_id_number: str
    registered_on: date


@dataclass(frozen=True, slots=True)
class Family:
    """Three generations minus the one still to be born.

    Attributes:
        index: The position in :attr:`Population.families`.
        cohort: What the elders are good for (see the module docstring).
        father: The husband; aged 24-40, always in work, son of the elders.
        mother: The wife; aged 24-40, insured in about 85% of families.
        grandfather: The father's father.
        grandmother: The father's mother.
        marriage: The parents' marriage.
        elders_marriage: The grandparents' marriage.
        households: The distinct households of the family (the father's first).
    """

    index: int
    cohort: Cohort
    father: Person
    mother: Person
    grandfather: Person
    grandmother: Person
    marriage: Marriage
    elders_marriage: Marriage
    households: tuple[Household, ...]

    @property
    def members(self) -> tuple[Person, Person, Person, Person]:
        """Father, mother, grandfather, grandmother."""
        return (self.father, self.mother, self.grandfather, self.grandmother)


@dataclass(frozen=True, slots=True)
class BusinessAddress:
    """An address in police's standard address registry that is usable for a business."""

    address: str
    region: str
    use: AddressUse


@dataclass(frozen=True)
class Population:
    """The synthetic population: families, business founders and fixed registries.

    Build it with :meth:`build` or, in a process, :func:`load_population`.
    """

    seed: int
    families: tuple[Family, ...]
    founders: tuple[Person, ...]

    @classmethod
    def build(cls, families: int, seed: int = DEFAULT_SEED) -> Population:
        """Build the population deterministically.

        Args:
            families: How many families (12,000 build in about 1.5 s).
            seed: The seed; the same seed and size always give the same people.

        Returns:
            The population.
        """
        return _Builder(seed).build(families)

    def family(self, index: int) -> Family:
        """The family at ``index`` (0 to ``len(families) - 1``)."""
        return self.families[index]

    @property
    def hospitals(self) -> tuple[Hospital, ...]:
        """The hospitals of Jinhua."""
        return HOSPITALS

    @property
    def addresses(self) -> tuple[BusinessAddress, ...]:
        """The usable business addresses of police's standard address registry.

        See :func:`business_addresses`; the registry also holds every household's address.
        """
        return business_addresses(self.seed)

    def people(self) -> Iterator[Person]:
        """Every person, family by family."""
        for family in self.families:
            yield from family.members

    def households(self) -> Iterator[Household]:
        """Every household once."""
        for family in self.families:
            yield from family.households

    def cohort(self, cohort: Cohort) -> tuple[Family, ...]:
        """The families of one cohort, in order."""
        return tuple(f for f in self.families if f.cohort == cohort)


def population_fingerprint() -> str:
    """Identifies the code that builds populations, so departments reseed when it changes.

    It hashes this module, the place data and Faker's version (its name lists feed the
    population), without building anything.
    """
    digest = hashlib.sha256(POPULATION_VERSION.encode())
    for source in (Path(__file__), Path(jinhua.__file__)):
        digest.update(source.read_bytes())
    digest.update(version("faker").encode())
    return digest.hexdigest()[:16]


def load_population(families: int | None = None, seed: int = DEFAULT_SEED) -> Population:
    """The population of this process, built once per size and seed.

    Args:
        families: How many families; ``Settings.population_families`` when None.
        seed: The seed.
    """
    return _cached_population(families or get_settings().population_families, seed)


@lru_cache(maxsize=4)
def _cached_population(families: int, seed: int) -> Population:
    return Population.build(families, seed)


@lru_cache(maxsize=4)
def business_addresses(seed: int = DEFAULT_SEED) -> tuple[BusinessAddress, ...]:
    """The business addresses of the standard address registry, spread over the districts.

    3,000 addresses, weighted by the districts' population; police holds them, with every
    household's address, in its standard address registry.

    It does not depend on the number of families, so every size shares it.
    """
    rng = random.Random(f"addresses-{seed}")
    weights = list(accumulate(d.weight for d in DISTRICTS))
    seen: set[str] = set()
    result: list[BusinessAddress] = []
    while len(result) < _BUSINESS_ADDRESSES:
        district = rng.choices(DISTRICTS, cum_weights=weights)[0]
        street = rng.choice(STREETS[district.code])
        text = address(district.code, street, rng.randint(1, 999))
        if text not in seen:
            seen.add(text)
            result.append(BusinessAddress(text, district.code, rng.choice(_ADDRESS_USES)))
    return tuple(result)


def statutory_retirement_date(birth: date, sex: Sex) -> date:
    """The statutory retirement date under the 2025 reform.

    Men retire at 60 and women at 55 (the rule for women in salaried posts), later by one month
    for every four months they were born after December 1964 (men) or December 1969 (women),
    at most by 36 months.

    Args:
        birth: The birth date.
        sex: ``"M"`` or ``"F"``.

    Returns:
        The day the person reaches retirement age.
    """
    base_years, reform_year = (60, 1965) if sex == "M" else (55, 1970)
    months_after = (birth.year - reform_year) * 12 + birth.month - 1
    delay = 0 if months_after < 0 else min(36, months_after // 4 + 1)
    return _add_months(birth, base_years * 12 + delay)


def earliest_retirement_date(birth: date, sex: Sex) -> date:
    """The earliest date of a voluntary early retirement under the 2025 reform.

    Up to three years before the statutory date, but never before the age that applied before
    the reform (60 for men, 55 for women).

    Args:
        birth: The birth date.
        sex: ``"M"`` or ``"F"``.

    Returns:
        The first day an early retirement may start.
    """
    statutory = statutory_retirement_date(birth, sex)
    original = _add_months(birth, (60 if sex == "M" else 55) * 12)
    return max(original, _add_months(statutory, -36))


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _age(birth: date, on: date = REFERENCE_DATE) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


class _Draw:
    """Fast draws from one ``random.Random``: the builder makes about a million of them."""

    def __init__(self, rng: random.Random) -> None:
        self.fraction = rng.random

    def chance(self, probability: float) -> bool:
        return self.fraction() < probability

    def integer(self, low: int, high: int) -> int:
        """A number from ``low`` to ``high``, both included."""
        return low + int(self.fraction() * (high - low + 1))

    def pick(self, items: Sequence[_T]) -> _T:
        return items[int(self.fraction() * len(items))]

    def weighted(self, items: Sequence[_T], cumulative: Sequence[float]) -> _T:
        return items[bisect(cumulative, self.fraction() * cumulative[-1])]


class _Builder:
    """Draws the population; one instance per build, never shared."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.draw = _Draw(random.Random(seed))
        # Imported here: a department whose database is already seeded never pays for Faker.
        from faker import Faker
        from faker.providers.person.zh_CN import Provider as ZhPersonProvider

        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        surnames: dict[str, float] = ZhPersonProvider.last_names  # surname -> frequency
        self.surnames: tuple[str, ...] = tuple(surnames)
        self.surname_weights = list(accumulate(surnames.values()))
        self.male_names: tuple[str, ...] = tuple(ZhPersonProvider.first_names_male)
        self.female_names: tuple[str, ...] = tuple(ZhPersonProvider.first_names_female)
        self.employers = self._employers(fake)
        self.district_weights = list(accumulate(d.weight for d in DISTRICTS))
        self.used_ids: set[str] = set()
        self.used_accounts: set[str] = set()
        self.counters: dict[str, int] = {}
        self.card_serial = 10_000_000

    def _employers(self, fake: Faker) -> tuple[str, ...]:
        names: dict[str, None] = {}
        while len(names) < _EMPLOYERS:
            short = fake.random_element(DISTRICTS).short
            names[f"{short}{fake.company_prefix()}{fake.random_element(COMPANY_SUFFIXES)}"] = None
        return tuple(names)

    def build(self, families: int) -> Population:
        built = tuple(self._family(i) for i in range(families))
        founders = tuple(
            f.father if f.index % 12 == 0 or f.mother.employer is None else f.mother
            for f in built
            if f.index % 6 == 0
        )
        return Population(seed=self.seed, families=built, founders=founders)

    # --- one family -----------------------------------------------------------------------------

    def _family(self, index: int) -> Family:
        rng = self.draw
        share = rng.fraction()
        cohort: Cohort = "retiring" if share < 0.25 else "elderly" if share < 0.5 else "settled"
        region = self._district()
        mother_region = region if rng.chance(0.65) else self._district()

        grandfather_birth = self._grandfather_birth(cohort)
        grandmother_birth = grandfather_birth + timedelta(days=rng.integer(-700, 1800))
        youngest_elder = _age(max(grandfather_birth, grandmother_birth))
        grandmother_age = _age(grandmother_birth)
        oldest_father = min(40, youngest_elder - 20)
        father_birth = self._birth(min(oldest_father, max(24, grandmother_age - 44)), oldest_father)
        father_age = _age(father_birth)
        mother_birth = self._birth(max(24, father_age - 6), min(40, father_age + 2))

        elders_home = self._household(region)
        father_home = self._household(region)
        shares_home = rng.chance(0.7)
        mother_home = father_home if shares_home else self._household(mother_region)
        homes = (
            (father_home, elders_home) if shares_home else (father_home, mother_home, elders_home)
        )

        surname = self._surname()
        grandfather = self._elder(surname, "M", grandfather_birth, region, elders_home)
        grandmother = self._elder(self._surname(), "F", grandmother_birth, region, elders_home)
        father = self._adult(
            surname, "M", father_birth, region, father_home, insured=0.9, works=1.0
        )
        mother = self._adult(
            self._surname(), "F", mother_birth, mother_region, mother_home, insured=0.85, works=0.5
        )
        return Family(
            index=index,
            cohort=cohort,
            father=father,
            mother=mother,
            grandfather=grandfather,
            grandmother=grandmother,
            marriage=self._marriage(father, mother, region),
            elders_marriage=self._marriage(grandfather, grandmother, region),
            households=homes,
        )

    def _grandfather_birth(self, cohort: Cohort) -> date:
        if cohort == "elderly":
            return self._birth(74, 86)
        if cohort == "settled":
            return self._birth(62, 80)
        window_end = REFERENCE_DATE + timedelta(days=365)
        while True:
            birth = self._birth(59, 61)
            if REFERENCE_DATE < statutory_retirement_date(birth, "M") <= window_end:
                return birth

    # --- people ---------------------------------------------------------------------------------

    def _adult(
        self,
        surname: str,
        sex: Sex,
        birth: date,
        region: str,
        home: Household,
        *,
        insured: float,
        works: float,
    ) -> Person:
        """A parent: insured with probability ``insured``, else in work with ``works``."""
        rng = self.draw
        insurance: Insurance | None = None
        employment: tuple[Employment, ...] = ()
        is_insured = rng.chance(insured)
        if is_insured or rng.chance(works):
            days_since_22 = rng.integer(0, (REFERENCE_DATE - birth).days - 90 - 22 * 365)
            start = birth + timedelta(days=22 * 365 + days_since_22)
            employment = (Employment(rng.pick(self.employers), start, None),)
            if is_insured:
                insurance = self._insurance(start, _months_between(start, REFERENCE_DATE))
        return Person(
            id_number=self._id_number(region, birth, sex),
            name=surname + self._given_name(sex),
            sex=sex,
            birth_date=birth,
            phone=self._phone(),
            household_number=home.number,
            district=region,
            employment=employment,
            insurance=insurance,
        )

    def _elder(self, surname: str, sex: Sex, birth: date, region: str, home: Household) -> Person:
        rng = self.draw
        retires = statutory_retirement_date(birth, sex)
        retired = retires <= REFERENCE_DATE
        # A few elders fall short of the 15 contribution years a pension needs.
        years = rng.integer(10, 14) if rng.chance(0.08) else rng.integer(15, 38)
        end = retires if retired else REFERENCE_DATE
        start = max(_add_months(end, -12 * years), birth + timedelta(days=18 * 365))
        employment = self._career(start, end, still_working=not retired)
        months = _months_between(start, end)
        pension = None
        if retired and months >= 15 * 12:
            pension = Pension(
                number=self._serial("PEN", region, width=7),
                monthly_cny=1_800 + months * 5 + rng.integer(0, 1_500),
                since=retires,
            )
        return Person(
            id_number=self._id_number(region, birth, sex),
            name=surname + self._given_name(sex),
            sex=sex,
            birth_date=birth,
            phone=self._phone(),
            household_number=home.number,
            district=region,
            employment=employment,
            insurance=self._insurance(start, months),
            pension=pension,
        )

    def _career(self, start: date, end: date, *, still_working: bool) -> tuple[Employment, ...]:
        rng = self.draw
        span = (end - start).days
        changes = rng.integer(0, 2) if span > 2 else 0
        cuts = sorted(rng.integer(1, span - 1) for _ in range(changes))
        bounds = [start, *(start + timedelta(days=c) for c in cuts), end]
        periods = [
            Employment(rng.pick(self.employers), bounds[k], bounds[k + 1])
            for k in range(len(bounds) - 1)
        ]
        if still_working:
            periods[-1] = Employment(periods[-1].employer, periods[-1].start, None)
        return tuple(periods)

    def _insurance(self, since: date, months: int) -> Insurance:
        rng = self.draw
        self.card_serial += rng.integer(1, 97)
        while True:
            account = f"{rng.pick(_BANK_PREFIXES)}{rng.integer(10**14, 10**15 - 1)}"
            if account not in self.used_accounts:
                self.used_accounts.add(account)
                break
        return Insurance(
            card_number=f"A{self.card_serial:08d}",
            bank_account=account,
            insured_since=since,
            monthly_wage_cny=rng.integer(40, 159) * 100,
            contribution_months=months,
        )

    def _marriage(self, husband: Person, wife: Person, region: str) -> Marriage:
        earliest = max(
            husband.birth_date + timedelta(days=22 * 366),
            wife.birth_date + timedelta(days=20 * 366),
        )
        latest = min(earliest + timedelta(days=12 * 365), REFERENCE_DATE - timedelta(days=300))
        day = earliest + timedelta(days=self.draw.integer(0, max(0, (latest - earliest).days)))
        return Marriage(
            number=self._serial(f"J{region}-{day.year}", "", width=6),
            husband_id_number=husband.id_number,
            wife_id_number=wife.id_number,
            registered_on=day,
        )

    # --- small draws ----------------------------------------------------------------------------

    def _birth(self, min_age: int, max_age: int) -> date:
        latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - min_age).toordinal()
        earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - max_age - 1).toordinal() + 1
        return date.fromordinal(self.draw.integer(earliest, latest))

    def _district(self) -> str:
        return self.draw.weighted(DISTRICTS, self.district_weights).code

    def _surname(self) -> str:
        return self.draw.weighted(self.surnames, self.surname_weights)

    def _given_name(self, sex: Sex) -> str:
        rng = self.draw
        if rng.chance(0.5):
            return rng.pick(self.male_names if sex == "M" else self.female_names)
        chars = _MALE_CHARS if sex == "M" else _FEMALE_CHARS
        return rng.pick(chars) + rng.pick(chars)

    def _phone(self) -> str:
        return f"{self.draw.pick(_PHONE_PREFIXES)}{self.draw.integer(0, 10**8 - 1):08d}"

    def _id_number(self, district: str, birth: date, sex: Sex) -> str:
        first = 1 if sex == "M" else 2
        region = jinhua.code_in_year(district, birth.year)
        while True:
            id_number = make_id_number(
                region, birth, first + 2 * self.draw.integer(0, 499 - first // 2)
            )
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                return id_number

    def _household(self, region: str) -> Household:
        street = self.draw.pick(STREETS[region])
        return Household(
            number=self._serial("HH", region, width=7),
            region=region,
            address=address(region, street, self.draw.integer(1, 999)),
        )

    def _serial(self, prefix: str, region: str, *, width: int) -> str:
        key = f"{prefix}-{region}" if region else prefix
        self.counters[key] = number = self.counters.get(key, 0) + 1
        return f"{key}-{number:0{width}d}"
