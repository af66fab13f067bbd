"""Case views to draw and count, built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.models import CaseView, MaterialView, StepView

STARTED = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def step(name: str, state: str, needs: list[str], gives: list[str] | None = None) -> StepView:
    """A step of the ``tax`` department (the department does not matter to the pictures)."""
    return StepView.model_validate(
        {"name": name, "department": "tax", "state": state, "needs": needs, "gives": gives or []}
    )


def material(way: str, *, applies: bool = True) -> MaterialView:
    """A material replaced ``way``."""
    return MaterialView.model_validate(
        {
            "id": f"m-{way}",
            "name_zh": "材料",
            "name_en": "material",
            "way": way,
            "held_by": "citizen",
            "applies": applies,
        }
    )


def view(case_id: str = "newborn-T1", **fields: Any) -> CaseView:
    """A newborn case view: a chain a → b → c from the citizen's event, one step skipped."""
    defaults: dict[str, Any] = {
        "case_id": case_id,
        "bundle": "newborn",
        "status": "running",
        "citizen_inputs": ["mother", "child"],
        "steps": [
            step("a", "done", ["mother"], ["x"]),
            step("b", "running", ["x", "child"], ["y"]),
            step("c", "pending", ["y", "x"]),
            step("d", "skipped", ["mother"]),
            step("e & <f>", "failed", ["y"]),
        ],
        "started_at": STARTED,
        "finished_at": STARTED + timedelta(seconds=5),
    }
    return CaseView.model_validate(defaults | fields)
