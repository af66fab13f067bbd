"""What every page shares: the workbench's state, the templates, language and notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from workbench.auth import DESKS, csrf_token, signed_in
from workbench.board import Board
from workbench.claims import ClaimStore
from workbench.console import Console
from workbench.i18n import LANGUAGES, Language, choose_language, duration, translate
from workbench.subjects import Subjects

LANGUAGE_COOKIE: Final = "onething_lang"
#: Officers read times as their offices keep them: China Standard Time.
CHINA_TIME: Final = timezone(timedelta(hours=8), "CST")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@dataclass
class Workbench:
    """What the pages use: worklists, claims, verifications' subjects, the console, the clock."""

    board: Board
    claims: ClaimStore
    subjects: Subjects
    console: Console
    clock: Clock


PACKAGE = resources.files("workbench")
templates = Jinja2Templates(directory=str(PACKAGE / "templates"))


def workbench(request: Request) -> Workbench:
    """The application's workbench state."""
    state: Workbench = request.app.state.workbench
    return state


def language(request: Request) -> Language:
    """The page language: ``?lang=``, else the remembered choice, else Chinese."""
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """A page in the request's language, with the officer, the form token and any notice."""
    lang = language(request)
    now = workbench(request).clock()
    page: dict[str, Any] = {
        "lang": lang,
        "other_lang": LANGUAGES[1 - LANGUAGES.index(lang)],
        "t": lambda key, **values: translate(lang, key, **values),
        "left": lambda deadline: duration(lang, (deadline - now).total_seconds()),
        "overdue": lambda deadline: deadline <= now,
        "at": lambda moment: moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M"),
        "officer": signed_in(request),
        "csrf": csrf_token(request),
        "notice": request.session.pop("notice", None),
        "desks": DESKS,
    }
    page.update(context or {})
    return templates.TemplateResponse(request, template, page, status_code=status)


def notify(request: Request, key: str, **values: str) -> None:
    """Leave a notice for the next page the officer sees (after a redirect)."""
    request.session["notice"] = {"key": key, "values": values}
