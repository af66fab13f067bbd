"""``onething cases`` and ``onething case``: what operators look at."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from onething.cases import (
    CaseNotFoundError,
    CaseSummary,
    TimelineEntry,
    case_view,
    list_cases,
    list_query,
    timeline,
)
from onething.cli import app
from onething.cli.console import console, err_console
from onething.constants import BUNDLES
from onething.settings import get_settings
from onething.temporal_client import connect_temporal
from workflows.models import CaseView

_STATE_STYLE = {
    "done": "green",
    "running": "yellow",
    "pending": "dim",
    "skipped": "cyan",
    "failed": "red",
}


@app.command()
def cases(
    bundle: Annotated[str | None, typer.Option(help=f"one of {', '.join(BUNDLES)}")] = None,
    status: Annotated[str | None, typer.Option(help="a CaseStatus, e.g. completed")] = None,
    waiting_on: Annotated[str | None, typer.Option(help="a department name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """List cases, newest first."""
    try:
        query = list_query(bundle=bundle, status=status, waiting_on=waiting_on)
    except ValueError as err:
        err_console.print(f"error: {err}")
        raise typer.Exit(2) from None
    found = asyncio.run(_list(query, limit))
    if as_json:
        console.print_json(json.dumps([c.model_dump(mode="json") for c in found]))
        return
    table = Table("case", "bundle", "status", "waiting on", "started", "closed")
    for case in found:
        table.add_row(
            case.case_id,
            case.bundle or "",
            case.status or "",
            ", ".join(case.waiting_on),
            _when(case.started_at),
            _when(case.closed_at),
        )
    console.print(table)
    console.print(f"{len(found)} case(s)")


async def _list(query: str, limit: int) -> list[CaseSummary]:
    client = await connect_temporal(get_settings())
    return await list_cases(client, query, limit=limit)


@app.command()
def case(
    case_id: Annotated[
        str, typer.Argument(help="the workflow ID, e.g. newborn-LX-MCH-2026-000123")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="the case view as one JSON object")
    ] = False,
) -> None:
    """Show one case: status, steps, documents, facts and where each came from, timeline."""
    try:
        view, entries = asyncio.run(_case(case_id))
    except CaseNotFoundError:
        err_console.print(f"error: no case {case_id!r}")
        raise typer.Exit(1) from None
    if as_json:
        payload = view.model_dump(mode="json") | {
            "timeline": [e.model_dump(mode="json") for e in entries]
        }
        console.print_json(json.dumps(payload, ensure_ascii=False))
        return
    _render(view, entries)


async def _case(case_id: str) -> tuple[CaseView, list[TimelineEntry]]:
    client = await connect_temporal(get_settings())
    view = await case_view(client, case_id)
    return view, await timeline(client, case_id)


def _render(view: CaseView, entries: list[TimelineEntry]) -> None:
    done = sum(1 for s in view.steps if s.state in ("done", "skipped"))
    console.print(
        f"[bold]{view.case_id}[/bold]  bundle {view.bundle}  status [bold]{view.status}[/bold]  "
        f"steps {done}/{len(view.steps)}"
        + (f"  waiting on {', '.join(view.waiting_on)}" if view.waiting_on else "")
    )
    if view.failure:
        console.print(
            f"[red]{view.failure.type}[/red] at {view.failure.step}: {view.failure.message}"
        )
    steps = Table("step", "department", "state", "needs", "note", title="steps")
    for step in view.steps:
        style = _STATE_STYLE.get(step.state, "")
        steps.add_row(
            step.name,
            step.department,
            f"[{style}]{step.state}[/{style}]",
            ", ".join(step.needs),
            step.note or "",
        )
    console.print(steps)
    documents = Table("document", "department", "number", "issued", title="documents")
    for doc in view.documents:
        documents.add_row(doc.kind, doc.department, doc.number, _when(doc.issued_at))
    console.print(documents)
    facts = Table("fact", "from", "way", "step", title="facts")
    for fact in view.facts:
        facts.add_row(fact.name, fact.source, fact.way, fact.step or "")
    console.print(facts)
    console.print(f"the citizen supplied: {', '.join(view.citizen_inputs)}")
    history = Table("at", "event", "detail", title="timeline")
    for entry in entries:
        history.add_row(_when(entry.at), entry.event, entry.detail)
    console.print(history)
    settings = get_settings()
    namespace = settings.temporal_namespace
    console.print(f"Web UI: {settings.ui_url}/namespaces/{namespace}/workflows/{view.case_id}")


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""
