"""Health checks shared by several parts, and the loop that waits for one to pass."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import httpx

from onething.stack.parts import HealthCheck

#: The longest a single health probe may take before it counts as "not yet".
PROBE_TIMEOUT_S = 5.0
POLL_INTERVAL_S = 0.25


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
    """A check that ``GET url`` answers 200.

    Args:
        url: The health endpoint.

    Returns:
        The health check.
    """

    async def check(pid: int | None) -> bool:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S) as client:
            response = await client.get(url)
        return response.status_code == httpx.codes.OK

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
    timeout_s: float,
    returncode: Callable[[], int | None] = lambda: None,
) -> None:
    """Poll ``check`` until it passes.

    Args:
        check: The part's health check.
        pid: The PID of the part's process, or ``None`` for an existing service.
        timeout_s: How long to keep trying.
        returncode: The exit code of the part's process, ``None`` while it runs.

    Raises:
        TimeoutError: The check did not pass within ``timeout_s``.
        PartExitedError: The process exited first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        remaining = deadline - loop.time()
        if await _probe(check, pid, min(PROBE_TIMEOUT_S, max(remaining, 0.1))):
            return
        code = returncode()
        if code is not None:
            raise PartExitedError(code)
        if loop.time() >= deadline:
            raise TimeoutError
        await asyncio.sleep(POLL_INTERVAL_S)


async def _probe(check: HealthCheck, pid: int | None, timeout_s: float) -> bool:
    # Any failure of a probe (refused, reset, half-started server) means "not yet".
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout_s):
            return await check(pid)
    return False
