"""The pages: sign-in, a department's worklist, "mine", one verification, and its forms.

Every form posts back with the session's CSRF token and ends in a redirect (post, redirect,
get), so reloading a page never submits twice; a second submission of the same answer finds the
case no longer waiting and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from onething.constants import DEPARTMENTS, Department
from workbench.auth import DESKS, OFFICER_PATTERN, OPS, Officer, sign_in, sign_out, signed_in
from workbench.board import WorkItem
from workbench.claims import Claim
from workbench.guards import CsrfField, Stop, checked_form, message, redirect, signed_in_at
from workbench.rendering import notify, render, workbench
from workbench.subjects import flatten
from workflows.models import VerificationAnswerRequest

router = APIRouter()


@dataclass(frozen=True)
class _DeskOfficer:
    """A signed-in officer at the desk of ``department``."""

    id: str
    department: Department


def _officer_of(request: Request, department: str) -> _DeskOfficer:
    """The signed-in officer of ``department``; else a 404, a sign-in redirect, or a 403."""
    if department not in DEPARTMENTS:
        raise Stop(message(request, "unknown_department", 404))
    return _DeskOfficer(id=signed_in_at(request, department).id, department=department)


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
        return redirect(_desk_path(officer))
    return redirect("/login")


def _desk_path(officer: Officer) -> str:
    return "/ops" if officer.desk == OPS else f"/dept/{officer.desk}"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": _local(next)})


@router.post("/login")
async def login(
    request: Request,
    officer: Annotated[str, Form()],
    department: Annotated[str, Form()],
    csrf: CsrfField = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Sign in as ``officer`` at the desk ``department`` (a department, or ``ops``)."""
    try:
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    if not OFFICER_PATTERN.match(officer):
        return render(request, "login.html", {"next": next, "error": "bad_officer"}, status=400)
    if department not in DESKS:
        return message(request, "unknown_department", 400)
    who = Officer(id=officer, desk=department)
    sign_in(request, who)
    return redirect(_local(next) or _desk_path(who))


def _local(path: str) -> str:
    """``path`` if it stays on the workbench, else nothing (no open redirect after sign-in)."""
    if path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return ""


@router.post("/logout")
async def logout(request: Request, csrf: CsrfField = "") -> Response:
    """Sign out."""
    try:
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    sign_out(request)
    return redirect("/login")


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
    except Stop as stop:
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
    except Stop as stop:
        return stop.response
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        return message(request, "not_waiting", 404)
    holder = bench.claims.holder(case_id, step, now=bench.clock())
    subject = await bench.subjects.subject(
        officer.department, detail.item.wait.verification_id, officer=officer.id
    )
    page = render(
        request,
        "item.html",
        {
            "department": department,
            "detail": detail,
            "holder": holder,
            "subject": None if subject is None else flatten(subject),
            "path": _item_path(department, case_id, step),
        },
    )
    # The page shows a person's data: no cache keeps it after the officer leaves.
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/dept/{department}/items/{case_id}/{step}/claim")
async def claim(
    request: Request, department: str, case_id: str, step: str, csrf: CsrfField = ""
) -> Response:
    """Take the verification, unless another officer holds it."""
    try:
        officer = _officer_of(request, department)
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        return message(request, "not_waiting", 404)
    held = bench.claims.claim(
        case_id, step, department=department, officer=officer.id, now=bench.clock()
    )
    if held.officer != officer.id:
        return message(request, "held_by_other", 409, officer=held.officer)
    notify(request, "claimed")
    return redirect(_item_path(department, case_id, step))


@router.post("/dept/{department}/items/{case_id}/{step}/release")
async def release(
    request: Request, department: str, case_id: str, step: str, csrf: CsrfField = ""
) -> Response:
    """Give the verification back to the pool."""
    try:
        officer = _officer_of(request, department)
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    workbench(request).claims.release(case_id, step, officer=officer.id)
    notify(request, "released")
    return redirect(f"/dept/{department}")


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
        await checked_form(request, csrf)
    except Stop as stop:
        return stop.response
    reason = reason.strip()
    if verdict not in ("confirmed", "refused") or not 1 <= len(reason) <= 500:
        return message(request, "reason_required", 400)
    bench = workbench(request)
    detail = await bench.board.item(case_id, step)
    if detail is None or detail.item.wait.provider != officer.department:
        bench.claims.release(case_id, step, officer=officer.id)
        return message(request, "moved_on", 409)
    # Acting holds the item: an officer without the claim takes it now, unless another has it.
    held = bench.claims.claim(
        case_id, step, department=department, officer=officer.id, now=bench.clock()
    )
    if held.officer != officer.id:
        return message(request, "held_by_other", 409, officer=held.officer)
    request_model = VerificationAnswerRequest(
        step=step,
        answer=cast(Literal["confirmed", "refused"], verdict),
        operator=f"{department}:{officer.id}",
        reason=reason,
    )
    outcome = await bench.board.answer(case_id, request_model)
    bench.claims.release(case_id, step, officer=officer.id)
    if outcome.result != "accepted":
        return message(request, "moved_on", 409)
    notify(request, "answered", case=case_id, status=outcome.status)
    return redirect(f"/dept/{department}")
