"""What the workbench reads from and sends to the cases: worklists and answers, through Temporal.

The worklist of a department is built from the open cases whose ``WaitingOn`` names it, each
asked for its ``status`` (the case view): a wait whose provider is the department is an item.
Fact values never leave the workflow here; an item shows the names of the facts the verified
step needs, and where each came from.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal, Protocol

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from onething.cases import CaseNotFoundError, case_view, list_cases, list_query
from onething.constants import Department
from workflows.models import (
    ActionAccepted,
    CaseView,
    FactRecord,
    VerificationAnswerRequest,
    WaitView,
)

#: The most open cases one worklist looks at; a department with more sees the oldest first.
WORKLIST_CASES = 200
#: How many cases are asked for their status at once.
_CONCURRENT_QUERIES = 16


@dataclass(frozen=True)
class WorkItem:
    """A verification waiting for a person of ``wait.provider``."""

    case_id: str
    bundle: str
    wait: WaitView


@dataclass(frozen=True)
class WorkItemDetail:
    """One item with what the verified step needs: fact names and where each came from."""

    item: WorkItem
    needs: list[str]
    facts: list[FactRecord]


@dataclass(frozen=True)
class AnswerOutcome:
    """What became of an answer: ``accepted`` (``status`` is then the case's status), or
    ``moved_on``: the case waits for no such answer any more (or is gone), nothing changed."""

    result: Literal["accepted", "moved_on"]
    status: str = ""


class Board(Protocol):
    """The cases as the workbench sees them."""

    async def worklist(self, department: Department) -> list[WorkItem]:
        """The verifications waiting on ``department``, oldest deadline first."""
        ...

    async def item(self, case_id: str, step: str) -> WorkItemDetail | None:
        """One waiting verification, or None when the case waits on no such step."""
        ...

    async def answer(self, case_id: str, request: VerificationAnswerRequest) -> AnswerOutcome:
        """Send the answer as the ``answer_verification`` update."""
        ...


def items_of(view: CaseView, department: Department) -> list[WorkItem]:
    """The case's waits a person of ``department`` must answer."""
    return [
        WorkItem(case_id=view.case_id, bundle=view.bundle, wait=wait)
        for wait in view.waits
        if wait.provider == department
    ]


def detail_of(view: CaseView, step: str) -> WorkItemDetail | None:
    """The wait for ``step`` with the facts that step needs, or None if it is not waiting."""
    wait = next((w for w in view.waits if w.step == step), None)
    if wait is None:
        return None
    step_view = next((s for s in view.steps if s.name == step), None)
    needs = list(step_view.needs) if step_view is not None else []
    facts = [fact for fact in view.facts if fact.name in needs]
    item = WorkItem(case_id=view.case_id, bundle=view.bundle, wait=wait)
    return WorkItemDetail(item=item, needs=needs, facts=facts)


def by_deadline(items: list[WorkItem]) -> list[WorkItem]:
    """Oldest deadline first; ties by case."""
    return sorted(items, key=lambda item: (item.wait.deadline, item.case_id, item.wait.step))


class TemporalBoard:
    """The board over a Temporal client (``connect_temporal``)."""

    def __init__(self, client: Client) -> None:
        """Use ``client`` for every read and update."""
        self._client = client
        self._limit = asyncio.Semaphore(_CONCURRENT_QUERIES)

    async def worklist(self, department: Department) -> list[WorkItem]:
        """The verifications waiting on ``department``, oldest deadline first."""
        query = list_query(waiting_on=department) + " AND ExecutionStatus = 'Running'"
        cases = await list_cases(self._client, query, limit=WORKLIST_CASES)
        views = await asyncio.gather(*(self._view(case.case_id) for case in cases))
        items = [item for view in views if view is not None for item in items_of(view, department)]
        return by_deadline(items)

    async def item(self, case_id: str, step: str) -> WorkItemDetail | None:
        """One waiting verification, or None when the case waits on no such step."""
        view = await self._view(case_id)
        return None if view is None else detail_of(view, step)

    async def answer(self, case_id: str, request: VerificationAnswerRequest) -> AnswerOutcome:
        """Send the answer as the ``answer_verification`` update.

        The case's validator refuses an answer to a step it no longer waits on (answered
        already, or the case moved on): that is ``moved_on``, and nothing changed.
        """
        handle = self._client.get_workflow_handle(case_id)
        try:
            accepted = await handle.execute_update(
                "answer_verification", request, result_type=ActionAccepted
            )
        except WorkflowUpdateFailedError:
            return AnswerOutcome(result="moved_on")
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                # Temporal answers NOT_FOUND for an update to a case that has closed, too.
                return AnswerOutcome(result="moved_on")
            raise
        return AnswerOutcome(result="accepted", status=accepted.status)

    async def _view(self, case_id: str) -> CaseView | None:
        async with self._limit:
            try:
                return await case_view(self._client, case_id)
            except CaseNotFoundError:
                return None
