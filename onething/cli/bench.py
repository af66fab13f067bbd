"""``onething bench``: onething's throughput and latency beside bare Temporal's."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from onething.bench.harness import DEFAULT_WINDOW, run_bench
from onething.bench.report import BenchReport
from onething.bench.timing import BenchTimeoutError
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.times import to_json
from onething.settings import get_settings
from onething.stack import StackError

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@app.command()
def bench(
    cases: Annotated[int, typer.Option(min=1, help="Cases in each run.")] = 1000,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Worker processes of each kind (orchestrator, departments)."),
    ] = 1,
    in_flight: Annotated[
        int,
        typer.Option(min=1, help="Cases in flight at most; each one closed lets the next in."),
    ] = DEFAULT_WINDOW,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object.")
    ] = False,
    home: Annotated[
        Path | None,
        typer.Option(help="An empty directory for the bench's stack, kept afterwards."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(min=1, help="Seconds each run may take (default: 120 + 1 per case)."),
    ] = None,
) -> None:
    """Run N newborn cases from Kafka and N bare workflows of the same shape; compare them.

    Starts a stack of its own (fresh home, free ports): it needs no running stack, and a
    running one is left alone.
    """
    bench_run = run_bench(
        get_settings(),
        cases=cases,
        workers=workers,
        window=in_flight,
        home=home,
        timeout_s=timeout,
        progress=_progress,
    )
    try:
        report = asyncio.run(_until_signalled(bench_run))
    except (StackError, BenchTimeoutError) as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    except asyncio.CancelledError:
        err_console.print("bench interrupted; its stack is stopped", markup=False)
        raise typer.Exit(130) from None
    if json_output:
        console.print_json(to_json(report))
    else:
        _print(report)
    incomplete = report.cases - report.onething.completed
    if incomplete:
        err_console.print(f"error: {incomplete} case(s) did not complete", markup=False)
        raise typer.Exit(1)


async def _until_signalled(bench_run: Coroutine[Any, Any, BenchReport]) -> BenchReport:
    """Run the bench; Ctrl-C or SIGTERM cancels it, which stops its stack in order."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(bench_run)
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await task
    finally:
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)


def _progress(line: str) -> None:
    err_console.print(line, markup=False)


def _print(report: BenchReport) -> None:
    table = Table(
        "",
        "onething",
        "bare Temporal",
        title=f"{report.cases} cases, {report.workers} worker process(es) of each kind, "
        f"at most {report.window} in flight",
    )
    runs = (report.onething, report.baseline)
    table.add_row("completed", *(f"{r.completed}/{r.cases}" for r in runs))
    table.add_row("throughput (cases/s)", *(f"{r.throughput:.1f}" for r in runs))
    for q in ("p50", "p95", "p99"):
        table.add_row(f"latency {q} (ms)", *(f"{getattr(r.latency_ms, q):.0f}" for r in runs))
    table.add_row("history events per case", *(str(r.history_length) for r in runs))
    table.add_row("workflow tasks per case", *(str(r.workflow_tasks) for r in runs))
    console.print(table)
    console.print(f"ratio (onething ÷ bare Temporal throughput): {report.ratio:.2f}")
    memory = Table("process", "peak RSS (MiB)", title="peak memory (VmHWM)")
    for name, mib in report.peak_rss_mb.items():
        memory.add_row(name, f"{mib:.0f}")
    console.print(memory)
