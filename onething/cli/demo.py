"""``onething demo`` (``make demo``): the local stack, one case of each bundle, a summary."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from onething.cli import app
from onething.cli.console import console, err_console
from onething.demo import DemoCase, run_demo
from onething.settings import get_settings
from onething.stack import Stack, StackError
from onething.waiting import CaseTimeoutError


@app.command()
def demo(
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="leave the stack running after the cases, until Ctrl-C or SIGTERM, to click "
            "through them in the workbench",
        ),
    ] = False,
) -> None:
    """Start the local stack, run one case of each bundle end to end, print them, stop."""
    try:
        cases = asyncio.run(_demo(keep=keep))
    except StackError as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    except CaseTimeoutError as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    if not keep:
        _summarise(cases)
    failed = [c.view.case_id for c in cases if not c.ok]
    if failed:
        err_console.print(f"error: not finished as expected: {', '.join(failed)}")
        raise typer.Exit(1)
    console.print(f"demo: {len(cases)} case(s) completed as expected")


def _summarise(cases: list[DemoCase]) -> None:
    for case in cases:
        _print(case)
    settings = get_settings()
    console.print(f"Web UI (while `onething up` runs): {settings.ui_url}")
    console.print(
        f"Workbench (while `onething up` runs): {settings.web_url}/dept/police (officers), "
        f"{settings.web_url}/ops (operators)",
        soft_wrap=True,
    )


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: The demo cannot wait the default week for a pledge to be checked; its stack checks sooner.
DEMO_PLEDGE_CHECK_AFTER = "PT10S"


async def _demo(*, keep: bool = False, stop: asyncio.Event | None = None) -> list[DemoCase]:
    """Run the cases on a stack of the demo's own; with ``keep``, wait for ``stop`` (Ctrl-C or
    SIGTERM when None) before stopping the stack, having printed the cases and links."""
    os.environ.setdefault("ONETHING_PLEDGE_CHECK_AFTER", DEMO_PLEDGE_CHECK_AFTER)
    get_settings.cache_clear()
    settings = get_settings()
    stack = Stack(settings, report=lambda line: err_console.print(line, markup=False))
    console.print("starting the local stack…")
    await stack.start()
    try:
        console.print("onething ready; publishing one event per bundle")
        cases = await run_demo(stack.settings)
        if keep:
            _summarise(cases)
            console.print("the stack keeps running; Ctrl-C stops it")
            await _stopped(stop)
        return cases
    finally:
        await stack.stop()


async def _stopped(stop: asyncio.Event | None) -> None:
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def _print(case: DemoCase) -> None:
    view = case.view
    console.print(f"\n[bold]{view.case_id}[/bold]: {view.status}")
    table = Table("document", "department", "number")
    for doc in view.documents:
        table.add_row(doc.kind, doc.department, doc.number)
    console.print(table)
    passed = [f.name for f in view.facts if f.source != "event"]
    console.print(
        f"the citizen supplied {len(view.citizen_inputs)} fact(s), all in the trigger event "
        f"({', '.join(view.citizen_inputs)}); the departments passed {len(passed)} between "
        f"themselves instead of asking for them ({', '.join(passed)})"
    )
    spared = [m for m in view.materials if m.applies]
    ways = Counter(m.way for m in spared)
    console.print(
        f"spared {len(spared)} material(s) the citizen used to bring: "
        + ", ".join(f"{count} {way.replace('_', ' ')}" for way, count in sorted(ways.items()))
    )
    if case.missing:
        console.print(f"[red]missing documents: {', '.join(sorted(case.missing))}[/red]")
