"""``onething demo`` (``make demo``): the local stack, one case of each bundle, a summary."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import typer
from rich.table import Table

from onething.cli import app
from onething.cli.console import console, err_console
from onething.demo import DemoCase, run_demo
from onething.settings import get_settings
from onething.stack import Stack, StackError
from onething.waiting import CaseTimeoutError


@app.command()
def demo() -> None:
    """Start the local stack, run one case of each bundle end to end, print them, stop."""
    try:
        cases = asyncio.run(_demo())
    except StackError as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    except CaseTimeoutError as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    for case in cases:
        _print(case)
    settings = get_settings()
    console.print(f"Web UI (while `onething up` runs): {settings.ui_url}")
    console.print(
        f"Workbench (while `onething up` runs): {settings.web_url}/dept/police (officers), "
        f"{settings.web_url}/ops (operators)",
        soft_wrap=True,
    )
    failed = [c.view.case_id for c in cases if not c.ok]
    if failed:
        err_console.print(f"error: not finished as expected: {', '.join(failed)}")
        raise typer.Exit(1)
    console.print(f"demo: {len(cases)} case(s) completed as expected")


#: The demo cannot wait the default week for a pledge to be checked; its stack checks sooner.
DEMO_PLEDGE_CHECK_AFTER = "PT10S"


async def _demo() -> list[DemoCase]:
    os.environ.setdefault("ONETHING_PLEDGE_CHECK_AFTER", DEMO_PLEDGE_CHECK_AFTER)
    get_settings.cache_clear()
    settings = get_settings()
    stack = Stack(settings, report=lambda line: err_console.print(line, markup=False))
    console.print("starting the local stack…")
    await stack.start()
    try:
        console.print("onething ready; publishing one event per bundle")
        return await run_demo(stack.settings)
    finally:
        await stack.stop()


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
