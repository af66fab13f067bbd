"""``onething cases`` and ``onething case``: what operators look at."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from temporalio.service import RPCError

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
from onething.cli.case_render import render_case
from onething.cli.case_watch import WatchTimeoutError, watch_case
from onething.cli.console import console, err_console
from onething.cli.times import age, local_time
from onething.constants import BUNDLES
from onething.durations import parse_duration
from onething.retries import retries_at, retry_summary
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workflows.models import CaseView, RetryView


@app.command()
def cases(
    bundle: Annotated[str | None, typer.Option(help=f"one of {', '.join(BUNDLES)}")] = None,
    status: Annotated[str | None, typer.Option(help="a CaseStatus, e.g. completed")] = None,
    waiting_on: Annotated[str | None, typer.Option(help="a department name")] = None,
    older_than: Annotated[
        str | None, typer.Option(help="only cases started longer ago than this, e.g. 2h, 1d12h")
    ] = None,
    newer_than: Annotated[
        str | None, typer.Option(help="only cases started within this, e.g. 30m, PT2H")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """List cases, newest first, with each case's age."""
    now = datetime.now(UTC)
    try:
        query = list_query(
            bundle=bundle,
            status=status,
            waiting_on=waiting_on,
            started_before=now - parse_duration(older_than) if older_than else None,
            started_after=now - parse_duration(newer_than) if newer_than else None,
        )
    except ValueError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(2) from None
    found, retries = asyncio.run(_list(query, limit, waiting_on))
    if as_json:
        rows = [c.model_dump(mode="json") | {"age_s": _age_s(c.started_at, now)} for c in found]
        if waiting_on:
            for row in rows:
                row["retrying"] = [
                    r.model_dump(mode="json") for r in retries.get(row["case_id"], [])
                ]
        console.print_json(json.dumps(rows))
        return
    table = Table("case", "bundle", "status", "waiting on", "started", "age", "closed")
    if waiting_on:
        table.add_column(f"retrying at {waiting_on}")
    for case in found:
        retrying = [retry_summary(retries.get(case.case_id, []), now)] if waiting_on else []
        table.add_row(
            case.case_id,
            case.bundle or "",
            case.status or "",
            ", ".join(case.waiting_on),
            local_time(case.started_at),
            age(case.started_at, now),
            local_time(case.closed_at),
            *retrying,
        )
    console.print(table)
    console.print(f"{len(found)} case(s)")


def _age_s(started_at: datetime | None, now: datetime) -> float | None:
    return None if started_at is None else round((now - started_at).total_seconds(), 3)


async def _list(
    query: str, limit: int, waiting_on: str | None
) -> tuple[list[CaseSummary], dict[str, list[RetryView]]]:
    client = await connect_temporal(get_settings())
    found = await list_cases(client, query, limit=limit)
    if not waiting_on:
        return found, {}
    open_cases = [c.case_id for c in found if c.closed_at is None]
    return found, await retries_at(client, open_cases, waiting_on)


@app.command()
def case(
    case_id: Annotated[
        str, typer.Argument(help="the workflow ID, e.g. newborn-LX-MCH-2026-000123")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="the case view as one JSON object")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="follow the case live until it closes (or Ctrl-C)")
    ] = False,
    timeout: Annotated[
        float | None, typer.Option(min=0.1, help="with --watch: give up after this many seconds")
    ] = None,
) -> None:
    """Show one case: status, steps, waits, checks, documents, facts, materials, timeline."""
    settings = get_settings()
    try:
        if watch:
            asyncio.run(_watch(case_id, settings, timeout))
            return
        view, entries = asyncio.run(_case(case_id))
    except CaseNotFoundError:
        err_console.print(f"error: no case {case_id!r}", markup=False)
        raise typer.Exit(1) from None
    except WatchTimeoutError as err:
        err_console.print(f"error: {err} after {timeout:g} s", markup=False)
        raise typer.Exit(1) from None
    except RPCError as err:
        err_console.print(f"error: {case_id} did not answer: {err.message}", markup=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if as_json:
        payload = view.model_dump(mode="json") | {
            "timeline": [e.model_dump(mode="json") for e in entries]
        }
        console.print_json(json.dumps(payload, ensure_ascii=False))
        return
    console.print(render_case(view, entries, settings=settings))


async def _case(case_id: str) -> tuple[CaseView, list[TimelineEntry]]:
    client = await connect_temporal(get_settings())
    view = await case_view(client, case_id)
    return view, await timeline(client, case_id)


async def _watch(case_id: str, settings: Settings, timeout_s: float | None) -> None:
    client = await connect_temporal(settings)
    await watch_case(client, case_id, settings=settings, timeout_s=timeout_s)
