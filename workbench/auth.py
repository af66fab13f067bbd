"""Who is at the workbench: a signed session naming the officer and department, and CSRF tokens.

The session cookie is signed (Starlette's ``SessionMiddleware``) with a secret kept under
``$ONETHING_HOME/keys/``; it holds the officer ID, the desk (a department, or operations) and
the form token, never a citizen's data. Sign-in is simulated: whoever names an officer ID and a
desk is that officer (a city would put its identity provider here).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, cast, get_args

from fastapi import Request

from onething.constants import DEPARTMENTS, Department
from onething.crypto.secret_files import keys_dir, new_token, read_or_create_secret

SESSION_SECRET_FILE: Final = "workbench-session.key"  # noqa: S105 - a file name
OFFICER_PATTERN: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CSRF: Final = "csrf"

#: Where a person works: a department's desk (its worklist), or operations (the console).
Desk = Department | Literal["ops"]
OPS: Final = "ops"
DESKS: Final[tuple[Desk, ...]] = (*DEPARTMENTS, *get_args(Literal["ops"]))


@dataclass(frozen=True)
class Officer:
    """A signed-in person: an officer of a department, or an operator (desk ``ops``)."""

    id: str
    desk: Desk


class FormRefusedError(Exception):
    """A form came without the session's CSRF token (forged, or from an expired page)."""


def session_secret(home: Path) -> str:
    """The secret that signs workbench sessions, created owner-only on first use."""
    return read_or_create_secret(keys_dir(home) / SESSION_SECRET_FILE, new_token)


def signed_in(request: Request) -> Officer | None:
    """The officer of this session, if one signed in."""
    officer = request.session.get("officer")
    desk = request.session.get("desk")
    if not isinstance(officer, str) or desk not in DESKS:
        return None
    return Officer(id=officer, desk=cast(Desk, desk))


def sign_in(request: Request, officer: Officer) -> None:
    """Start a session for ``officer`` with a fresh form token."""
    request.session.clear()
    request.session.update(officer=officer.id, desk=officer.desk, csrf=secrets.token_urlsafe(32))


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's form token (made on first use), for a hidden field of every form."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form whose token is not the session's.

    Raises:
        FormRefusedError: No token, or another one.
    """
    expected = request.session.get(_CSRF)
    if not isinstance(expected, str) or not submitted:
        raise FormRefusedError
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise FormRefusedError
