"""Valid sample events about people and places that exist in the simulated registries.

Each bundle draws its people from the population cohort made for it: a newborn's parents from
any family, a retirement from the grandfathers about to reach retirement age, a death from the
elderly (the son reports it), a business from the founders, at an address in police's standard
address registry.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Any, Final, Literal

from departments.jinhua import COMPANY_SUFFIXES, DISTRICT_BY_CODE, Hospital
from departments.population import Population
from events.sample_people import SampleFamily, SamplePeople, SamplePerson, load_sample_people
from onething.constants import (
    EVENT_TYPE_BIRTH,
    EVENT_TYPE_BUSINESS,
    EVENT_TYPE_DEATH,
    EVENT_TYPE_RETIREMENT,
    Bundle,
)

CHINA = timezone(timedelta(hours=8), "CST")
#: An address no registry knows: a business pledging it is found out by the address check.
FALSE_ADDRESS: Final = "浙江省兰溪市虹兴路39号"
#: A pension needs 15 years of contributions; retirement samples are people who have them.
_MIN_CONTRIBUTION_MONTHS: Final = 180
_GIVEN: tuple[str, ...] = tuple("安然子涵梓萱一诺浩宇欣怡宇轩雨桐若汐沐辰思远书瑶佳琪俊熙")
#: Characters of trade names (字号); two of them, chosen by seed, make each name distinct.
_TRADE_NAME_CHARS: Final = "恒达鑫源盛泰隆华丰宏远通利兴瑞祥信诚嘉和美佳新创汇邦宸骏锦航"
_SCOPES: Final[dict[str, str]] = {
    "五金制品有限公司": "五金制品、工具的制造与销售",
    "小商品贸易有限公司": "日用百货、小商品的批发与零售",
    "红木家具有限公司": "红木家具的设计、制造与销售",
    "纺织有限公司": "纺织品、针织品的生产与销售",
    "食品有限公司": "食品生产与销售",
    "电子科技有限公司": "电子产品的技术开发、生产与销售",
    "工贸有限公司": "机械设备、五金交电的生产与贸易",
    "电动工具有限公司": "电动工具的研发、制造与销售",
    "饰品有限公司": "饰品、工艺品的设计、生产与销售",
    "物流有限公司": "普通货物仓储与道路货物运输代理",
    "网络科技有限公司": "网络技术开发、技术服务与电子商务",
    "建设工程有限公司": "房屋建筑工程、市政工程施工",
}
#: How long ago, at least, a retirement sample was noticed (see ``_retirement``).
_NOTICE_AGE_DAYS: Final = 21
_CAPITALS_CNY: Final = (100_000, 300_000, 500_000, 1_000_000, 2_000_000, 5_000_000)

DeathPlace = Literal["hospital", "home", "other"]


class UnknownBundleError(ValueError):
    """No sample exists for that bundle (yet)."""


class SampleOptionError(ValueError):
    """An option does not apply to the bundle, or names a person the registries do not hold."""


def sample_event(
    bundle: Bundle,
    seed: int,
    population: Population | SamplePeople | None = None,
    *,
    place: DeathPlace | None = None,
    person_of: Mapping[str, Any] | None = None,
    false_address: bool = False,
) -> dict[str, Any]:
    """One valid CloudEvent for ``bundle``; each seed gives another case key and person.

    Args:
        bundle: which bundle the event starts.
        seed: any non-negative integer; the same seed gives the same event (but a fresh ``id``).
        population: the simulated registries' population (by default the one the departments
            are seeded with, read from the sample cache without building it).
        place: death only: where the death happened (drawn from the seed when None: mostly in
            hospital). A place given makes another case key than the seed's default event.
        person_of: death only: another sample event (a retirement or a business application)
            whose person dies, reported by their son (an elder) or spouse.
        false_address: business only: the company's address is one no registry knows
            (:data:`FALSE_ADDRESS`), still pledged; another case key than the seed's default.

    Raises:
        UnknownBundleError: no sample generator for ``bundle``.
        SampleOptionError: an option given for another bundle, or ``person_of`` names no one
            in the population.
    """
    if bundle != "death" and (place is not None or person_of is not None):
        raise SampleOptionError("place and person_of apply to death events only")
    if bundle != "business" and false_address:
        raise SampleOptionError("false_address applies to business events only")
    people = _people(population)
    if bundle == "newborn":
        return _birth(people, seed)
    if bundle == "retirement":
        return _retirement(people, seed)
    if bundle == "death":
        return _death(people, seed, place=place, person_of=person_of)
    if bundle == "business":
        return _business(people, seed, false_address=false_address)
    raise UnknownBundleError(f"no sample events for bundle {bundle!r} yet")


def retirement_then_death(
    seed: int,
    population: Population | SamplePeople | None = None,
    *,
    place: DeathPlace | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A retirement event and the event of the same person's death shortly after.

    Args:
        seed: as for :func:`sample_event`.
        population: as for :func:`sample_event`.
        place: where the death happened (drawn from the seed when None).

    Returns:
        The retirement event and the death event, in that order.
    """
    people = _people(population)
    retirement = _retirement(people, seed)
    return retirement, _death(people, seed, place=place, person_of=retirement)


#: Populations already seen, by identity, with the people of each (tests pass the same one often).
_SEEN: dict[int, tuple[Population, SamplePeople]] = {}


def _people(population: Population | SamplePeople | None) -> SamplePeople:
    if population is None:
        return load_sample_people()
    if isinstance(population, SamplePeople):
        return population
    seen = _SEEN.get(id(population))
    if seen is None or seen[0] is not population:
        if len(_SEEN) >= 4:
            _SEEN.clear()
        seen = _SEEN[id(population)] = (population, SamplePeople.of(population))
    return seen[1]


def _envelope(
    event_type: str, source: str, subject: str, time: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": event_type,
        "subject": subject,
        "time": time.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def _named(person: SamplePerson) -> dict[str, str]:
    return {"id_number": person.id_number, "name": person.name}


def _birth(population: SamplePeople, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    family = population.family(seed % population.family_count)
    hospitals = population.hospitals
    hospital = next((h for h in hospitals if h.region == family.father.district), hospitals[0])
    household_parent = "father" if rng.random() < 0.8 else "mother"
    surname_from = family.father if household_parent == "father" else family.mother
    born_at = datetime(2026, 1, 1, tzinfo=CHINA) + timedelta(minutes=rng.randrange(0, 330 * 1440))
    child = {
        "name": surname_from.name[0] + "".join(rng.sample(_GIVEN, 2)),
        "sex": rng.choice(("F", "M")),
        "born_at": born_at.isoformat(),
        "weight_g": rng.randrange(2500, 4300),
    }
    return _envelope(
        EVENT_TYPE_BIRTH,
        f"urn:hospital:{hospital.code}",
        f"BR-{hospital.code}-{seed:08d}",
        born_at + timedelta(minutes=rng.randrange(10, 90)),
        {
            "hospital": {"code": hospital.code, "name": hospital.name},
            "child": child,
            "mother": _named(family.mother),
            "father": _named(family.father),
            "household_parent": household_parent,
        },
    )


def _retirement(population: SamplePeople, seed: int) -> dict[str, Any]:
    rng = random.Random(f"retirement-{seed}")
    grandfathers = (population.family(i).grandfather for i in population.cohort("retiring"))
    retiring = [
        person
        for person in grandfathers
        if (person.contribution_months or 0) >= _MIN_CONTRIBUTION_MONTHS
    ]
    person = retiring[seed % len(retiring)]
    retires = person.retirement_date
    # Social security announces a retirement a month ahead, in office hours; a notice that
    # would lie in the future is dated three weeks ago instead, so that the event (and a death
    # reported up to 20 days after it, see retirement_then_death) is not refused as from it.
    latest = datetime.now(CHINA).date() - timedelta(days=_NOTICE_AGE_DAYS)
    noticed = datetime.combine(min(retires - timedelta(days=30), latest), time(9), tzinfo=CHINA)
    return _envelope(
        EVENT_TYPE_RETIREMENT,
        "urn:socialsecurity:330700",
        f"PEN-330700-2026-{seed:08d}",
        noticed + timedelta(minutes=rng.randrange(0, 8 * 60)),
        {"person": _named(person), "retirement_date": retires.isoformat(), "kind": "normal"},
    )


def _death(
    population: SamplePeople,
    seed: int,
    *,
    place: DeathPlace | None,
    person_of: Mapping[str, Any] | None,
) -> dict[str, Any]:
    rng = random.Random(f"death-{seed}")
    drawn_place: DeathPlace = rng.choices(("hospital", "home", "other"), weights=(85, 12, 3))[0]
    suffix = "" if place is None else f"-{place[0].upper()}"
    if person_of is None:
        elderly = population.cohort("elderly")
        family = population.family(elderly[seed % len(elderly)])
        # One elder per family until the seeds go round the cohort: the spouse of each sample's
        # deceased is then alive, to be the next of kin who is paid.
        second_round = (seed // len(elderly)) % 2
        deceased = family.grandmother if second_round else family.grandfather
        died_at = datetime(2026, 1, 1, tzinfo=CHINA) + timedelta(
            minutes=rng.randrange(0, 320 * 1440)
        )
    else:
        family, deceased = _member(population, person_of)
        earlier = datetime.fromisoformat(str(person_of["time"]))
        died_at = earlier + timedelta(minutes=rng.randrange(1440, 20 * 1440))
        suffix += "-P"
    informant, relation = _informant(family, deceased)
    hospital = _general_hospital(population, deceased.district, rng)
    return _envelope(
        EVENT_TYPE_DEATH,
        f"urn:hospital:{hospital.code}",
        f"DTH-{hospital.code}-{seed:08d}{suffix}",
        died_at + timedelta(minutes=rng.randrange(30, 180)),
        {
            "deceased": _named(deceased),
            "died_at": died_at.isoformat(),
            "place": place or drawn_place,
            "informant": {**_named(informant), "relation": relation},
        },
    )


def _member(
    population: SamplePeople, event: Mapping[str, Any]
) -> tuple[SampleFamily, SamplePerson]:
    """The family and person that a retirement or business sample is about."""
    data = event.get("data") or {}
    named = data.get("person") or data.get("legal_representative") or {}
    found = population.member(str(named.get("id_number")))
    if found is not None:
        return found
    raise SampleOptionError("person_of names nobody in the population")


def _informant(family: SampleFamily, deceased: SamplePerson) -> tuple[SamplePerson, str]:
    """Who reports the death: the son for an elder, the spouse for a parent."""
    if deceased in (family.grandfather, family.grandmother):
        return family.father, "child"
    if deceased == family.father:
        return family.mother, "spouse"
    return family.father, "spouse"


def _business(population: SamplePeople, seed: int, *, false_address: bool) -> dict[str, Any]:
    rng = random.Random(f"business-{seed}")
    founder = population.founder(seed % population.founder_count)
    registered = rng.choice(population.addresses)
    address, region = (
        (FALSE_ADDRESS, "330781")
        if false_address
        else (
            registered.address,
            registered.region,
        )
    )
    # Seeds map to distinct trade names, so no two sample companies ask for the same name.
    n = 2 * seed + (1 if false_address else 0)
    chars = len(_TRADE_NAME_CHARS)
    trade_name = _TRADE_NAME_CHARS[n % chars] + _TRADE_NAME_CHARS[(n // chars) % chars]
    suffix = COMPANY_SUFFIXES[(n // chars**2) % len(COMPANY_SUFFIXES)]
    submitted = datetime(2026, 1, 5, 8, tzinfo=CHINA) + timedelta(
        days=rng.randrange(0, 320), minutes=rng.randrange(0, 10 * 60)
    )
    return _envelope(
        EVENT_TYPE_BUSINESS,
        "urn:portal:zjzwfw",
        f"QY-330700-2026-{seed:08d}" + ("-F" if false_address else ""),
        submitted,
        {
            "company": {
                "name": f"{DISTRICT_BY_CODE[region].short}{trade_name}{suffix}",
                "kind": "有限责任公司",
                "registered_capital_cny": rng.choice(_CAPITALS_CNY),
                "address": address,
                "business_scope": _SCOPES[suffix],
            },
            "legal_representative": _named(founder),
            "address_pledge": True,
            "employees": rng.randrange(1, 31),
        },
    )


def _general_hospital(population: SamplePeople, region: str, rng: random.Random) -> Hospital:
    """A hospital of the district other than a maternity one (the city's first if none)."""
    near = [h for h in population.hospitals if h.region == region and not h.code.endswith("-MCH")]
    return rng.choice(near) if near else population.hospitals[0]
