"""Valid sample events about people and places that exist in the simulated registries."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from departments.population import Population, load_population
from onething.constants import EVENT_TYPE_BIRTH, Bundle

CHINA = timezone(timedelta(hours=8), "CST")
_GIVEN: tuple[str, ...] = tuple("安然子涵梓萱一诺浩宇欣怡宇轩雨桐若汐沐辰思远书瑶佳琪俊熙")


class UnknownBundleError(ValueError):
    """No sample exists for that bundle (yet)."""


def sample_event(bundle: Bundle, seed: int, population: Population | None = None) -> dict[str, Any]:
    """One valid CloudEvent for ``bundle``; each seed gives another case key and family.

    Args:
        bundle: which bundle the event starts.
        seed: any non-negative integer; the same seed gives the same event (but a fresh ``id``).
        population: the simulated registries' population (the process's own by default).

    Raises:
        UnknownBundleError: no sample generator for ``bundle``.
    """
    population = population or load_population()
    makers = {"newborn": _birth}
    maker = makers.get(bundle)
    if maker is None:
        raise UnknownBundleError(f"no sample events for bundle {bundle!r} yet")
    return maker(population, seed)


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


def _birth(population: Population, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    family = population.family(seed % len(population.families))
    hospitals = population.hospitals
    hospital = next((h for h in hospitals if h.region == family.father.region), hospitals[0])
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
            "mother": {"id_number": family.mother.id_number, "name": family.mother.name},
            "father": {"id_number": family.father.id_number, "name": family.father.name},
            "household_parent": household_parent,
        },
    )
