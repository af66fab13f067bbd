"""The stack as a whole: start the parts stage by stage, restart those that exit, stop them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from onething.runfiles import ready_file
from onething.settings import Settings
from onething.stack.backoff import BackoffPolicy, RestartBackoff
from onething.stack.broker import broker_part
from onething.stack.codec import codec_part, prepare_local_secrets
from onething.stack.environment import child_environment, resolve_settings
from onething.stack.errors import PartFailedError, StackError
from onething.stack.health import PartExitedError, wait_healthy
from onething.stack.parts import Part, Stage
from onething.stack.ports import check_ports_free
from onething.stack.process import ChildProcess
from onething.stack.services import departments_stage, workbench_part, workers_stage
from onething.stack.temporal_server import temporal_part

logger = logging.getLogger(__name__)

#: Receives the one-line notices of a running stack, e.g. ``restarted broker after exit code 1``.
Reporter = Callable[[str], None]


def default_stages(settings: Settings, *, temporal_args: Sequence[str] = ()) -> list[Stage]:
    """The parts of ``onething up``, in the order they start.

    Args:
        settings: Resolved settings.
        temporal_args: Further ``temporal server start-dev`` flags.

    Returns:
        Temporal, the broker and the codec server; then the department services; then the
        workers, bridge and workbench.

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


class Stack:
    """The local stack: ``await start()`` returns once every part is healthy; ``stop()`` ends it.

    Use it as ``async with Stack(settings) as stack: ...``, or through :func:`run_stack`.
    While running, a part that exits is restarted with exponential backoff and set up again
    (a restarted in-memory broker gets its topics back).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        stages: Sequence[Stage] | None = None,
        temporal_args: Sequence[str] = (),
        health_timeout_s: float = 60.0,
        stop_timeout_s: float = 10.0,
        backoff: BackoffPolicy | None = None,
        report: Reporter | None = None,
    ) -> None:
        """Plan the stack; nothing starts until :meth:`start`.

        Args:
            settings: The settings; ``home`` is made absolute for every child.
            stages: The parts to run; :func:`default_stages` by default. Tests pass a subset.
            temporal_args: Further ``temporal server start-dev`` flags (default stages only),
                e.g. ``("--dynamic-config-value", "limit.blobSize.error=1000000")``.
            health_timeout_s: How long each stage may take to become healthy.
            stop_timeout_s: How long each child may take to exit after SIGTERM.
            backoff: Restart delays; 1 s doubling to 30 s, reset after 60 s up, by default.
            report: Receives one-line notices (restarts); logged as warnings by default.

        Raises:
            BinaryNotFoundError: A server of the default stages is not installed.
        """
        self.settings = resolve_settings(settings)
        self.stages: list[Stage] = list(
            stages
            if stages is not None
            else default_stages(self.settings, temporal_args=temporal_args)
        )
        self.health_timeout_s = health_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self._backoff = backoff or BackoffPolicy()
        self._report: Reporter = report or logger.warning
        self._env = child_environment(self.settings)
        self._started: list[list[_Running]] = []
        self._stopping = False

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
            for stage in self._started
            for running in stage
            if running.process.running and running.process.pid is not None
        }

    async def start(self) -> None:
        """Check the ports, then start each stage and wait until all its parts are healthy.

        On failure, or if cancelled, everything already started is stopped again.

        Raises:
            PortInUseError: A port the stack would listen on is taken.
            PortConflictError: Two parts are configured for the same port.
            PartFailedError: A part did not become healthy, exited, or could not be set up.
            StackError: A secret under ``<home>/keys`` is exposed or malformed.
        """
        if self._started or self._stopping:
            raise RuntimeError("a Stack starts once")
        check_ports_free(
            self.settings.local_host, (port for part in self.parts for port in part.ports)
        )
        prepare_local_secrets(self.settings)
        try:
            for stage in self.stages:
                running = [self._child(part) for part in stage if part.managed]
                self._started.append(running)
                for entry in running:
                    await self._spawn(entry)
                await _all_or_first_error(self._become_healthy(part) for part in stage)
                for entry in running:
                    entry.watcher = asyncio.create_task(
                        self._supervise(entry), name=f"supervise-{entry.part.name}"
                    )
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop every child: SIGTERM by PID, stage by stage in reverse order, SIGKILL if slow."""
        self._stopping = True
        watchers = [
            entry.watcher for stage in self._started for entry in stage if entry.watcher is not None
        ]
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        while self._started:
            stage = self._started.pop()
            await asyncio.gather(*(self._halt(entry) for entry in reversed(stage)))

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

    def _child(self, part: Part) -> _Running:
        process = ChildProcess(
            part.name,
            part.argv,
            env=self._env,
            log_path=self.log_dir / f"{part.name}.log",
            pid_path=self.run_dir / f"{part.name}.pid",
        )
        return _Running(part=part, process=process, backoff=RestartBackoff(self._backoff))

    async def _spawn(self, entry: _Running) -> None:
        try:
            await entry.process.start()
        except OSError as error:
            raise PartFailedError(
                part=entry.part.name, reason=f"could not be started: {error.strerror or error}"
            ) from error

    def _process_of(self, part: Part) -> ChildProcess | None:
        for stage in self._started:
            for entry in stage:
                if entry.part is part:
                    return entry.process
        return None

    async def _become_healthy(self, part: Part) -> None:
        process = self._process_of(part)
        log_path = None if process is None else process.log_path
        try:
            await wait_healthy(
                part.health,
                pid=None if process is None else process.pid,
                timeout_s=self.health_timeout_s,
                returncode=(lambda: None) if process is None else (lambda: process.returncode),
            )
        except TimeoutError:
            reason = f"did not become healthy within {self.health_timeout_s:g} s"
            if process is None:
                reason = f"did not answer within {self.health_timeout_s:g} s"
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
        while True:
            code = await process.wait()
            self._forget_ready_file(entry)
            await asyncio.sleep(entry.backoff.next_delay(process.uptime_s))
            try:
                await process.start()
            except OSError as error:
                self._report(f"could not restart {entry.part.name}: {error.strerror or error}")
                continue
            self._report(f"restarted {entry.part.name} after exit code {code}")
            try:
                await self._become_healthy(entry.part)
            except StackError as error:
                self._report(str(error))

    async def _halt(self, entry: _Running) -> None:
        await entry.process.stop(timeout_s=self.stop_timeout_s)
        self._forget_ready_file(entry)

    def _forget_ready_file(self, entry: _Running) -> None:
        """Remove a ready file that a killed child could not remove itself."""
        path = ready_file(self.settings, entry.part.name)
        with contextlib.suppress(FileNotFoundError, ValueError):
            if int(path.read_text().strip()) == entry.process.pid:
                path.unlink()


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
) -> None:
    """Run the stack of ``onething up`` until ``stop`` is set, then stop it.

    Args:
        settings: The settings.
        ready: Set once every part is healthy.
        stop: Ends the stack when set, also during start-up.
        temporal_args: Further ``temporal server start-dev`` flags.
        report: Receives one-line notices (restarts).

    Raises:
        StackError: The stack could not start; whatever had started is stopped.
    """
    stack = Stack(settings, temporal_args=temporal_args, report=report)
    await stack.serve(ready=ready, stop=stop)
