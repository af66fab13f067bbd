"""What the operators' console reads and sends: cases by filter, counts, one case, retry, cancel.

The filters are those of ``onething cases`` (bundle, status, waiting-on, started before), over
the contract's search attributes; the actions are the updates ``onething retry`` and
``onething cancel`` send, each naming the operator and a reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, Protocol, get_args

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from onething.cases import (
    CaseNotFoundError,
    CaseSummary,
    TimelineEntry,
    case_view,
    list_cases,
    list_query,
    timeline,
)
from onething.constants import CaseStatus
from workflows.models import ActionAccepted, CancelRequest, CaseView, RetryStepRequest

STATUSES: Final[tuple[str, ...]] = get_args(CaseStatus)
#: The most cases one page lists, newest first.
PAGE_CASES: Final = 200


@dataclass(frozen=True)
class Filters:
    """The filters of ``onething cases``; None matches every case."""

    bundle: str | None = None
    status: str | None = None
    waiting_on: str | None = None
    started_before: datetime | None = None


@dataclass(frozen=True)
class ActionOutcome:
    """What became of an operator's action: ``accepted`` (with the case's status), ``refused``
    (the case's validator said why, e.g. no such failed step) or ``not_found``."""

    result: Literal["accepted", "refused", "not_found"]
    detail: str = ""


class Console(Protocol):
    """The cases as operators see them."""

    async def cases(self, filters: Filters) -> list[CaseSummary]:
        """The newest cases matching ``filters``."""
        ...

    async def counts(self, filters: Filters) -> dict[str, int]:
        """How many cases matching ``filters`` (but their status) are in each status."""
        ...

    async def case(self, case_id: str) -> tuple[CaseView, list[TimelineEntry]] | None:
        """One case's view and timeline, or None if there is no such case."""
        ...

    async def act(self, case_id: str, request: RetryStepRequest | CancelRequest) -> ActionOutcome:
        """Send ``retry_step`` or ``cancel``."""
        ...


def query_of(filters: Filters, *, status: str | None = None) -> str:
    """The visibility query of ``filters``, with ``status`` in place of the filter's if given.

    Raises:
        ValueError: A filter is not a plain name.
    """
    return list_query(
        bundle=filters.bundle,
        status=status if status is not None else filters.status,
        waiting_on=filters.waiting_on,
        started_before=filters.started_before,
    )


class TemporalConsole:
    """The console over a Temporal client."""

    def __init__(self, client: Client) -> None:
        """Use ``client`` for every read and update."""
        self._client = client

    async def cases(self, filters: Filters) -> list[CaseSummary]:
        """The newest cases matching ``filters``."""
        return await list_cases(self._client, query_of(filters), limit=PAGE_CASES)

    async def counts(self, filters: Filters) -> dict[str, int]:
        """How many cases matching ``filters`` (but their status) are in each status."""
        counted = await asyncio.gather(
            *(self._client.count_workflows(query_of(filters, status=status)) for status in STATUSES)
        )
        return {status: found.count for status, found in zip(STATUSES, counted, strict=True)}

    async def case(self, case_id: str) -> tuple[CaseView, list[TimelineEntry]] | None:
        """One case's view and timeline, or None if there is no such case."""
        try:
            view = await case_view(self._client, case_id)
        except CaseNotFoundError:
            return None
        return view, await timeline(self._client, case_id)

    async def act(self, case_id: str, request: RetryStepRequest | CancelRequest) -> ActionOutcome:
        """Send ``retry_step`` or ``cancel``; a refusal carries the case's reason."""
        name = "retry_step" if isinstance(request, RetryStepRequest) else "cancel"
        handle = self._client.get_workflow_handle(case_id)
        try:
            accepted = await handle.execute_update(name, request, result_type=ActionAccepted)
        except WorkflowUpdateFailedError as err:
            return ActionOutcome(result="refused", detail=str(err.cause or err))
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return ActionOutcome(result="not_found")
            raise
        return ActionOutcome(result="accepted", detail=accepted.status)
