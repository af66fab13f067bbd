"""``python -m departments.serve``: ready file once listening, clean exit on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from onething.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "the department exited before it was ready"
        assert time.monotonic() < deadline, "the department did not become ready"
        time.sleep(0.02)


def test_serve_writes_ready_file_and_stops_cleanly(settings: Settings) -> None:
    port = _free_port()
    ready = settings.home / "run" / "department-health.ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "departments.serve", "--department", "health", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(ready, process)
        assert ready.read_text().strip() == str(process.pid)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        assert health.json() == {"status": "ok", "department": "health"}

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not ready.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
