"""Tier marks: `make unit` leaves out what needs a server, fuzzing or the full population.

A test is marked by the fixtures it uses, so a new test that takes a dev server or the
full-size population falls out of the fast tier without anyone remembering to mark it.
"""

from __future__ import annotations

import pytest

#: Fixtures that start a Temporal dev server (or its time-skipping variant).
DEV_SERVER_FIXTURES = frozenset({"temporal_env", "ts_env"})
#: Fixtures that build the population at its full, default size.
FULL_POPULATION_FIXTURES = frozenset({"full"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each unit test with ``devserver`` or ``population`` by the fixtures it uses."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DEV_SERVER_FIXTURES:
            item.add_marker(pytest.mark.devserver)
        if fixtures & FULL_POPULATION_FIXTURES:
            item.add_marker(pytest.mark.population)
