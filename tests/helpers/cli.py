"""Run the ``onething`` command line as an operator would: a subprocess with the stack's env."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def onething(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout_s: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run ``onething ARGS`` to completion and return what it printed and its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "onething.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def start_onething(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """Start ``onething ARGS`` without waiting; its stdout is a pipe of text lines."""
    return subprocess.Popen(
        [sys.executable, "-m", "onething.cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
