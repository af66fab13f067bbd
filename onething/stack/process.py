"""One child process of the stack: started with its log and PID file, stopped by its PID."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from onething.owner_only import private_dir, restrict_new_files
from onething.prestart import GO

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when its parent dies.

    It also makes whatever the child creates owner-only (``onething.owner_only``).
    """
    if not sys.platform.startswith("linux"):
        return restrict_new_files
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:
        restrict_new_files()
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        # The parent may have died before prctl took effect; then no signal would ever come.
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class ChildProcess:
    """A command run as a child, restartable, logging to a file and recorded in a PID file.

    Each child gets its own process group, so a Ctrl-C at the terminal reaches only the
    supervisor, which then stops the children in order.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        log_path: Path,
        pid_path: Path,
        held: bool = False,
    ) -> None:
        """Describe the child; nothing runs until :meth:`start`.

        Args:
            name: The part's name, for messages.
            argv: The command.
            env: The complete environment of the child.
            log_path: Where stdout and stderr are appended.
            pid_path: Where the running child's PID is kept.
            held: Give the child a pipe as standard input, for :meth:`release` (see
                :mod:`onething.prestart`); otherwise its standard input is empty.
        """
        self.name = name
        self.argv = tuple(argv)
        self.env = dict(env)
        self.log_path = log_path
        self.pid_path = pid_path
        self.held = held
        self._process: asyncio.subprocess.Process | None = None
        self._started_at = 0.0

    @property
    def pid(self) -> int | None:
        """The PID of the current (or last) child, ``None`` before the first start."""
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code of the current child, ``None`` while it runs (or before any start)."""
        return None if self._process is None else self._process.returncode

    @property
    def running(self) -> bool:
        """Whether a child was started and has not exited."""
        return self._process is not None and self._process.returncode is None

    @property
    def uptime_s(self) -> float:
        """Seconds since the current child started."""
        return time.monotonic() - self._started_at

    async def start(self) -> int:
        """Start the child.

        Returns:
            Its PID.

        Raises:
            OSError: The command could not be executed.
        """
        private_dir(self.log_path.parent)
        private_dir(self.pid_path.parent)
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE if self.held else asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                preexec_fn=_die_with_parent(),
                process_group=0,
            )
        self._started_at = time.monotonic()
        self.pid_path.write_text(f"{self._process.pid}\n")
        return self._process.pid

    async def release(self) -> None:
        """Let a held child run: write the go line to its standard input and close it."""
        process = self._process
        if process is None or process.stdin is None:
            return
        # A child that died while loading is reported by its exit code, not here.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.write(GO)
            await process.stdin.drain()
            process.stdin.close()

    async def wait(self) -> int:
        """Wait for the current child to exit and forget its PID file.

        Returns:
            Its exit code (negative: killed by that signal).
        """
        assert self._process is not None, "wait() before start()"
        code = await self._process.wait()
        self._forget_pid()
        return code

    async def stop(self, *, timeout_s: float = 10.0) -> int | None:
        """Send the child SIGTERM, and SIGKILL if it has not exited within ``timeout_s``.

        Args:
            timeout_s: How long to wait for a clean exit.

        Returns:
            The exit code, or ``None`` if the child was never started.
        """
        process = self._process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(timeout_s):
                    await process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        self._forget_pid()
        assert process.returncode is not None
        return process.returncode

    def _forget_pid(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            if self._process is not None and self.pid_path.read_text().strip() == str(
                self._process.pid
            ):
                self.pid_path.unlink()
