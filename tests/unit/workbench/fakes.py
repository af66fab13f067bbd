"""A board over case views held in memory, answering as the case workflow's validator does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from onething.cases import CaseSummary, TimelineEntry
from onething.constants import CaseStatus, Department
from workbench.board import (
    AnswerOutcome,
    WorkItem,
    WorkItemDetail,
    by_deadline,
    detail_of,
    items_of,
)
from workbench.console import STATUSES, ActionOutcome, Filters
from workflows.models import (
    CancelRequest,
    CaseView,
    FactRecord,
    RetryStepRequest,
    StepView,
    VerificationAnswerRequest,
    WaitView,
)

NOW = datetime.fromisoformat("2026-12-02T10:00:00+00:00")


def death_case(number: int, *, deadline_in: timedelta, provider: Department = "police") -> CaseView:
    """A death case waiting for ``provider`` to verify a death at home."""
    case_id = f"death-DTH-330702-CH-{number:08d}"
    needs = ["deceased", "died_at", "place"]
    return CaseView(
        case_id=case_id,
        bundle="death",
        status="waiting-department",
        steps=[
            StepView(
                name="death_verification",
                department="health",
                state="running",
                needs=needs,
                gives=["death_verification"],
            ),
        ],
        facts=[FactRecord(name=name, source="event", way="citizen", at=NOW) for name in needs]
        + [FactRecord(name="informant", source="event", way="citizen", at=NOW)],
        waiting_on=[provider],
        waits=[
            WaitView(
                step="death_verification",
                provider=provider,
                kind="death_outside_hospital",
                verification_id=f"POL-VER-2026-{number:06d}",
                opened_at=NOW - timedelta(days=3) + deadline_in,
                deadline=NOW + deadline_in,
                breached=deadline_in < timedelta(0),
            )
        ],
    )


class FakeBoard:
    """Cases in memory; an answer takes the wait away, as the workflow's update does."""

    def __init__(self, *views: CaseView) -> None:
        self.views = {view.case_id: view for view in views}
        self.answers: list[tuple[str, VerificationAnswerRequest]] = []

    async def worklist(self, department: Department) -> list[WorkItem]:
        return by_deadline(
            [item for view in self.views.values() for item in items_of(view, department)]
        )

    async def item(self, case_id: str, step: str) -> WorkItemDetail | None:
        view = self.views.get(case_id)
        return None if view is None else detail_of(view, step)

    async def answer(self, case_id: str, request: VerificationAnswerRequest) -> AnswerOutcome:
        view = self.views.get(case_id)
        if view is None or not any(wait.step == request.step for wait in view.waits):
            return AnswerOutcome(result="moved_on")
        self.answers.append((case_id, request))
        self.views[case_id] = view.model_copy(
            update={"waits": [w for w in view.waits if w.step != request.step], "status": "running"}
        )
        return AnswerOutcome(result="accepted", status="running")


class FakeSubjects:
    """Subjects the departments hold, by verification number; records who read which."""

    def __init__(self, subjects: dict[str, dict[str, Any]]) -> None:
        self.subjects = subjects
        self.reads: list[tuple[Department, str, str]] = []

    async def subject(
        self, department: Department, verification_id: str, *, officer: str
    ) -> dict[str, Any] | None:
        self.reads.append((department, verification_id, officer))
        return self.subjects.get(verification_id)


class FakeConsole:
    """Cases in memory for the operators' console; records the actions it accepted."""

    def __init__(self, *views: CaseView) -> None:
        self.views = {view.case_id: view for view in views}
        self.actions: list[tuple[str, RetryStepRequest | CancelRequest]] = []
        self.filters: list[Filters] = []

    async def cases(self, filters: Filters) -> list[CaseSummary]:
        self.filters.append(filters)
        return [
            CaseSummary(
                case_id=view.case_id,
                bundle=view.bundle,
                status=view.status,
                waiting_on=list(view.waiting_on),
                started_at=view.started_at,
                closed_at=view.finished_at,
            )
            for view in self.views.values()
            if filters.status in (None, view.status) and filters.bundle in (None, view.bundle)
        ]

    async def counts(self, filters: Filters) -> dict[str, int]:
        return {
            status: sum(view.status == status for view in self.views.values())
            for status in STATUSES
        }

    async def case(self, case_id: str) -> tuple[CaseView, list[TimelineEntry]] | None:
        view = self.views.get(case_id)
        if view is None:
            return None
        return view, [TimelineEntry(at=NOW, event="case started")]

    async def act(self, case_id: str, request: RetryStepRequest | CancelRequest) -> ActionOutcome:
        view = self.views.get(case_id)
        if view is None:
            return ActionOutcome(result="not_found")
        if isinstance(request, RetryStepRequest) and not any(
            step.name == request.step and step.state == "failed" for step in view.steps
        ):
            return ActionOutcome(result="refused", detail=f"no failed step {request.step!r}")
        self.actions.append((case_id, request))
        status: CaseStatus = "running" if isinstance(request, RetryStepRequest) else "revoked"
        self.views[case_id] = view.model_copy(update={"status": status})
        return ActionOutcome(result="accepted", detail=status)
