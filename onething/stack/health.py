"""Health checks shared by several parts, and the loop that waits for one to pass."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from onething.stack.parts import HealthCheck
from onething.stack.progress import ProgressWatch

#: The longest a single health probe may take before it counts as "not yet".
PROBE_TIMEOUT_S = 5.0
POLL_INTERVAL_S = 0.25


class PartStalledError(Exception):
    """The part made no progress for the stall timeout before its health check passed."""

    def __init__(self, activity: str) -> None:
        """Record what the part was last doing.

        Args:
            activity: What it last reported, or its last log line.
        """
        self.activity = activity
        super().__init__(f"stalled while {activity}")


class PartExitedError(Exception):
    """The part's process exited before its health check passed."""

    def __init__(self, returncode: int) -> None:
        """Record the exit code.

        Args:
            returncode: The process's exit code (negative: killed by that signal).
        """
        self.returncode = returncode
        super().__init__(f"exited with code {returncode}")


def http_health(url: str) -> HealthCheck:
    """A check that ``GET url`` (plain HTTP) answers 200.

    Each probe is one short HTTP/1.0 request on a new connection: a full HTTP client would
    cost the supervisor more CPU per probe than the part it probes, on a busy machine too.

    Args:
        url: The health endpoint, ``http://host:port/path``.

    Returns:
        The health check.
    """
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    request = f"GET {parsed.path or '/'} HTTP/1.0\r\nHost: {parsed.netloc}\r\n\r\n".encode("ascii")

    async def check(pid: int | None) -> bool:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        parts = status_line.split()
        return len(parts) >= 2 and parts[1] == b"200"

    return check


def ready_file_health(path: Path) -> HealthCheck:
    """A check that the part's ready file exists and holds the PID of its process.

    Args:
        path: The ready file (see :func:`onething.runfiles.ready_file`).

    Returns:
        The health check.
    """

    async def check(pid: int | None) -> bool:
        try:
            content = await asyncio.to_thread(path.read_text)
            return content.strip() == str(pid)
        except FileNotFoundError:
            return False

    return check


async def wait_healthy(
    check: HealthCheck,
    *,
    pid: int | None,
    watch: ProgressWatch,
    stall_timeout_s: float,
    timeout_s: float | None = None,
    returncode: Callable[[], int | None] = lambda: None,
) -> None:
    """Poll ``check`` until it passes, for as long as the part keeps making progress.

    Args:
        check: The part's health check.
        pid: The PID of the part's process, or ``None`` for an existing service.
        watch: Tells whether the part made progress since the last poll.
        stall_timeout_s: How long the part may go without progress.
        timeout_s: How long to keep trying in all, progress or not; None for no limit.
        returncode: The exit code of the part's process, ``None`` while it runs.

    Raises:
        PartStalledError: The part made no progress for ``stall_timeout_s``.
        TimeoutError: The check did not pass within ``timeout_s``.
        PartExitedError: The process exited first.
    """
    loop = asyncio.get_running_loop()
    started = last_progress = loop.time()
    while True:
        if await _probe(check, pid, min(PROBE_TIMEOUT_S, stall_timeout_s)):
            return
        code = returncode()
        if code is not None:
            raise PartExitedError(code)
        now = loop.time()
        if watch.poll():
            last_progress = now
        elif now - last_progress >= stall_timeout_s:
            raise PartStalledError(watch.last_activity)
        if timeout_s is not None and now - started >= timeout_s:
            raise TimeoutError
        await asyncio.sleep(POLL_INTERVAL_S)


async def _probe(check: HealthCheck, pid: int | None, timeout_s: float) -> bool:
    # Any failure of a probe (refused, reset, half-started server) means "not yet".
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout_s):
            return await check(pid)
    return False
