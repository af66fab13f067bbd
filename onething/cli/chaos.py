"""``onething chaos``: drive cases while killing parts of the stack; count what was lost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from onething.chaos import ChaosReport, run_chaos
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.times import to_json
from onething.settings import get_settings
from onething.stack import StackError


@app.command()
def chaos(
    cases: Annotated[int, typer.Option(min=1, help="Cases to drive (a mix of bundles).")] = 200,
    kills: Annotated[
        int, typer.Option(min=0, help="SIGKILLs of random parts, at random intervals.")
    ] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the case order and the kill plan.")] = 1,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the figures as one JSON object.")
    ] = False,
    use_settings: Annotated[
        bool,
        typer.Option(
            "--use-settings",
            help="Start the stack as the ONETHING_* settings say (home, ports) instead of a "
            "temporary home on free ports; the home must hold no earlier run's cases, whose "
            "case keys this run would reuse.",
        ),
    ] = False,
    home: Annotated[
        Path | None,
        typer.Option(help="An empty directory for the run's own stack, kept afterwards."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=1, help="Seconds the cases may take to close (default: 300 + 2 per case)."
        ),
    ] = None,
) -> None:
    """Start a stack, publish N cases while SIGKILLing K parts, wait, and count the outcome.

    The supervisor restarts each part it loses. Every case must close, with each document
    issued once at its department; the run exits 1 if any case was lost or anything was done
    twice. It stops every process it started.
    """
    try:
        report = asyncio.run(
            run_chaos(
                get_settings(),
                cases=cases,
                kills=kills,
                seed=seed,
                own_stack=not use_settings,
                home=home,
                timeout_s=timeout,
                progress=_progress,
            )
        )
    except StackError as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    if json_output:
        console.print_json(to_json(report))
    else:
        _print(report)
    if not report.clean:
        err_console.print("error: cases were lost or something was done twice", markup=False)
        raise typer.Exit(1)


def _progress(line: str) -> None:
    err_console.print(line, markup=False)


def _print(report: ChaosReport) -> None:
    table = Table("", "figure", title=f"chaos run, seed {report.seed}")
    table.add_row("cases published", str(report.cases_published))
    table.add_row("cases started", str(report.started))
    table.add_row("cases completed", str(report.completed))
    for status, count in report.ended_otherwise.items():
        table.add_row(f"cases {status}", str(count))
    table.add_row("cases lost", str(report.lost))
    table.add_row("cases duplicated", str(report.duplicated))
    table.add_row("documents issued", str(report.documents_issued))
    table.add_row("documents issued twice", str(report.documents_issued_twice))
    table.add_row("documents missing from their case", str(report.documents_not_in_view))
    table.add_row("parts killed (SIGKILL)", str(len(report.kills)))
    table.add_row("restarts by the supervisor", str(report.restarts))
    table.add_row("time, first event to last case closed (s)", f"{report.elapsed_s:.0f}")
    console.print(table)
    kinds = Table("kind", "published", "completed", title="by kind of case")
    for kind, figures in report.by_kind.items():
        kinds.add_row(kind, str(figures.published), str(figures.completed))
    console.print(kinds)
    killed = Table("at (s)", "part", title="kills")
    for kill in report.kills:
        killed.add_row(f"{kill.at_s:.1f}", kill.part)
    console.print(killed)
    if report.lost_cases:
        console.print("lost: " + ", ".join(report.lost_cases), markup=False)
