"""The pages: sign-in, a department's worklist, "mine", one verification, and its forms.

Every form posts back with the session's CSRF token and ends in a redirect (post, redirect,
get), so reloading a page never submits twice; a second submission of the same answer finds the
case no longer waiting and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onething.constants import DEPARTMENTS
from workbench.auth import (
    OFFICER_PATTERN,
    FormRefusedError,
    Officer,
    check_csrf,
    sign_in,
    sign_out,
    signed_in,
)
from workbench.board import WorkItem
from workbench.claims import Claim
from workbench.rendering import notify, render, workbench
from workflows.models import VerificationAnswerRequest

router = APIRouter()

CsrfField = Annotated[str, Form()]


class _Stop(Exception):
    """A page cannot be shown: answer with ``response`` instead."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _message(request: Request, key: str, status: int, **values: str) -> HTMLResponse:
    return render(request, "message.html", {"key": key, "values": values}, status=status)


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _officer_of(request: Request, department: str) -> Officer:
    """The signed-in officer of ``department``; else a 404, a sign-in redirect, or a 403."""
    if department not in DEPARTMENTS:
        raise _Stop(_message(request, "unknown_department", 404))
    officer = signed_in(request)
    if officer is None:
        raise _Stop(_redirect(f"/login?next={quote(request.url.path)}"))
    if officer.department != department:
        raise _Stop(
            render(
                request,
                "message.html",
                {
                    "key": "forbidden_department",
                    "values": {},
                    "mine": officer.department,
                    "other": department,
                },
                status=403,
            )
        )
    return officer


async def _checked_form(request: Request, csrf: str) -> None:
    try:
        check_csrf(request, csrf)
    except FormRefusedError:
        raise _Stop(_message(request, "bad_form", 403)) from None


def _item_path(department: str, case_id: str, step: str) -> str:
    return f"/dept/{department}/items/{quote(case_id)}/{quote(step)}"


@router.get("/health")
async def health() -> dict[str, str]:
    """Answers while the workbench serves."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Where to go: the officer's worklist, or sign in."""
    officer = signed_in(request)
    if officer is not None:
        return _redirect(f"/dept/{officer.department}")
    return _redirect("/login")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": next if next.startswith("/") else ""})


@router.post("/login")
async def login(
    request: Request,
    officer: Annotated[str, Form()],
    department: Annotated[str, Form()],
    csrf: CsrfField = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Sign in as ``officer`` of ``department``."""
    try:
        await _checked_form(request, csrf)
    except _Stop as stop:
        return stop.response
    if not OFFICER_PATTERN.match(officer):
        return render(request, "login.html", {"next": next, "error": "bad_officer"}, status=400)
    if department not in DEPARTMENTS:
        return _message(request, "unknown_department", 400)
    sign_in(request, Officer(id=officer, department=department))
    safe_next = next if next.startswith("/") and not next.startswith("//") else ""
    return _redirect(safe_next or f"/dept/{department}")


@router.post("/logout")
async def logout(request: Request, csrf: CsrfField = "") -> Response:
    """Sign out."""
    try:
        await _checked_form(request, csrf)
    except _Stop as stop:
        return stop.response
    sign_out(request)
    return _redirect("/login")


@router.get("/dept/{department}", response_class=HTMLResponse)
async def worklist(request: Request, department: str) -> Response:
    """The verifications waiting for the department, oldest deadline first."""
    return await _list(request, department, only_mine=False)


@router.get("/dept/{department}/mine", response_class=HTMLResponse)
async def mine(request: Request, department: str) -> Response:
    """The verifications the signed-in officer holds."""
    return await _list(request, department, only_mine=True)


async def _list(request: Request, department: str, *, only_mine: bool) -> Response:
    try:
        officer = _officer_of(request, department)
    except _Stop as stop:
        return stop.response
    bench = workbench(request)
    items = await bench.board.worklist(officer.department)
    claims = bench.claims.of_department(department, now=bench.clock())
    rows: list[tuple[WorkItem, Claim | None]] = [
        (item, claims.get((item.case_id, item.wait.step))) for item in items
    ]
    if only_mine:
        rows = [(item, claim) for item, claim in rows if claim and claim.officer == officer.id]
    return render(
        request,
        "worklist.html",
        {"department": department, "rows": rows, "only_mine": only_mine, "item_path": _item_path},
    )


@router.get("/dept/{department}/items/{case_id}/{step}", response_class=HTMLResponse)
async def item_page(request: Request, department: str, case_id: str, step: str) -> Response:
    """One verification: what is asked, the facts it needs, who holds it, and the forms."""
    try:
        officer = _officer_of(request, department)
    except _Stop as stop:
        return stop.response
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        return _message(request, "not_waiting", 404)
    holder = bench.claims.holder(case_id, step, now=bench.clock())
    return render(
        request,
        "item.html",
        {
            "department": department,
            "detail": detail,
            "holder": holder,
            "path": _item_path(department, case_id, step),
        },
    )


@router.post("/dept/{department}/items/{case_id}/{step}/claim")
async def claim(
    request: Request, department: str, case_id: str, step: str, csrf: CsrfField = ""
) -> Response:
    """Take the verification, unless another officer holds it."""
    try:
        officer = _officer_of(request, department)
        await _checked_form(request, csrf)
    except _Stop as stop:
        return stop.response
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        return _message(request, "not_waiting", 404)
    held = bench.claims.claim(
        case_id, step, department=department, officer=officer.id, now=bench.clock()
    )
    if held.officer != officer.id:
        return _message(request, "held_by_other", 409, officer=held.officer)
    notify(request, "claimed")
    return _redirect(_item_path(department, case_id, step))


@router.post("/dept/{department}/items/{case_id}/{step}/release")
async def release(
    request: Request, department: str, case_id: str, step: str, csrf: CsrfField = ""
) -> Response:
    """Give the verification back to the pool."""
    try:
        officer = _officer_of(request, department)
        await _checked_form(request, csrf)
    except _Stop as stop:
        return stop.response
    workbench(request).claims.release(case_id, step, officer=officer.id)
    notify(request, "released")
    return _redirect(f"/dept/{department}")


@router.post("/dept/{department}/items/{case_id}/{step}/answer")
async def answer(
    request: Request,
    department: str,
    case_id: str,
    step: str,
    verdict: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: CsrfField = "",
) -> Response:
    """Confirm or refuse the verification, naming the officer; the case goes on."""
    try:
        officer = _officer_of(request, department)
        await _checked_form(request, csrf)
    except _Stop as stop:
        return stop.response
    reason = reason.strip()
    if verdict not in ("confirmed", "refused") or not 1 <= len(reason) <= 500:
        return _message(request, "reason_required", 400)
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        bench.claims.release(case_id, step, officer=officer.id)
        return _message(request, "moved_on", 409)
    # Acting holds the item: an officer without the claim takes it now, unless another has it.
    held = bench.claims.claim(
        case_id, step, department=department, officer=officer.id, now=bench.clock()
    )
    if held.officer != officer.id:
        return _message(request, "held_by_other", 409, officer=held.officer)
    request_model = VerificationAnswerRequest(
        step=step,
        answer=cast(Literal["confirmed", "refused"], verdict),
        operator=f"{department}:{officer.id}",
        reason=reason,
    )
    outcome = await bench.board.answer(case_id, request_model)
    bench.claims.release(case_id, step, officer=officer.id)
    if outcome.result != "accepted":
        return _message(request, "moved_on", 409)
    notify(request, "answered", case=case_id, status=outcome.status)
    return _redirect(f"/dept/{department}")
