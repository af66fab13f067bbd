"""The materials catalogue: grounded, and consistent with the bundles' steps and facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onething.constants import BUNDLES, DEPARTMENTS
from workflows.business import BUSINESS_STEPS
from workflows.catalogue import load_catalogue
from workflows.death import DEATH_STEPS
from workflows.newborn import NEWBORN_STEPS
from workflows.retirement import RETIREMENT_STEPS

STEPS: dict[str, tuple[Any, ...]] = {
    "newborn": NEWBORN_STEPS,
    "retirement": RETIREMENT_STEPS,
    "death": DEATH_STEPS,
    "business": BUSINESS_STEPS,
}


def _all_steps(bundle: str) -> Iterator[Any]:
    """Every step of a bundle, with those a commitment runs (check, credit, fallback)."""
    for step in STEPS[bundle]:
        yield step
        for nested in ("check", "credit", "fallback"):
            if hasattr(step, nested):
                yield getattr(step, nested)


def test_every_bundle_lists_what_citizens_used_to_bring() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.for_bundle("newborn")) == 14
    for bundle in BUNDLES:
        materials = catalogue.for_bundle(bundle)
        assert len(materials) >= 8, bundle
        assert len({m.id for m in materials}) == len(materials), bundle
        assert all(m.id.isidentifier() and m.id.islower() for m in materials)


@pytest.mark.parametrize("bundle", BUNDLES)
def test_materials_name_real_steps_departments_and_facts(bundle: str) -> None:
    steps = {step.name: step for step in _all_steps(bundle)}
    given = {fact for step in steps.values() for fact in step.gives}
    for material in load_catalogue().for_bundle(bundle):
        assert material.step is None or material.step in steps, material.id
        assert material.needed_by in DEPARTMENTS, material.id
        assert material.held_by in (*DEPARTMENTS, "citizen"), material.id
        assert material.fact is None or material.fact in given, material.id
        assert material.basis, material.id


def test_each_way_is_used_where_the_bundles_use_it() -> None:
    catalogue = load_catalogue()
    by_id = {(m.bundle, m.id): m for m in catalogue.materials}
    assert by_id["newborn", "marriage_certificate"].way == "data_query"
    assert by_id["newborn", "marriage_certificate"].fact == "parents_marriage"
    assert by_id["death", "kinship_proof"].fact == "next_of_kin"
    assert by_id["death", "home_death_proof"].way == "department_verification"
    assert by_id["death", "home_death_proof"].step == "death_verification"
    assert by_id["retirement", "contribution_proof"].fact == "contribution_months"
    assert by_id["retirement", "proof_of_life"].way == "cancelled"
    address = by_id["business", "address_proof"]
    assert (address.way, address.step) == ("commitment", "business_address")
    for material in catalogue.materials:
        if material.way == "data_query":
            assert material.held_by != "citizen", material.id
    assert catalogue.counts()["cancelled"] > 0


def test_sources_ground_the_catalogue() -> None:
    references = {source["reference"] for source in load_catalogue().sources}
    assert {"国发〔2024〕3号", "GB 11643-1999", "GB 32100-2015"} <= references
