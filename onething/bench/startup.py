"""``onething bench --startup``: how long ``onething up`` takes to ``onething ready``, part by part.

Three starts of the real command, each on free ports, stopped once ready:

- **cold**: a fresh home and an empty template cache, as on a machine that never ran onething;
- **fresh**: another fresh home, with the templates the cold start built;
- **warm**: the fresh start's home again, as a developer's second ``onething up``.

Each part's seconds come from ``<home>/run/startup.json``, which ``onething up`` writes once ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from onething.bench.stack import bench_settings
from onething.owner_only import private_dir
from onething.runfiles import startup_record_file
from onething.settings import Settings
from onething.stack.environment import ENV_PREFIX, child_environment

Progress = Callable[[str], None]
READY_LINE = "onething ready"
#: How long one start may take before the bench gives up on it (the stack's stall timeout
#: normally ends a stuck start much sooner).
DEFAULT_START_TIMEOUT_S = 900.0
_STOP_TIMEOUT_S = 60.0


class StartupError(RuntimeError):
    """A start of ``onething up`` failed or did not become ready in time."""


class PartStartup(BaseModel):
    """When one part started and was ready, in seconds since ``onething up`` began starting."""

    model_config = ConfigDict(frozen=True)

    started_s: float
    ready_s: float


class StartupRun(BaseModel):
    """One start of ``onething up``."""

    model_config = ConfigDict(frozen=True)

    seconds: float = Field(description="From running onething up to its line onething ready.")
    parts: dict[str, PartStartup]


class PartSeconds(BaseModel):
    """One part's seconds from its own start to ready, in each run."""

    model_config = ConfigDict(frozen=True)

    cold_s: float
    fresh_s: float
    warm_s: float


class StartupReport(BaseModel):
    """The JSON object of ``onething bench --startup --json``."""

    model_config = ConfigDict(frozen=True)

    cold_s: float = Field(description="Fresh home, empty template cache.")
    fresh_s: float = Field(description="Fresh home, templates cached.")
    warm_s: float = Field(description="A home that ran before.")
    parts: dict[str, PartSeconds] = Field(description="Each part's seconds, start to ready.")
    load_average: tuple[float, float, float] = Field(
        description="The machine's 1, 5 and 15 minute load averages when the bench began."
    )
    cpus: int = Field(description="CPUs of the machine.")
    cold: StartupRun
    fresh: StartupRun
    warm: StartupRun


async def run_startup_bench(
    settings: Settings,
    *,
    home: Path | None = None,
    timeout_s: float = DEFAULT_START_TIMEOUT_S,
    progress: Progress | None = None,
) -> StartupReport:
    """Time a cold, a fresh and a warm start of ``onething up``.

    Args:
        settings: Settings to start from (population size, stall timeout); every start gets
            free ports, and its homes and template cache live under ``home``.
        home: An empty directory for the homes and the cache, kept afterwards; by default a
            temporary one, removed afterwards.
        timeout_s: How long one start may take to become ready.
        progress: Receives a line per start.

    Returns:
        The report.

    Raises:
        StartupError: A start failed or took too long.
    """
    say: Progress = progress or (lambda _: None)
    base = home or Path(tempfile.mkdtemp(prefix="onething-startup-"))
    load = os.getloadavg()
    cache = base / "cache"
    try:
        runs: dict[str, StartupRun] = {}
        for label, stack_home in (("cold", "first"), ("fresh", "second"), ("warm", "second")):
            own = bench_settings(settings, base / stack_home).model_copy(
                update={"cache_dir": cache}
            )
            runs[label] = await time_start(own, timeout_s=timeout_s)
            say(f"{label} start: onething ready after {runs[label].seconds:.1f} s")
    finally:
        if home is None:
            shutil.rmtree(base, ignore_errors=True)
    names = sorted(set(runs["cold"].parts) & set(runs["warm"].parts) & set(runs["fresh"].parts))
    return StartupReport(
        cold_s=runs["cold"].seconds,
        fresh_s=runs["fresh"].seconds,
        warm_s=runs["warm"].seconds,
        parts={
            name: PartSeconds(**{f"{label}_s": _took(runs[label], name) for label in runs})
            for name in names
        },
        load_average=(round(load[0], 2), round(load[1], 2), round(load[2], 2)),
        cpus=os.cpu_count() or 1,
        cold=runs["cold"],
        fresh=runs["fresh"],
        warm=runs["warm"],
    )


async def time_start(settings: Settings, *, timeout_s: float) -> StartupRun:
    """Run ``onething up`` with ``settings`` until it is ready, then stop it.

    Args:
        settings: The stack's settings (its home, ports, cache).
        timeout_s: How long it may take to become ready.

    Returns:
        How long it took, and each part's times.

    Raises:
        StartupError: It exited first or took too long.
    """
    private_dir(settings.home)  # onething up refuses a home others can read
    outside = {key: value for key, value in os.environ.items() if not key.startswith(ENV_PREFIX)}
    log = settings.home.parent / f"{settings.home.name}.up.log"
    started = time.monotonic()
    with log.open("ab") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "onething.cli",
            "up",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            env=_up_environment(settings, base=outside),
        )
    try:
        seconds = await _until_ready(process, started, timeout_s=timeout_s, log=log)
        record = json.loads(startup_record_file(settings).read_text())
    finally:
        await _stop(process)
    return StartupRun(
        seconds=round(seconds, 2),
        parts={name: PartStartup(**times) for name, times in record["parts"].items()},
    )


async def _until_ready(
    process: asyncio.subprocess.Process, started: float, *, timeout_s: float, log: Path
) -> float:
    assert process.stdout is not None
    try:
        async with asyncio.timeout(timeout_s):
            while line := await process.stdout.readline():
                if line.decode(errors="replace").strip() == READY_LINE:
                    return time.monotonic() - started
    except TimeoutError:
        raise StartupError(f"onething up was not ready within {timeout_s:g} s; see {log}") from None
    code = await process.wait()
    raise StartupError(f"onething up exited with code {code} before it was ready; see {log}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(_STOP_TIMEOUT_S):
            await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def _up_environment(settings: Settings, *, base: dict[str, str]) -> dict[str, str]:
    """The environment of an ``onething up`` that starts its own Temporal and broker.

    A child of the stack is told the addresses in use; ``onething up`` itself must not be, or
    it would take them for existing services and start neither.
    """
    env = child_environment(settings, base=base)
    for name in ("temporal_address", "kafka_bootstrap"):
        env.pop(f"{ENV_PREFIX}{name.upper()}", None)
    return env


def _took(run: StartupRun, name: str) -> float:
    part = run.parts[name]
    return round(part.ready_s - part.started_s, 2)
