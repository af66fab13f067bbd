"""The workbench application: sessions, language cookie, static files and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from onething.settings import Settings
from onething.temporal_client import connect_temporal
from workbench import ops_pages, pages
from workbench.auth import session_secret
from workbench.board import Board, TemporalBoard
from workbench.claims import ClaimStore
from workbench.console import Console, TemporalConsole
from workbench.i18n import LANGUAGES
from workbench.rendering import LANGUAGE_COOKIE, PACKAGE, Clock, Workbench, utc_now
from workbench.subjects import DepartmentSubjects, Subjects

SESSION_COOKIE: Final = "onething_workbench"
#: A workday: an officer signs in again the next morning.
SESSION_MAX_AGE_S: Final = 10 * 60 * 60
CLAIMS_FILE: Final = "workbench-claims.db"


def create_app(
    settings: Settings,
    *,
    board: Board | None = None,
    subjects: Subjects | None = None,
    console: Console | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """The workbench.

    Args:
        settings: Resolved settings (home, Temporal, claim time to live).
        board: The cases; a Temporal board connected at start-up when None.
        subjects: Where verifications' subjects are read; the department services when None.
        console: The operators' view of the cases; over the Temporal client when None.
        clock: The current time (tests pass a fixed one).

    Returns:
        The application.
    """
    claims = ClaimStore(settings.home / CLAIMS_FILE, ttl=settings.web_claim_ttl)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen_board, chosen_console = board, console
        if chosen_board is None or chosen_console is None:
            client = await connect_temporal(settings)
            if chosen_board is None:
                chosen_board = TemporalBoard(client)
            if chosen_console is None:
                chosen_console = TemporalConsole(client)
        app.state.workbench = Workbench(
            board=chosen_board,
            claims=claims,
            subjects=subjects if subjects is not None else DepartmentSubjects(settings),
            console=chosen_console,
            clock=clock,
        )
        yield

    app = FastAPI(title="onething workbench", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings.home),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="strict",
    )

    @app.middleware("http")
    async def remember_language(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, asked, samesite="strict", httponly=True)
        return response

    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(ops_pages.router)
    return app
