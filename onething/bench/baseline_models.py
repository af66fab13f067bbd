"""Models of the baseline workflow, and its shape taken from a bundle's steps.

They live apart from the workflow so that the workflow sandbox passes them through instead of
rebuilding the pydantic classes for every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from pydantic import BaseModel, ConfigDict

BASELINE_WORKFLOW: Final = "bench-baseline"
#: Where the baseline workflow and its two "publish" activities run, like the orchestrator's.
BASELINE_TASK_QUEUE: Final = "onething-bench-baseline"
#: Where its step activities run, like a department's.
BASELINE_STEPS_TASK_QUEUE: Final = "onething-bench-baseline-steps"


class StepShape(Protocol):
    """What the baseline takes from a bundle's step: its name and the facts it needs and gives."""

    @property
    def name(self) -> str:
        """The step's name."""

    @property
    def needs(self) -> tuple[str, ...]:
        """The facts it needs."""

    @property
    def gives(self) -> tuple[str, ...]:
        """The facts it gives."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class BaselineStep(_Model):
    """One step of the baseline: it starts once every step it comes ``after`` has finished."""

    name: str
    after: tuple[str, ...] = ()


class BaselineInput(_Model):
    """Input of the baseline workflow."""

    case_id: str
    steps: tuple[BaselineStep, ...]


class NoopInput(_Model):
    """Input of the activity that does nothing."""

    case_id: str
    step: str


class NoopOutput(_Model):
    """Output of the activity that does nothing."""

    step: str


class BaselineResult(_Model):
    """Result of the baseline workflow: how many activities it ran."""

    case_id: str
    activities: int


def baseline_steps(steps: Sequence[StepShape]) -> tuple[BaselineStep, ...]:
    """The dependency shape of a bundle: each step after the steps that give what it needs.

    Facts no step gives come with the trigger event, so a step needing only those starts at once,
    as it does in the case engine.

    Args:
        steps: The bundle's steps, e.g. ``workflows.newborn.NEWBORN_STEPS``.

    Returns:
        One baseline step per bundle step, in the same order.
    """
    givers = {fact: step.name for step in steps for fact in step.gives}
    return tuple(
        BaselineStep(
            name=step.name,
            after=tuple(dict.fromkeys(givers[need] for need in step.needs if need in givers)),
        )
        for step in steps
    )
