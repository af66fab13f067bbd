"""The stack as a whole: start the parts stage by stage, restart those that exit, stop them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from onething.owner_only import private_dir, restrict_new_files
from onething.runfiles import ready_file
from onething.settings import Settings
from onething.stack.backoff import BackoffPolicy, RestartBackoff
from onething.stack.broker import broker_part
from onething.stack.codec import codec_part, prepare_local_secrets
from onething.stack.environment import child_environment, resolve_settings
from onething.stack.errors import PartFailedError, StackError
from onething.stack.health import PartExitedError, PartStalledError, wait_healthy
from onething.stack.parts import Part, Stage
from onething.stack.ports import check_ports_free
from onething.stack.process import ChildProcess
from onething.stack.progress import ProgressWatch
from onething.stack.services import departments_stage, workbench_part, workers_stage
from onething.stack.temporal_server import temporal_part

logger = logging.getLogger(__name__)

#: Receives the one-line notices of a running stack, e.g. ``restarted broker after exit code 1``.
Reporter = Callable[[str], None]
#: Receives a part's name and what it is doing while it starts, e.g. ``copying the template``.
ProgressReporter = Callable[[str, str], None]


def default_stages(settings: Settings, *, temporal_args: Sequence[str] = ()) -> list[Stage]:
    """The parts of ``onething up``, in the order they start.

    Args:
        settings: Resolved settings.
        temporal_args: Further ``temporal server start-dev`` flags.

    Returns:
        Temporal, the broker and the codec server; then the department services; then the
        workers, bridge and workbench. Only the workers, the bridge and the workbench wait (for
        Temporal and the broker): everything else starts at once.

    Raises:
        BinaryNotFoundError: A server the stack must start is not installed.
    """
    return [
        (
            temporal_part(settings, extra_args=temporal_args),
            broker_part(settings),
            codec_part(settings),
        ),
        departments_stage(settings),
        (*workers_stage(settings), workbench_part(settings)),
    ]


@dataclass
class _Running:
    """A started part and what keeps it running."""

    part: Part
    process: ChildProcess
    backoff: RestartBackoff
    watcher: asyncio.Task[None] | None = field(default=None)


@dataclass(frozen=True)
class PartTiming:
    """When a part started and became healthy, in seconds since the stack began starting.

    Attributes:
        started_s: When its process was started (or, for an existing service, first probed).
        ready_s: When it became healthy and was set up.
    """

    started_s: float
    ready_s: float

    @property
    def took_s(self) -> float:
        """How long the part took from its start to healthy."""
        return self.ready_s - self.started_s


class Stack:
    """The local stack: ``await start()`` returns once every part is healthy; ``stop()`` ends it.

    Use it as ``async with Stack(settings) as stack: ...``, or through :func:`run_stack`.
    Each part starts as soon as the parts it needs are healthy, so independent parts start
    together. No part has a fixed deadline: one that shows no progress (see
    :mod:`onething.stack.progress`) for the stall timeout fails the start, naming what it was
    last doing. While running, a part that exits is restarted with exponential backoff and set
    up again (a restarted in-memory broker gets its topics back).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        stages: Sequence[Stage] | None = None,
        temporal_args: Sequence[str] = (),
        stall_timeout_s: float | None = None,
        health_timeout_s: float | None = None,
        stop_timeout_s: float = 10.0,
        backoff: BackoffPolicy | None = None,
        report: Reporter | None = None,
        progress: ProgressReporter | None = None,
    ) -> None:
        """Plan the stack; nothing starts until :meth:`start`.

        Args:
            settings: The settings; ``home`` is made absolute for every child.
            stages: The parts to run; :func:`default_stages` by default. Tests pass a subset.
            temporal_args: Further ``temporal server start-dev`` flags (default stages only),
                e.g. ``("--dynamic-config-value", "limit.blobSize.error=1000000")``.
            stall_timeout_s: How long a starting part may show no progress;
                ``settings.stall_timeout`` by default.
            health_timeout_s: How long a part may take to become healthy in all, progress or
                not; no limit by default.
            stop_timeout_s: How long each child may take to exit after SIGTERM.
            backoff: Restart delays; 1 s doubling to 30 s, reset after 60 s up, by default.
            report: Receives one-line notices (restarts); logged as warnings by default.
            progress: Receives each part's name and what it is doing while the stack starts
                (``ready in 1.2 s`` once healthy).

        Raises:
            BinaryNotFoundError: A server of the default stages is not installed.
            ValueError: A part needs a part that is not in the stack.
        """
        self.settings = resolve_settings(settings)
        self.stages: list[Stage] = list(
            stages
            if stages is not None
            else default_stages(self.settings, temporal_args=temporal_args)
        )
        self.stall_timeout_s = (
            stall_timeout_s
            if stall_timeout_s is not None
            else self.settings.stall_timeout.total_seconds()
        )
        self.health_timeout_s = health_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.timings: dict[str, PartTiming] = {}
        self._needs = _needs(self.stages)
        self._backoff = backoff or BackoffPolicy()
        self._report: Reporter = report or logger.warning
        self._progress: ProgressReporter = progress or (lambda part, text: None)
        self._env = child_environment(self.settings)
        self._started: list[_Running] = []
        self._stopping = False
        self._clock_zero = 0.0

    @property
    def log_dir(self) -> Path:
        """Where each started part appends its output, ``<name>.log``."""
        return self.settings.home / "logs"

    @property
    def run_dir(self) -> Path:
        """Where each running part's PID is kept, ``<name>.pid``."""
        return self.settings.home / "run"

    @property
    def parts(self) -> list[Part]:
        """Every part, in start order."""
        return [part for stage in self.stages for part in stage]

    def pids(self) -> dict[str, int]:
        """The PID of each child that is running now, by part name."""
        return {
            running.part.name: running.process.pid
            for running in self._started
            if running.process.running and running.process.pid is not None
        }

    async def start(self) -> None:
        """Check the ports, then start every part once those it needs are healthy.

        Returns once every part is healthy. On failure, or if cancelled, everything already
        started is stopped again.

        Raises:
            PortInUseError: A port the stack would listen on is taken.
            PortConflictError: Two parts are configured for the same port.
            PartFailedError: A part stalled, exited, or could not be set up.
            StackError: A secret under ``<home>/keys`` is exposed or malformed.
        """
        if self._started or self._stopping:
            raise RuntimeError("a Stack starts once")
        check_ports_free(
            self.settings.local_host, (port for part in self.parts for port in part.ports)
        )
        restrict_new_files()
        private_dir(self.settings.home)
        prepare_local_secrets(self.settings)
        self._clock_zero = asyncio.get_running_loop().time()
        healthy = {part.name: asyncio.Event() for part in self.parts}
        try:
            await _all_or_first_error(self._bring_up(part, healthy) for part in self.parts)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop every child by SIGTERM to its PID, SIGKILL if slow: dependents first."""
        self._stopping = True
        watchers = [entry.watcher for entry in self._started if entry.watcher is not None]
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        depth = _depths(self._needs)
        while self._started:
            deepest = max(depth[entry.part.name] for entry in self._started)
            level = [entry for entry in self._started if depth[entry.part.name] == deepest]
            self._started = [entry for entry in self._started if entry not in level]
            await asyncio.gather(*(self._halt(entry) for entry in reversed(level)))

    async def serve(
        self, *, ready: asyncio.Event | None = None, stop: asyncio.Event | None = None
    ) -> None:
        """Start, run until ``stop`` is set (or this is cancelled), then stop.

        Args:
            ready: Set once every part is healthy.
            stop: Ends the stack when set, also during start-up.

        Raises:
            StackError: The stack could not start; whatever had started is stopped.
        """
        stop = stop or asyncio.Event()
        starting = asyncio.create_task(self.start(), name="stack-start")
        stopping = asyncio.create_task(stop.wait(), name="stack-stop")
        try:
            await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if starting.done():
                starting.result()
                if ready is not None:
                    ready.set()
                await stopping
        finally:
            for task in (starting, stopping):
                task.cancel()
            await asyncio.gather(starting, stopping, return_exceptions=True)
            await self.stop()

    async def __aenter__(self) -> Stack:
        """Start the stack."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the stack."""
        await self.stop()

    def _now(self) -> float:
        return asyncio.get_running_loop().time() - self._clock_zero

    async def _bring_up(self, part: Part, healthy: dict[str, asyncio.Event]) -> None:
        """Start the part once the parts it needs are healthy, and wait until it is healthy.

        A prestarted part's process starts at once and is let run once they are.
        """
        entry = self._child(part) if part.managed else None
        watch = self._watch(part, entry)
        started_s = self._now()
        if entry is not None and part.prestart:
            await self._launch(entry, watch)
        for needed in self._needs[part.name]:
            await healthy[needed].wait()
        if entry is not None:
            if part.prestart:
                await entry.process.release()
            else:
                started_s = self._now()
                await self._launch(entry, watch)
        elif self._needs[part.name]:
            started_s = self._now()
        await self._become_healthy(part, entry, watch)
        self.timings[part.name] = PartTiming(started_s=started_s, ready_s=self._now())
        self._progress(part.name, f"ready in {self.timings[part.name].took_s:.1f} s")
        healthy[part.name].set()
        if entry is not None:
            entry.watcher = asyncio.create_task(
                self._supervise(entry), name=f"supervise-{part.name}"
            )

    async def _launch(self, entry: _Running, watch: ProgressWatch) -> None:
        self._started.append(entry)
        watch.restart()
        await self._spawn(entry)

    def _child(self, part: Part) -> _Running:
        process = ChildProcess(
            part.name,
            part.argv,
            env=self._env,
            log_path=self.log_dir / f"{part.name}.log",
            pid_path=self.run_dir / f"{part.name}.pid",
            held=part.prestart,
        )
        return _Running(part=part, process=process, backoff=RestartBackoff(self._backoff))

    def _watch(self, part: Part, entry: _Running | None) -> ProgressWatch:
        return ProgressWatch(
            progress_path=part.progress_file,
            log_path=None if entry is None else entry.process.log_path,
            on_text=lambda text: self._progress(part.name, text),
        )

    async def _spawn(self, entry: _Running) -> None:
        try:
            await entry.process.start()
        except OSError as error:
            raise PartFailedError(
                part=entry.part.name, reason=f"could not be started: {error.strerror or error}"
            ) from error

    async def _become_healthy(
        self, part: Part, entry: _Running | None, watch: ProgressWatch
    ) -> None:
        process = None if entry is None else entry.process
        log_path = None if process is None else process.log_path
        try:
            await wait_healthy(
                part.health,
                pid=None if process is None else process.pid,
                watch=watch,
                stall_timeout_s=self.stall_timeout_s,
                timeout_s=self.health_timeout_s,
                returncode=(lambda: None) if process is None else (lambda: process.returncode),
            )
        except PartStalledError as error:
            reason = (
                f"made no progress for {self.stall_timeout_s:g} s "
                f"(ONETHING_STALL_TIMEOUT); it was last {error.activity}"
            )
            if process is None:
                reason = f"did not answer within {self.stall_timeout_s:g} s"
            raise PartFailedError(part=part.label, reason=reason, log_path=log_path) from None
        except TimeoutError:
            reason = f"did not become healthy within {self.health_timeout_s:g} s"
            raise PartFailedError(part=part.label, reason=reason, log_path=log_path) from None
        except PartExitedError as error:
            raise PartFailedError(
                part=part.label,
                reason=f"exited with code {error.returncode} before becoming healthy",
                log_path=log_path,
            ) from None
        if part.set_up is not None:
            try:
                await part.set_up()
            except StackError:
                raise
            except Exception as error:
                raise PartFailedError(
                    part=part.label, reason=f"could not be set up: {error}", log_path=log_path
                ) from error

    async def _supervise(self, entry: _Running) -> None:
        """Restart the part whenever it exits, until the stack stops."""
        process = entry.process
        watch = self._watch(entry.part, entry)
        while True:
            code = await process.wait()
            self._forget_run_files(entry)
            await asyncio.sleep(entry.backoff.next_delay(process.uptime_s))
            watch.restart()
            try:
                await process.start()
            except OSError as error:
                self._report(f"could not restart {entry.part.name}: {error.strerror or error}")
                continue
            await process.release()
            self._report(f"restarted {entry.part.name} after exit code {code}")
            try:
                await self._become_healthy(entry.part, entry, watch)
            except StackError as error:
                self._report(str(error))

    async def _halt(self, entry: _Running) -> None:
        await entry.process.stop(timeout_s=self.stop_timeout_s)
        self._forget_run_files(entry)

    def _forget_run_files(self, entry: _Running) -> None:
        """Remove the ready and progress files that a killed child could not remove itself."""
        path = ready_file(self.settings, entry.part.name)
        with contextlib.suppress(FileNotFoundError, ValueError):
            if int(path.read_text().strip()) == entry.process.pid:
                path.unlink()
        if entry.part.progress_file is not None:
            entry.part.progress_file.unlink(missing_ok=True)


def _needs(stages: Sequence[Stage]) -> dict[str, tuple[str, ...]]:
    """The parts each part waits for: its ``after``, else every part of the stages before.

    Raises:
        ValueError: A part names one that is not in the stack, or itself.
    """
    needs: dict[str, tuple[str, ...]] = {}
    before: list[str] = []
    for stage in stages:
        for part in stage:
            needs[part.name] = tuple(before) if part.after is None else part.after
        before += [part.name for part in stage]
    for name, needed in needs.items():
        unknown = [other for other in needed if other not in needs or other == name]
        if unknown:
            raise ValueError(f"part {name} needs {unknown}, which the stack cannot start first")
    return needs


def _depths(needs: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """How deep each part sits in the chain of needs: 0 for a part that needs none."""
    depth: dict[str, int] = {}

    def of(name: str, seen: frozenset[str]) -> int:
        if name not in depth:
            if name in seen:
                raise ValueError(f"parts need each other in a circle through {name}")
            depth[name] = 1 + max((of(n, seen | {name}) for n in needs[name]), default=-1)
        return depth[name]

    for name in needs:
        of(name, frozenset())
    return depth


async def _all_or_first_error(coroutines: Iterable[Awaitable[None]]) -> None:
    """Await all together; on the first failure cancel the rest and raise it."""
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    if not tasks:
        return
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run_stack(
    settings: Settings,
    *,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    temporal_args: Sequence[str] = (),
    report: Reporter | None = None,
    progress: ProgressReporter | None = None,
) -> None:
    """Run the stack of ``onething up`` until ``stop`` is set, then stop it.

    Args:
        settings: The settings.
        ready: Set once every part is healthy.
        stop: Ends the stack when set, also during start-up.
        temporal_args: Further ``temporal server start-dev`` flags.
        report: Receives one-line notices (restarts).
        progress: Receives each part's name and what it is doing while the stack starts.

    Raises:
        StackError: The stack could not start; whatever had started is stopped.
    """
    stack = Stack(settings, temporal_args=temporal_args, report=report, progress=progress)
    await stack.serve(ready=ready, stop=stop)
