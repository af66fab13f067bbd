"""``onething bench``: onething's throughput and latency beside bare Temporal's."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from onething.bench.harness import DEFAULT_WINDOW, run_bench
from onething.bench.report import BenchReport, IdleReport
from onething.bench.startup import StartupError, StartupReport, run_startup_bench
from onething.bench.timing import BenchTimeoutError
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.times import to_json
from onething.settings import get_settings
from onething.stack import StackError

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_Report = TypeVar("_Report")


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
    idle: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Instead: N newborn cases one at a time, each after the one before closed, "
            "beside N bare workflows run the same way; their latencies.",
        ),
    ] = None,
    startup: Annotated[
        bool,
        typer.Option(
            "--startup",
            help="Instead: time onething up to onething ready, cold, fresh and warm, part by "
            "part (--home then holds the homes and the template cache).",
        ),
    ] = False,
) -> None:
    """Run N newborn cases from Kafka and N bare workflows of the same shape; compare them.

    Starts a stack of its own (fresh home, free ports): it needs no running stack, and a
    running one is left alone.
    """
    if startup and idle is not None:
        err_console.print("error: choose one of --startup and --idle", markup=False)
        raise typer.Exit(2)
    if startup:
        _bench_startup(home, json_output=json_output)
        return
    if idle is not None:
        cases, workers, in_flight = idle, 1, 1
    bench_run = run_bench(
        get_settings(),
        cases=cases,
        workers=workers,
        window=in_flight,
        home=home,
        timeout_s=timeout,
        progress=_progress,
    )
    report = _run(bench_run)
    if idle is not None:
        idle_report = IdleReport.of(report)
        if json_output:
            console.print_json(to_json(idle_report))
        else:
            _print_idle(idle_report)
    elif json_output:
        console.print_json(to_json(report))
    else:
        _print(report)
    incomplete = report.cases - report.onething.completed
    if incomplete:
        err_console.print(f"error: {incomplete} case(s) did not complete", markup=False)
        raise typer.Exit(1)


def _bench_startup(home: Path | None, *, json_output: bool) -> None:
    report = _run(run_startup_bench(get_settings(), home=home, progress=_progress))
    if json_output:
        console.print_json(to_json(report))
    else:
        _print_startup(report)


def _run(bench_run: Coroutine[Any, Any, _Report]) -> _Report:
    """Run a bench until done or signalled; its failures become one line and exit code 1."""
    try:
        return asyncio.run(_until_signalled(bench_run))
    except (StackError, BenchTimeoutError, StartupError) as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    except asyncio.CancelledError:
        err_console.print("bench interrupted; its stack is stopped", markup=False)
        raise typer.Exit(130) from None


async def _until_signalled(bench_run: Coroutine[Any, Any, _Report]) -> _Report:
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


def _print_idle(report: IdleReport) -> None:
    table = Table("", "onething", "bare Temporal", title=f"{report.cases} cases, one at a time")
    table.add_row(
        "latency p50 (ms)", f"{report.idle_p50_ms:.0f}", f"{report.baseline_idle_p50_ms:.0f}"
    )
    table.add_row(
        "latency p95 (ms)", f"{report.idle_p95_ms:.0f}", f"{report.baseline_idle_p95_ms:.0f}"
    )
    console.print(table)
    console.print(f"ratio (onething ÷ bare Temporal, p50): {report.idle_ratio:.2f}")


def _print_startup(report: StartupReport) -> None:
    load = ", ".join(f"{value:.2f}" for value in report.load_average)
    table = Table(
        "part",
        "cold (s)",
        "fresh (s)",
        "warm (s)",
        title=f"onething up to onething ready; load average {load} on {report.cpus} CPUs",
    )
    table.add_row(
        "onething ready", f"{report.cold_s:.1f}", f"{report.fresh_s:.1f}", f"{report.warm_s:.1f}"
    )
    for name, part in report.parts.items():
        table.add_row(name, f"{part.cold_s:.1f}", f"{part.fresh_s:.1f}", f"{part.warm_s:.1f}")
    console.print(table)
