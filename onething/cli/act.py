"""Operators acting on a case: answer, ask, supply, retry, cancel. Each names who and why."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Literal

import typer
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from onething.cli import app
from onething.cli.console import console, err_console
from onething.settings import get_settings
from onething.temporal_client import connect_temporal
from workflows.models import (
    ActionAccepted,
    AskCitizenRequest,
    CancelRequest,
    RetryStepRequest,
    SupplyFactRequest,
    VerificationAnswerRequest,
)

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
    request = VerificationAnswerRequest(step=step, answer=verdict, operator=operator, reason=reason)
    _report(asyncio.run(_update(case_id, "answer_verification", request)))


@app.command()
def cancel(
    case_id: Annotated[str, typer.Argument(help="the case to cancel")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Cancel a case: running steps stop, and every document it obtained is revoked."""
    request = CancelRequest(operator=operator, reason=reason)
    _report(asyncio.run(_update(case_id, "cancel", request)))


@app.command()
def ask(
    case_id: Annotated[str, typer.Argument(help="the case waiting for a fact")],
    fact: Annotated[str, typer.Argument(help="the fact no department holds, e.g. email")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Ask the citizen for a fact a waiting step needs (once, ever, per fact)."""
    request = AskCitizenRequest(fact=fact, operator=operator, reason=reason)
    _report(asyncio.run(_update(case_id, "ask_citizen", request)))


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
    request = SupplyFactRequest(fact=fact, value=parsed, operator=operator, reason=reason)
    _report(asyncio.run(_update(case_id, "supply_fact", request)))


@app.command()
def retry(
    case_id: Annotated[str, typer.Argument(help="the case with a failed step")],
    step: Annotated[str, typer.Argument(help="the failed step")],
    operator: Operator,
    reason: Reason,
) -> None:
    """Run a case's failed step again, after the fault was fixed."""
    request = RetryStepRequest(step=step, operator=operator, reason=reason)
    _report(asyncio.run(_update(case_id, "retry_step", request)))


async def _update(
    case_id: str,
    name: str,
    request: VerificationAnswerRequest
    | CancelRequest
    | AskCitizenRequest
    | SupplyFactRequest
    | RetryStepRequest,
) -> ActionAccepted | str:
    client = await connect_temporal(get_settings())
    handle = client.get_workflow_handle(case_id)
    try:
        accepted: ActionAccepted = await handle.execute_update(
            name, request, result_type=ActionAccepted
        )
    except WorkflowUpdateFailedError as err:
        return str(err.cause) if err.cause else str(err)
    except RPCError as err:
        return err.message
    return accepted


def _report(outcome: ActionAccepted | str) -> None:
    if isinstance(outcome, str):
        err_console.print(f"error: {outcome}", markup=False)
        raise typer.Exit(1)
    console.print(f"{outcome.case_id}: {outcome.action} accepted; the case is {outcome.status}")
