"""Operators acting on a case: answer, ask, supply, retry, cancel. Each names who and why."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from pydantic import ValidationError

from onething.cli import app
from onething.cli.console import console
from onething.cli.replies import USAGE, fail, no_case
from workflows.models import (
    ActionAccepted,
    AskCitizenRequest,
    CancelRequest,
    RetryStepRequest,
    SupplyFactRequest,
    VerificationAnswerRequest,
)

if TYPE_CHECKING:
    from temporalio.client import Client

    from workflows.models import CaseView

ActionRequest = (
    VerificationAnswerRequest
    | CancelRequest
    | AskCitizenRequest
    | SupplyFactRequest
    | RetryStepRequest
)
_Request = TypeVar("_Request", bound=ActionRequest)
#: How long a reply waits for a case that an action closes (a cancel, a refusal) to close.
SETTLE_S = 15.0
_SETTLE_POLL_S = 0.3

Operator = Annotated[
    str,
    typer.Option(envvar="ONETHING_OPERATOR", help="who acts (recorded in the case's history)"),
]
Reason = Annotated[str, typer.Option(help="why (recorded in the case's history)")]


@app.command()
def answer(
    case_id: Annotated[str, typer.Argument(help="the case, e.g. death-DTH-330702-CH-00000003")],
    step: Annotated[str, typer.Argument(help="the verification step, e.g. death_verification")],
    operator: Operator,
    reason: Reason,
    refuse: Annotated[bool, typer.Option("--refuse", help="refuse instead of confirming")] = False,
) -> None:
    """Answer a department verification the case is waiting on, as a person at the provider."""
    verdict: Literal["confirmed", "refused"] = "refused" if refuse else "confirmed"
    request = _request(
        VerificationAnswerRequest, step=step, answer=verdict, operator=operator, reason=reason
    )
    _act(case_id, "answer_verification", request)


@app.command()
def cancel(
    case_id: Annotated[str, typer.Argument(help="the case to cancel")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Cancel a case: running steps stop, and every document it obtained is revoked."""
    _act(case_id, "cancel", _request(CancelRequest, operator=operator, reason=reason))


@app.command()
def ask(
    case_id: Annotated[str, typer.Argument(help="the case waiting for a fact")],
    fact: Annotated[str, typer.Argument(help="the fact no department holds, e.g. email")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Ask the citizen for a fact a waiting step needs (once, ever, per fact)."""
    request = _request(AskCitizenRequest, fact=fact, operator=operator, reason=reason)
    _act(case_id, "ask_citizen", request)


@app.command()
def supply(
    case_id: Annotated[str, typer.Argument(help="the case that asked")],
    fact: Annotated[str, typer.Argument(help="the fact asked for")],
    value: Annotated[str, typer.Argument(help="the citizen's answer (JSON, or plain text)")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Enter the citizen's answer to an ask; the case goes on with it."""
    try:
        parsed: object = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    request = _request(SupplyFactRequest, fact=fact, value=parsed, operator=operator, reason=reason)
    _act(case_id, "supply_fact", request)


@app.command()
def retry(
    case_id: Annotated[str, typer.Argument(help="the case with a failed step")],
    step: Annotated[str, typer.Argument(help="the failed step")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Run a case's failed step again, after the fault was fixed."""
    request = _request(RetryStepRequest, step=step, operator=operator, reason=reason)
    _act(case_id, "retry_step", request)


def _request(model: type[_Request], **fields: Any) -> _Request:
    """The update's input, or a one-line usage error naming the option that is wrong."""
    for option in ("operator", "reason"):
        if not str(fields[option]).strip():
            fail(f"--{option} must not be empty", code=USAGE)
    try:
        return model(**fields)
    except ValidationError as err:
        first = err.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "input"
        fail(f"--{where.replace('_', '-')}: {first['msg'].lower()}", code=USAGE)


def _act(case_id: str, name: str, request: ActionRequest) -> None:
    outcome = asyncio.run(_update(case_id, name, request))
    if isinstance(outcome, str):
        fail(outcome)
    console.print(
        f"{outcome.case_id}: {outcome.action} accepted; the case is now {outcome.status}",
        markup=False,
    )


async def _update(case_id: str, name: str, request: ActionRequest) -> ActionAccepted | str:
    """Send the update; return what the case became, or why it was refused, in words."""
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.service import RPCError

    from onething.settings import get_settings
    from onething.temporal_client import connect_temporal

    client = await connect_temporal(get_settings())
    handle = client.get_workflow_handle(case_id)
    try:
        accepted: ActionAccepted = await handle.execute_update(
            name, request, result_type=ActionAccepted
        )
    except (WorkflowUpdateFailedError, RPCError) as err:
        return await _refusal(client, case_id, request, err)
    return await _settled(client, accepted, closes=_closes(request))


def _closes(request: ActionRequest) -> bool:
    """Whether the action ends the case: a cancel, or a refused verification."""
    if isinstance(request, CancelRequest):
        return True
    return isinstance(request, VerificationAnswerRequest) and request.answer == "refused"


async def _settled(client: Client, accepted: ActionAccepted, *, closes: bool) -> ActionAccepted:
    """The acceptance with the status the case has once the action took effect.

    An action that ends the case is followed until the case closed (at most :data:`SETTLE_S`);
    any other takes effect as it is accepted.
    """
    from onething.cases import case_view

    deadline = time.monotonic() + SETTLE_S
    view = await case_view(client, accepted.case_id)
    while closes and view.finished_at is None and time.monotonic() < deadline:
        await asyncio.sleep(_SETTLE_POLL_S)
        view = await case_view(client, accepted.case_id)
    return accepted.model_copy(update={"status": view.status})


async def _refusal(client: Client, case_id: str, request: ActionRequest, err: Exception) -> str:
    """Why the case refused the action, from what the case says of itself."""
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError
    from temporalio.service import RPCError

    from onething.cases import CaseNotFoundError, case_view

    try:
        view = await case_view(client, case_id)
    except CaseNotFoundError:
        return no_case(case_id)
    except RPCError as unreadable:
        return f"{case_id} did not answer: {unreadable.message}"
    if isinstance(request, VerificationAnswerRequest):
        return _answer_refused(view, request)
    if view.finished_at is not None:
        return f"{case_id} is already closed ({view.status}); it takes no more actions"
    if isinstance(err, WorkflowUpdateFailedError):
        cause = err.cause
        if isinstance(cause, ApplicationError):
            return f"{case_id}: {cause.message}"
        return f"{case_id}: {cause or err}"
    if isinstance(err, RPCError):
        return f"{case_id} did not answer: {err.message}"
    return f"{case_id}: {err}"


def _answer_refused(view: CaseView, request: VerificationAnswerRequest) -> str:
    """Why an answer was not taken: answered before, closed, or no such verification open."""
    case_id, step = view.case_id, request.step
    closed = f"; the case is closed ({view.status})" if view.finished_at is not None else ""
    answered = [
        a for a in view.actions if a.step == step and a.action.startswith("answer_verification")
    ]
    if answered:
        first = answered[0]
        verdict = first.action.partition(":")[2] or "answered"
        return (
            f"the verification at step {step} of {case_id} was already answered "
            f"({verdict} by {first.operator}){closed}"
        )
    if closed:
        return f"{case_id} is already closed ({view.status}); it takes no more answers"
    answered_steps = {a.step for a in view.actions if a.action.startswith("answer_verification")}
    pending = [f"{w.step} ({w.provider})" for w in view.waits if w.step not in answered_steps]
    waits = f"it waits on {', '.join(pending)}" if pending else "it waits on no verification"
    return f"{case_id} is not waiting on a verification at step {step}; {waits}"
