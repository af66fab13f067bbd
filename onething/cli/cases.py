"""``onething cases`` and ``onething case``: what operators look at."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.replies import USAGE, choose, fail, no_case
from onething.cli.times import age, local_time, to_json
from onething.constants import BUNDLES, DEPARTMENTS, CaseStatus
from onething.durations import parse_duration

if TYPE_CHECKING:
    from rich.text import Text

    from onething.cases import CaseSummary, TimelineEntry
    from onething.dead_letters import DeadLetterEntry
    from onething.settings import Settings
    from workflows.models import CaseView, RetryView


@app.command()
def cases(
    bundle: Annotated[str | None, typer.Option(help=f"one of {', '.join(BUNDLES)}")] = None,
    status: Annotated[
        str | None, typer.Option(help=f"one of {', '.join(get_args(CaseStatus))}")
    ] = None,
    waiting_on: Annotated[str | None, typer.Option(help=f"one of {', '.join(DEPARTMENTS)}")] = None,
    older_than: Annotated[
        str | None, typer.Option(help="only cases started longer ago than this, e.g. 2h, 1d12h")
    ] = None,
    newer_than: Annotated[
        str | None, typer.Option(help="only cases started within this, e.g. 30m, PT2H")
    ] = None,
    stuck: Annotated[
        bool, typer.Option("--stuck", help="only open cases whose workflow task keeps failing")
    ] = False,
    overdue: Annotated[
        bool,
        typer.Option("--overdue", help="only cases that missed a deadline (SLA, verification)"),
    ] = False,
    pledge_check_pending: Annotated[
        bool,
        typer.Option(
            "--pledge-check-pending",
            help="only open cases with every document out but a pledge check",
        ),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """List cases, newest first, with each case's age; a stuck one says what fails."""
    from rich.table import Column, Table

    from onething.cases import list_query
    from onething.retries import retry_summary

    choose("--bundle", bundle, BUNDLES)
    choose("--status", status, get_args(CaseStatus))
    choose("--waiting-on", waiting_on, DEPARTMENTS)
    now = datetime.now(UTC)
    try:
        query = list_query(
            bundle=bundle,
            status=status,
            waiting_on=waiting_on,
            started_before=now - parse_duration(older_than) if older_than else None,
            started_after=now - parse_duration(newer_than) if newer_than else None,
            open_only=stuck or pledge_check_pending,
        )
    except ValueError as err:
        fail(str(err), code=USAGE)
    found, retries = asyncio.run(_list(query, limit, waiting_on))
    if stuck:
        found = [case for case in found if case.stuck is not None]
    if overdue:
        found = [case for case in found if case.overdue]
    if pledge_check_pending:
        found = [case for case in found if case.pledge_check_due is not None]
    if as_json:
        rows = [c.model_dump() | {"age_s": _age_s(c.started_at, now)} for c in found]
        if waiting_on:
            for row in rows:
                row["retrying"] = retries.get(row["case_id"], [])
        console.print_json(to_json(rows))
        return
    # A case ID is what an operator copies into the next command: never cut it short.
    longest = max((len(case.case_id) for case in found), default=4)
    table = Table(
        Column("case", no_wrap=True, min_width=longest),
        "bundle",
        Column("status", no_wrap=True),
        "waiting on",
        "started",
        "age",
        "closed",
        "flags",
    )
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
            _flags(case),
            *retrying,
        )
    console.print(table)
    stuck_count = sum(1 for case in found if case.stuck is not None)
    console.print(f"{len(found)} case(s), {stuck_count} stuck", markup=False)


def _flags(case: CaseSummary) -> Text:
    from rich.text import Text

    flags = Text()
    if case.stuck:
        flags.append(f"stuck: {case.stuck.failure_type} ", style="bold red")
    if case.overdue:
        flags.append("overdue ", style="red")
    if case.pledge_check_due:
        flags.append(f"pledge check {local_time(case.pledge_check_due)}")
    return flags


def _age_s(started_at: datetime | None, now: datetime) -> float | None:
    return None if started_at is None else round((now - started_at).total_seconds(), 3)


async def _list(
    query: str, limit: int, waiting_on: str | None
) -> tuple[list[CaseSummary], dict[str, list[RetryView]]]:
    from onething.cases import list_cases
    from onething.retries import retries_at
    from onething.settings import get_settings
    from onething.temporal_client import connect_temporal

    client = await connect_temporal(get_settings())
    found = await list_cases(client, query, limit=limit, look_for_stuck=True)
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
    from temporalio.service import RPCError

    from onething.cases import CaseNotFoundError, CaseStuckError
    from onething.cli.case_render import render_case
    from onething.cli.case_watch import WatchTimeoutError
    from onething.settings import get_settings

    settings = get_settings()
    try:
        if watch:
            asyncio.run(_watch(case_id, settings, timeout))
            return
        view, entries, (letters, unread) = asyncio.run(_case(case_id))
    except CaseNotFoundError:
        fail(no_case(case_id))
    except CaseStuckError as err:
        _show_stuck(err.summary, as_json=as_json)
        return
    except WatchTimeoutError as err:
        fail(f"{err} after {timeout:g} s")
    except RPCError as err:
        fail(f"{case_id} did not answer: {err.message}")
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if as_json:
        payload = view.model_dump() | {"timeline": entries, "dead_letters": letters}
        console.print_json(to_json(payload), ensure_ascii=False)
        return
    console.print(render_case(view, entries, settings=settings, dead_letters=letters))
    if unread:
        err_console.print(f"note: {unread}", markup=False)


async def _case(
    case_id: str,
) -> tuple[CaseView, list[TimelineEntry], tuple[list[DeadLetterEntry], str | None]]:
    """The case view, its timeline, and its dead letters if it is closed."""
    from onething.cases import case_events, case_view, timeline
    from onething.settings import get_settings
    from onething.temporal_client import connect_temporal

    # Read beside Temporal, not after it: a closed case's letters then cost no extra wait.
    letters = asyncio.create_task(_late_corrections(case_id))
    try:
        client = await connect_temporal(get_settings())
        view = await case_view(client, case_id)
        entries = sorted(
            await timeline(client, case_id) + case_events(view), key=lambda entry: entry.at
        )
    except BaseException:
        letters.cancel()
        raise
    late = await letters
    return view, entries, (late if view.finished_at is not None else ([], None))


async def _late_corrections(case_id: str) -> tuple[list[DeadLetterEntry], str | None]:
    """The case's dead letters (events for it after it closed), or why none were read.

    An open case judges later events itself and lists them in its view; a closed one cannot.
    """
    from aiokafka.errors import KafkaError

    from onething.dead_letters import read_dead_letters
    from onething.settings import get_settings

    try:
        return await read_dead_letters(get_settings(), case_id=case_id), None
    except (KafkaError, OSError, TimeoutError) as err:
        # The case is shown either way; only its late corrections are missing.
        return [], f"the dead letters were not read ({type(err).__name__}); is Kafka up?"


async def _watch(case_id: str, settings: Settings, timeout_s: float | None) -> None:
    from onething.cli.case_watch import watch_case
    from onething.temporal_client import connect_temporal

    client = await connect_temporal(settings)
    await watch_case(client, case_id, settings=settings, timeout_s=timeout_s)


def _show_stuck(summary: CaseSummary, *, as_json: bool) -> None:
    from onething.cli.case_render import render_stuck
    from onething.settings import get_settings

    entries = asyncio.run(_timeline(summary.case_id))
    if as_json:
        console.print_json(
            to_json(summary.model_dump() | {"timeline": entries}), ensure_ascii=False
        )
        return
    console.print(render_stuck(summary, entries, settings=get_settings()))


async def _timeline(case_id: str) -> list[TimelineEntry]:
    from onething.cases import timeline
    from onething.settings import get_settings
    from onething.temporal_client import connect_temporal

    return await timeline(await connect_temporal(get_settings()), case_id)
