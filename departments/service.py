"""What each department module provides, and how its seeded database is opened.

A department module (``health``, ``police``, ...) exports one :class:`DepartmentService`: its
tables, how to fill them from the population, and its routes. Adding an endpoint means adding a
route (and, if needed, a ``CREATE TABLE IF NOT EXISTS``) to that one module.
"""

from __future__ import annotations

import hashlib
import inspect
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter

from departments.population import DEFAULT_SEED, POPULATION_VERSION, Population, load_population
from departments.store import COMMON_SCHEMA, Store
from departments.templates import (
    Progress,
    TemplateCache,
    TemplateSpec,
    cache_root,
    copy_database,
    generator_fingerprint,
)
from departments.verifications import VerificationRule
from onething.constants import Department
from onething.settings import Settings


@dataclass(frozen=True)
class PopulationSource:
    """Which population a department is seeded from, built only if a seeder asks for it."""

    families: int
    seed: int = DEFAULT_SEED

    def load(self) -> Population:
        """Build (or reuse, within this process) the population."""
        return load_population(self.families, self.seed)

    @property
    def stamp(self) -> str:
        """Identifies the population: the code that builds it, its seed and its size."""
        generator = f"{POPULATION_VERSION}-{generator_fingerprint()}"
        return f"{generator}:seed={self.seed}:families={self.families}"


@dataclass(frozen=True)
class DepartmentService:
    """One simulated department.

    Attributes:
        department: Its name.
        schema: Its own tables, as ``CREATE ... IF NOT EXISTS`` statements. Changing them
            starts the department's database afresh (see :func:`open_store`).
        seed: Inserts its share of the population (runs once, inside a transaction).
        routes: Builds its endpoints around its store.
        verifications: The kinds of ``POST /verifications`` it answers, each with the rule
            that decides a new request (confirmed, refused, or pending an operator).
    """

    department: Department
    schema: str
    seed: Callable[[sqlite3.Connection, PopulationSource], None]
    routes: Callable[[Store], APIRouter]
    verifications: Mapping[str, VerificationRule] = field(default_factory=dict)

    def stamp(self, source: PopulationSource) -> str:
        """Identifies what the database holds: the population and every table's definition."""
        # The common tables count too: ``CREATE TABLE IF NOT EXISTS`` never adds a new column to
        # an existing table, so a database with older common tables must be seeded afresh.
        tables = hashlib.sha256((COMMON_SCHEMA + self.schema).encode()).hexdigest()[:12]
        return f"{source.stamp}:tables={tables}"

    def template(self, source: PopulationSource) -> TemplateSpec:
        """What the department's template database holds and how it is filled."""
        return TemplateSpec(
            department=self.department,
            stamp=self.stamp(source),
            schema=self.schema,
            seeder=lambda conn: self.seed(conn, source),
            code=Path(inspect.getfile(self.seed)),
        )


def open_store(
    service: DepartmentService,
    settings: Settings,
    *,
    services: Mapping[Department, DepartmentService] | None = None,
    progress: Progress | None = None,
) -> tuple[Store, bool]:
    """Open the department's database, copying it from its template on first use.

    A database filled from another population (other code, seed or size) or with other tables
    is deleted and copied afresh: the simulated registers then hold exactly the people
    :func:`load_population` returns, in the tables the code expects. A database that matches is
    opened as it is, with everything the department recorded since.

    Args:
        service: The department.
        settings: Where the database lives, where templates are cached, the population size.
        services: Every department whose template is built together with this one's (a
            missing template set is built whole, once, by the first process that needs it);
            only ``service`` when None.
        progress: Receives what is being done, one line at a time.

    Returns:
        The store, and whether this call filled it.
    """
    report: Progress = progress or (lambda _: None)
    path = settings.department_db(service.department)
    source = PopulationSource(settings.population_families)
    stamp = service.stamp(source)
    if path.exists():
        report(f"opening the {service.department} database")
        store = Store(path)
        if store.stamp() == stamp:
            store.apply_schema(service.schema)
            return store, False
        store.close()
    family = {**(services or {}), service.department: service}
    specs = [family[name].template(source) for name in sorted(family)]
    try:
        folder = TemplateCache(cache_root(settings)).ensure(specs, progress=report)
    except OSError as error:
        # A cache that cannot be written (a read-only home directory in a container) must not
        # keep the department from starting: the templates are then built in its own home.
        report(f"template cache unusable ({error.strerror or error}); building in the home")
        cache = TemplateCache(settings.home / "departments" / "templates")
        folder = cache.ensure(specs, progress=report)
    report(f"copying the {service.department} template into the home")
    copy_database(folder / f"{service.department}.db", path)
    store = Store(path)
    store.apply_schema(service.schema)
    return store, True
