"""The figures of a chaos run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Figures(BaseModel):
    model_config = ConfigDict(frozen=True)


class KillRecord(_Figures):
    """One SIGKILL of the run: when (seconds after the first event), which part, which PID."""

    at_s: float
    part: str
    pid: int


class KindFigures(_Figures):
    """How the cases of one kind (bundle, or business with or without a pledge) fared."""

    published: int = 0
    completed: int = 0


class ChaosReport(_Figures):
    """What a chaos run did and what became of every case.

    Attributes:
        seed: The seed of the case order and the kill plan.
        cases_published: Events the broker acknowledged, one per case.
        started: Cases with a workflow in Temporal.
        completed: Cases that ended ``completed``.
        ended_otherwise: Cases that ended another way, by ``CaseStatus`` (rejected, ...).
        lost: Cases published but never started or not finished by the deadline.
        lost_cases: Their case IDs.
        duplicated: Cases with more than one workflow, or a document kind issued (at the
            departments) or listed (in the case view) more than once.
        documents_issued: Documents the departments issued for the run's cases.
        documents_issued_twice: Documents beyond the first of a kind for a case, at the
            departments.
        documents_not_in_view: Documents issued for a finished case that its view does not list.
        kills: Every kill, in order.
        restarts: Restarts of killed parts the supervisor reported.
        by_kind: Published and completed cases per kind.
        elapsed_s: From the first event published to the last case closed (or the deadline).
        stack_start_s: How long the stack took to become ready.
    """

    seed: int
    cases_published: int
    started: int
    completed: int
    ended_otherwise: dict[str, int] = Field(default_factory=dict)
    lost: int
    lost_cases: list[str] = Field(default_factory=list)
    duplicated: int
    documents_issued: int
    documents_issued_twice: int
    documents_not_in_view: int
    kills: list[KillRecord] = Field(default_factory=list)
    restarts: int
    by_kind: dict[str, KindFigures] = Field(default_factory=dict)
    elapsed_s: float
    stack_start_s: float

    @property
    def clean(self) -> bool:
        """Nothing lost, nothing twice."""
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.documents_issued_twice == 0
            and self.documents_not_in_view == 0
        )
