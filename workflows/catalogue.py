"""The catalogue of materials: what each bundle used to ask of citizens, and how it is replaced.

Shipped as ``catalogue.json`` beside this module. The engine reads it to tell, for each case,
which materials the citizen was spared and how.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from onething.constants import Bundle

Way = Literal["cancelled", "commitment", "data_query", "department_verification"]
WAYS: tuple[Way, ...] = ("cancelled", "commitment", "data_query", "department_verification")
CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
#: The ways a fact can reach a case that replace a material (the rest say nothing of it).
_REPLACING: dict[str, Way] = {way: way for way in WAYS if way != "cancelled"}


class Material(BaseModel):
    """One material a step of a bundle traditionally required."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name_zh: str
    name_en: str
    bundle: Bundle
    step: str | None
    needed_by: str
    held_by: str
    way: Way
    fact: str | None = None
    basis: str = ""


class Catalogue(BaseModel):
    """Every bundle's materials and the sources of their real-world grounding."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sources: list[Any]
    materials: list[Material]

    def for_bundle(self, bundle: str) -> list[Material]:
        """The materials of one bundle."""
        return [m for m in self.materials if m.bundle == bundle]

    def counts(self, bundle: str | None = None) -> dict[Way, int]:
        """How many materials each way replaces, in one bundle or overall."""
        chosen = self.materials if bundle is None else self.for_bundle(bundle)
        counted = Counter(m.way for m in chosen)
        return {way: counted.get(way, 0) for way in WAYS}


def way_taken(material: Material, way_of_fact: str | None) -> Way:
    """How a case actually did without ``material``: by the way its fact was obtained.

    The catalogue names the usual way; a case may have gone another (an address the applicant
    could not pledge is verified by police instead). A material cancelled outright, or one whose
    fact the case does not hold, keeps the catalogue's way.

    Args:
        material: The catalogue's material.
        way_of_fact: The way the case obtained ``material.fact`` (a ``FactRecord.way``), if it did.
    """
    if material.way == "cancelled" or way_of_fact is None:
        return material.way
    return _REPLACING.get(way_of_fact, material.way)


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The shipped catalogue (read once per process)."""
    return Catalogue.model_validate(json.loads(path.read_text(encoding="utf-8")))


def jinhua_summary(counts: dict[Way, int]) -> str:
    """Counts in the form of Jinhua's own statistics."""
    total = sum(counts.values())
    rest = total - counts["cancelled"]
    return (
        f"Of {total} kinds of material, {counts['cancelled']} were cancelled outright; "
        f"the other {rest} are replaced: {counts['commitment']} by notification and commitment, "
        f"{counts['data_query']} by data query, "
        f"{counts['department_verification']} by department verification."
    )
