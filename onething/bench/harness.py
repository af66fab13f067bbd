"""One bench run: its own stack, the baseline, then onething, and the report."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from onething.bench.baseline_models import baseline_steps
from onething.bench.memory import cpu_usage, peak_memory
from onething.bench.phases import birth_records, run_baseline, run_onething
from onething.bench.report import BenchReport, RunReport
from onething.bench.stack import (
    baseline_stage,
    bench_settings,
    bench_stages,
    clear_department_faults,
)
from onething.settings import Settings
from onething.stack import Stack
from onething.temporal_client import connect_temporal
from workflows.newborn import NEWBORN_STEPS

Progress = Callable[[str], None]
#: Cases in flight at most: a run of up to this many is one burst.
DEFAULT_WINDOW = 1000


def default_timeout_s(cases: int) -> float:
    """How long each run may take to close all its cases: generous, for slow machines."""
    return 120.0 + cases


async def run_bench(
    settings: Settings,
    *,
    cases: int,
    workers: int,
    window: int = DEFAULT_WINDOW,
    home: Path | None = None,
    timeout_s: float | None = None,
    temporal_args: Sequence[str] = (),
    progress: Progress | None = None,
) -> BenchReport:
    """Start a stack of the bench's own, time the baseline and onething on it, stop it.

    The baseline runs first, so onething runs on the server's larger database: if either side
    is favoured by the order, it is the baseline.

    Args:
        settings: Settings to start from; the stack gets its own home and free ports.
        cases: Cases per run.
        workers: Worker processes of each kind (orchestrator, departments; baseline alike).
        window: The most cases in flight at once (see :mod:`onething.bench.feed`).
        home: An empty directory for the stack (kept afterwards); by default a temporary one,
            removed after a successful run and kept, for its logs, after a failed one.
        timeout_s: How long each run may take; :func:`default_timeout_s` by default.
        temporal_args: Further ``temporal server start-dev`` flags.
        progress: Receives progress lines.

    Returns:
        The report.

    Raises:
        ValueError: ``cases``, ``workers`` or ``window`` is below one.
        StackError: The stack did not start.
        BenchTimeoutError: A run did not finish in time.
    """
    if min(cases, workers, window) < 1:
        raise ValueError("a bench needs at least one case, worker of each kind and case in flight")
    say: Progress = progress or (lambda _: None)
    scratch = None if home is not None else Path(tempfile.mkdtemp(prefix="onething-bench-"))
    own = bench_settings(settings, home or Path(str(scratch)) / "home")
    try:
        report = await _bench(
            own,
            cases=cases,
            workers=workers,
            window=window,
            timeout_s=timeout_s or default_timeout_s(cases),
            temporal_args=temporal_args,
            say=say,
        )
    except BaseException:
        if scratch is not None:
            say(f"kept {own.home} for its logs")
        raise
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return report


async def _bench(
    settings: Settings,
    *,
    cases: int,
    workers: int,
    window: int,
    timeout_s: float,
    temporal_args: Sequence[str],
    say: Progress,
) -> BenchReport:
    stack = Stack(
        settings,
        stages=bench_stages(settings, workers, temporal_args=temporal_args),
        report=say,
    )
    say(f"starting a stack in {settings.home} with {workers} worker process(es) of each kind")
    await stack.start()
    try:
        await clear_department_faults(stack.settings)
        client = await connect_temporal(stack.settings)
        baseline_workers = Stack(
            stack.settings, stages=[baseline_stage(stack.settings, workers)], report=say
        )
        await baseline_workers.start()
        try:
            say(f"baseline: {cases} bare workflows")
            pids = stack.pids() | baseline_workers.pids() | {"bench": os.getpid()}
            before = cpu_usage(pids)
            baseline = await run_baseline(
                client,
                cases,
                baseline_steps(NEWBORN_STEPS),
                window=window,
                timeout_s=timeout_s,
                progress=say,
            )
            baseline_cpu = _used_since(before, cpu_usage(pids))
            peaks = peak_memory(baseline_workers.pids())
        finally:
            await baseline_workers.stop()
        say(f"onething: {cases} newborn cases")
        records = birth_records(stack.settings, cases)
        pids = stack.pids() | {"bench": os.getpid()}
        before = cpu_usage(pids)
        onething = await run_onething(
            stack.settings, client, records, window=window, timeout_s=timeout_s, progress=say
        )
        onething_cpu = _used_since(before, cpu_usage(pids))
        peaks |= peak_memory(stack.pids())
    finally:
        await stack.stop()
    return BenchReport.of(
        workers=workers,
        window=window,
        onething=RunReport.of(onething, cpu_s=onething_cpu),
        baseline=RunReport.of(baseline, cpu_s=baseline_cpu),
        peak_rss_mb=dict(sorted(peaks.items())),
    )


def _used_since(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process used between two readings (processes in both)."""
    return {name: round(after[name] - before[name], 2) for name in after if name in before}
