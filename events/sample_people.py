"""The people sample events are about, kept in a small file built once per population.

Building the population takes seconds (Faker and twelve thousand families), and a sample needs
only a few fields of a few people. The first sample builds the population exactly as the
departments do and keeps those fields under ``<home>/cache/``, in a file named by the
population's fingerprint (its generator's code), seed and size; every later sample reads it. A
sample therefore names people the departments were seeded with, without building them again.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from departments.jinhua import HOSPITALS, Hospital
from departments.population import (
    DEFAULT_SEED,
    BusinessAddress,
    Cohort,
    Person,
    Population,
    Sex,
    business_addresses,
    population_fingerprint,
    statutory_retirement_date,
)

log = logging.getLogger(__name__)

#: Bump when the file's layout changes.
_FORMAT: Final = 2
Role = Literal["father", "mother", "grandfather", "grandmother"]


class SamplePerson(NamedTuple):
    """What a sample event says of a person, and what picks them.

    A named tuple: the cache file holds tens of thousands, read as they were written.

    Attributes:
        id_number: The resident ID number.
        name: The full name.
        sex: ``"M"`` or ``"F"``.
        born: The birth date, ISO 8601.
        contribution_months: Months of social insurance contributions; None for the uninsured.
        district: The code of today's district the person comes from.
    """

    id_number: str
    name: str
    sex: Sex
    born: str
    contribution_months: int | None
    district: str

    @property
    def region(self) -> str:
        """The district code in the ID number."""
        return self.id_number[:6]

    @property
    def birth_date(self) -> date:
        """The birth date."""
        return date.fromisoformat(self.born)

    @property
    def retirement_date(self) -> date:
        """The statutory retirement date."""
        return statutory_retirement_date(self.birth_date, self.sex)

    @classmethod
    def of(cls, person: Person) -> SamplePerson:
        """The sample fields of a person of the population."""
        months = person.insurance.contribution_months if person.insurance else None
        born = person.birth_date.isoformat()
        return cls(person.id_number, person.name, person.sex, born, months, person.district)


class SampleFamily(NamedTuple):
    """A family as samples see it: its cohort and its four members."""

    position: int
    cohort: Cohort
    father: SamplePerson
    mother: SamplePerson
    grandfather: SamplePerson
    grandmother: SamplePerson

    @property
    def members(self) -> tuple[SamplePerson, SamplePerson, SamplePerson, SamplePerson]:
        """Father, mother, grandfather, grandmother."""
        return (self.father, self.mother, self.grandfather, self.grandmother)


class SamplePeople:
    """The families and business founders of one population, as samples see them.

    It keeps each family as the cache file holds it and makes a :class:`SampleFamily` only of
    those a sample looks at.
    """

    def __init__(
        self, seed: int, families: list[list[Any]], founders: list[tuple[int, Role]]
    ) -> None:
        """Take the rows of :meth:`to_json`: ``[cohort, [person row x 4]]`` per family."""
        self.seed = seed
        self._rows = families
        self._founders = founders
        self._made: dict[int, SampleFamily] = {}

    @classmethod
    def of(cls, population: Population) -> SamplePeople:
        """The sample fields of every family and founder of ``population``."""
        rows = [
            [f.cohort, [list(SamplePerson.of(member)) for member in f.members]]
            for f in population.families
        ]
        where: dict[str, tuple[int, Role]] = {}
        for f in population.families:
            where |= {
                f.father.id_number: (f.index, "father"),
                f.mother.id_number: (f.index, "mother"),
            }
        founders = [where[p.id_number] for p in population.founders]
        return cls(population.seed, rows, founders)

    @property
    def family_count(self) -> int:
        """How many families there are."""
        return len(self._rows)

    def family(self, position: int) -> SampleFamily:
        """The family at ``position`` (0 to ``family_count - 1``)."""
        made = self._made.get(position)
        if made is None:
            cohort, rows = self._rows[position]
            made = SampleFamily(position, cohort, *map(SamplePerson._make, rows))
            self._made[position] = made
        return made

    def cohort(self, cohort: Cohort) -> tuple[int, ...]:
        """The positions of the families of one cohort, in order."""
        return tuple(i for i, row in enumerate(self._rows) if row[0] == cohort)

    @property
    def founder_count(self) -> int:
        """How many business founders there are."""
        return len(self._founders)

    def founder(self, number: int) -> SamplePerson:
        """The founder ``number`` (0 to ``founder_count - 1``)."""
        position, role = self._founders[number]
        founder: SamplePerson = getattr(self.family(position), role)
        return founder

    def member(self, id_number: str) -> tuple[SampleFamily, SamplePerson] | None:
        """The family and person with this ID number, if anyone has it."""
        for position, (_, rows) in enumerate(self._rows):
            for row in rows:
                if row[0] == id_number:
                    family = self.family(position)
                    return family, next(p for p in family.members if p.id_number == id_number)
        return None

    @property
    def hospitals(self) -> tuple[Hospital, ...]:
        """The hospitals of Jinhua."""
        return HOSPITALS

    @property
    def addresses(self) -> tuple[BusinessAddress, ...]:
        """The usable business addresses of police's standard address registry."""
        return business_addresses(self.seed)

    def to_json(self) -> dict[str, Any]:
        """The people as the cache file keeps them."""
        return {
            "format": _FORMAT,
            "seed": self.seed,
            "families": self._rows,
            "founders": [list(founder) for founder in self._founders],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SamplePeople:
        """Read what :meth:`to_json` wrote.

        Raises:
            ValueError: The data is not in this module's format.
        """
        if data.get("format") != _FORMAT:
            raise ValueError("sample people in another format")
        founders = [(int(position), role) for position, role in data["founders"]]
        return cls(int(data["seed"]), list(data["families"]), founders)


def load_sample_people(
    families: int | None = None, seed: int = DEFAULT_SEED, *, cache: Path | None = None
) -> SamplePeople:
    """The people samples draw from: those of the population the departments are seeded with.

    Args:
        families: How many families; ``Settings.population_families`` when None.
        seed: The population's seed.
        cache: The folder of the cache file; ``<home>/cache`` when None.

    Returns:
        The sample people, read from the cache file, or built and then kept there.
    """
    if families is None or cache is None:
        from onething.settings import get_settings

        settings = get_settings()
        families = families or settings.population_families
        cache = cache or settings.home / "cache"
    path = cache / f"sample-people-{population_fingerprint()}-{seed}-{families}.json"
    try:
        return SamplePeople.from_json(json.loads(path.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    from departments.population import load_population

    people = SamplePeople.of(load_population(families, seed))
    _keep(path, people)
    return people


def _keep(path: Path, people: SamplePeople) -> None:
    """Write the cache file whole or not at all; a sample is still made if it cannot be."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(people.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError as err:
        log.debug("sample people not cached at %s: %s", path, err.strerror)
        partial.unlink(missing_ok=True)
