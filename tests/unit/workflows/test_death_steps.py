"""Death cases started after the change record the death before social security acts on it."""

from __future__ import annotations

from workflows.changes import CURRENT, DEATH_RECORDED_BEFORE_ACTED_ON
from workflows.death import DEATH_STEPS
from workflows.steps import Step

_STEPS = {step.name: step for step in DEATH_STEPS if isinstance(step, Step)}


def _patched_needs(name: str) -> tuple[str, ...]:
    patch = _STEPS[name].patch
    assert patch is not None
    assert patch.id == DEATH_RECORDED_BEFORE_ACTED_ON
    return patch.needs


def test_the_change_is_named_for_new_cases() -> None:
    assert DEATH_RECORDED_BEFORE_ACTED_ON in CURRENT


def test_police_are_given_the_time_of_death() -> None:
    assert "died_at" not in _STEPS["household_cancellation"].needs
    assert "died_at" in _patched_needs("household_cancellation")


def test_payments_and_the_insurance_end_wait_for_the_recorded_death() -> None:
    assert _STEPS["pension_termination"].gives == ("open_case_ids",)
    for name in ("funeral_allowance", "survivor_benefit", "medical_insurance_termination"):
        old, new = _STEPS[name].needs, _patched_needs(name)
        assert "open_case_ids" not in old
        assert set(new) == {*old, "open_case_ids"}
