"""``onething graph`` and ``onething stats``: a picture of one case, a page about all of them."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from temporalio.service import RPCError

from onething.cases import CaseNotFoundError, case_view
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.replies import fail, no_case
from onething.cli.times import to_json
from onething.report.case_graph import case_graph_svg
from onething.report.stats import CaseStats, collect_stats
from onething.report.stats_page import stats_page
from onething.settings import get_settings
from onething.temporal_client import connect_temporal
from workflows.models import CaseView

STDOUT = "-"


@app.command()
def graph(
    case_id: Annotated[str, typer.Argument(help="the case, e.g. newborn-BR-330702-CH-00000007")],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="the SVG file (default CASE_ID.svg; - for stdout)"),
    ] = None,
) -> None:
    """Draw a case's steps as an SVG graph, coloured by each step's state.

    An edge runs from the step that gives a fact to every step that needs it.
    """
    try:
        view = asyncio.run(_view(case_id))
    except CaseNotFoundError:
        fail(no_case(case_id))
    except RPCError as err:
        err_console.print(f"error: {case_id} did not answer: {err.message}", markup=False)
        raise typer.Exit(1) from None
    _write(case_graph_svg(view), output or f"{case_id}.svg", what=f"{len(view.steps)} steps")


@app.command()
def stats(
    output: Annotated[
        str, typer.Option("--output", "-o", help="the HTML file (- for stdout)")
    ] = "stats.html",
    limit: Annotated[
        int, typer.Option(min=1, max=100_000, help="at most this many cases, newest first")
    ] = 1000,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the figures as JSON instead")
    ] = False,
) -> None:
    """Write an HTML page of case statistics, with inline SVG charts.

    Cases by bundle and status, durations (p50/p95 per bundle) and materials spared by way.
    """
    settings = get_settings()
    figures = asyncio.run(_stats(limit))
    if as_json:
        console.print_json(to_json(figures))
        return
    page = stats_page(figures, namespace=settings.temporal_namespace)
    _write(page, output, what=f"{figures.cases} cases")


async def _view(case_id: str) -> CaseView:
    client = await connect_temporal(get_settings())
    return await case_view(client, case_id)


async def _stats(limit: int) -> CaseStats:
    client = await connect_temporal(get_settings())
    return await collect_stats(client, limit=limit)


def _write(content: str, output: str, *, what: str) -> None:
    if output == STDOUT:
        sys.stdout.write(content)
        return
    path = Path(output)
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as err:
        err_console.print(f"error: cannot write {path}: {err.strerror}", markup=False)
        raise typer.Exit(1) from None
    console.print(f"wrote {path} ({what})", markup=False)
