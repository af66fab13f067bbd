"""What every page checks first: who is signed in at which desk, and the form's CSRF token.

A check that fails raises :class:`Stop` with the page to answer instead: a sign-in redirect,
a plain 403, or a refused form.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from workbench.auth import FormRefusedError, Officer, check_csrf, signed_in
from workbench.rendering import render

CsrfField = Annotated[str, Form()]


class Stop(Exception):
    """A page cannot be shown: answer with ``response`` instead."""

    def __init__(self, response: Response) -> None:
        self.response = response


def message(request: Request, key: str, status: int, **values: str) -> HTMLResponse:
    """A page that says one thing (a refusal, a conflict) with ``status``."""
    return render(request, "message.html", {"key": key, "values": values}, status=status)


def redirect(path: str) -> RedirectResponse:
    """See other: where a form's post ends, so a reload never submits it again."""
    return RedirectResponse(path, status_code=303)


def signed_in_at(request: Request, desk: str) -> Officer:
    """The signed-in person of ``desk``; else a sign-in redirect, or a 403 (as :class:`Stop`)."""
    officer = signed_in(request)
    if officer is None:
        raise Stop(redirect(f"/login?next={quote(request.url.path)}"))
    if officer.desk != desk:
        raise Stop(
            render(
                request,
                "message.html",
                {"key": "forbidden_department", "values": {}, "mine": officer.desk, "other": desk},
                status=403,
            )
        )
    return officer


async def checked_form(request: Request, csrf: str) -> None:
    """Refuse (as :class:`Stop`, 403) a form without the session's CSRF token."""
    try:
        check_csrf(request, csrf)
    except FormRefusedError:
        raise Stop(message(request, "bad_form", 403)) from None
