"""The operators' console: cases with the filters of ``onething cases``, one case, retry, cancel.

Only operators (desk ``ops``) see it; an officer of a department gets 403. Every action names the
operator and a reason, and is the same update ``onething retry`` / ``onething cancel`` sends.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from onething.constants import BUNDLES, DEPARTMENTS
from onething.durations import parse_duration
from workbench.auth import OPS
from workbench.console import STATUSES, Filters
from workbench.guards import CsrfField, Stop, checked_form, message, redirect, signed_in_at
from workbench.rendering import notify, render, workbench
from workflows.models import CancelRequest, RetryStepRequest

router = APIRouter()


def _case_path(case_id: str) -> str:
    return f"/ops/cases/{quote(case_id)}"


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@router.get("/ops", response_class=HTMLResponse)
async def cases(
    request: Request,
    bundle: str | None = None,
    status: str | None = None,
    waiting_on: str | None = None,
    older_than: str | None = None,
) -> Response:
    """Cases by bundle, status, waiting-on and age, newest first, with counts per status."""
    try:
        signed_in_at(request, OPS)
    except Stop as stop:
        return stop.response
    bench = workbench(request)
    started_before = None
    if older_than:
        try:
            started_before = bench.clock() - parse_duration(older_than)
        except ValueError:
            return message(request, "bad_age", 400)
    filters = Filters(
        bundle=_choice(bundle, BUNDLES),
        status=_choice(status, STATUSES),
        waiting_on=_choice(waiting_on, DEPARTMENTS),
        started_before=started_before,
    )
    listed = await bench.console.cases(filters)
    counts = await bench.console.counts(filters)
    return render(
        request,
        "ops_cases.html",
        {
            "cases": listed,
            "counts": counts,
            "filters": filters,
            "older_than": older_than or "",
            "bundles": BUNDLES,
            "statuses": STATUSES,
            "departments": DEPARTMENTS,
            "case_path": _case_path,
        },
    )


@router.get("/ops/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str) -> Response:
    """One case: status, steps, waits, documents, facts with source and way, actions, timeline."""
    try:
        signed_in_at(request, OPS)
    except Stop as stop:
        return stop.response
    found = await workbench(request).console.case(case_id)
    if found is None:
        return message(request, "no_case", 404)
    view, entries = found
    failed = [step.name for step in view.steps if step.state == "failed"]
    return render(
        request,
        "ops_case.html",
        {"view": view, "timeline": entries, "failed": failed, "path": _case_path(case_id)},
    )


@router.post("/ops/cases/{case_id}/retry")
async def retry(
    request: Request,
    case_id: str,
    step: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: CsrfField = "",
) -> Response:
    """Run a failed step again, naming the operator and why."""
    try:
        operator = signed_in_at(request, OPS)
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    reason = reason.strip()
    if not step or not 1 <= len(reason) <= 500 or len(step) > 64:
        return message(request, "reason_required", 400)
    action = RetryStepRequest(step=step, operator=f"ops:{operator.id}", reason=reason)
    return await _act(request, case_id, action)


@router.post("/ops/cases/{case_id}/cancel")
async def cancel(
    request: Request, case_id: str, reason: Annotated[str, Form()] = "", csrf: CsrfField = ""
) -> Response:
    """Cancel the case, naming the operator and why."""
    try:
        operator = signed_in_at(request, OPS)
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        return message(request, "reason_required", 400)
    return await _act(request, case_id, CancelRequest(operator=f"ops:{operator.id}", reason=reason))


async def _act(
    request: Request, case_id: str, action: RetryStepRequest | CancelRequest
) -> Response:
    outcome = await workbench(request).console.act(case_id, action)
    if outcome.result == "not_found":
        return message(request, "no_case", 404)
    if outcome.result == "refused":
        return message(request, "action_refused", 409, detail=outcome.detail)
    notify(request, "action_accepted", case=case_id, status=outcome.detail)
    return redirect(_case_path(case_id))
