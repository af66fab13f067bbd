"""Scenario fixtures: ``onething up`` as a subprocess on free ports with a fresh home.

``stack`` is one stack shared by the whole session; ``stack_launcher`` starts further ones for
tests that must own theirs (e.g. to stop it).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest

from onething.constants import DEPARTMENTS
from onething.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "onething ready"
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
#: Ports below Linux's ephemeral range, so no outgoing connection takes one before it is bound.
PORT_RANGE = (20_000, 32_000)

_handed_out: set[int] = set()


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int = 1) -> int:
    """The first of ``count`` consecutive free ports, none handed out before in this session."""
    for _ in range(1000):
        first = random.randrange(PORT_RANGE[0], PORT_RANGE[1] - count)
        block = range(first, first + count)
        if _handed_out.isdisjoint(block) and all(_bindable(port) for port in block):
            _handed_out.update(block)
            return first
    raise RuntimeError(f"no {count} consecutive free ports in {PORT_RANGE}")


def up_command() -> list[str]:
    """How to run ``onething up``: the console script beside Python when installed."""
    script = Path(sys.executable).parent / "onething"
    if script.is_file():
        return [str(script), "up"]
    return [sys.executable, "-c", "from onething.cli import app; app()", "up"]


def stack_environment(home: Path, **overrides: str) -> dict[str, str]:
    """The environment of an ``onething up`` of its own: fresh home, free ports.

    Args:
        home: The stack's ``ONETHING_HOME``.
        **overrides: ``ONETHING_*`` variables to set instead of the chosen ones.

    Returns:
        The full environment; other ``ONETHING_*`` variables of this process are dropped.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONETHING_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(
        ONETHING_HOME=str(home),
        ONETHING_LOCAL_TEMPORAL_PORT=str(free_ports()),
        ONETHING_LOCAL_UI_PORT=str(free_ports()),
        ONETHING_LOCAL_KAFKA_PORT=str(free_ports()),
        ONETHING_LOCAL_CODEC_PORT=str(free_ports()),
        ONETHING_LOCAL_WEB_PORT=str(free_ports()),
        ONETHING_DEPARTMENTS_BASE_PORT=str(free_ports(len(DEPARTMENTS))),
        ONETHING_POPULATION_FAMILIES=os.environ.get("ONETHING_POPULATION_FAMILIES", "12000"),
    )
    env.update(overrides)
    return env


@dataclass
class RunningStack:
    """An ``onething up`` subprocess.

    Attributes:
        env: Its environment.
        settings: The settings its parts read from that environment.
        process: The ``onething up`` process.
        stdout: The lines it printed so far.
        stderr_path: Where its stderr goes.
    """

    env: dict[str, str]
    settings: Settings
    process: subprocess.Popen[str]
    stderr_path: Path
    stdout: list[str] = field(default_factory=list)
    _settled: threading.Event = field(default_factory=threading.Event)

    @property
    def home(self) -> Path:
        """Its ``ONETHING_HOME``."""
        return self.settings.home

    @property
    def stderr(self) -> str:
        """What it wrote to stderr so far."""
        return self.stderr_path.read_text()

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Wait for ``onething ready``; fail with its stderr if it exits or takes too long."""
        self._settled.wait(timeout_s)
        if READY_LINE in self.stdout:
            return
        try:
            code: int | None = self.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        self.kill()
        outcome = f"exited with {code}" if code is not None else f"not ready in {timeout_s:g} s"
        pytest.fail(f"onething up {outcome}; stderr:\n{self.stderr}", pytrace=False)

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """Send SIGTERM and wait for the exit code (SIGKILL and fail if it takes too long)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"onething up did not stop within {timeout_s:g} s", pytrace=False)

    def kill(self) -> None:
        """SIGKILL it (its children follow by PR_SET_PDEATHSIG)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.append(line.rstrip("\n"))
            if line.strip() == READY_LINE:
                self._settled.set()
        # At EOF it will never become ready; wake the waiter so it reports the exit at once.
        self._settled.set()


def launch_stack(home: Path, **overrides: str) -> RunningStack:
    """Start ``onething up`` with a fresh ``home`` and free ports, without waiting for it.

    Args:
        home: The stack's ``ONETHING_HOME`` (created if missing).
        **overrides: ``ONETHING_*`` variables to set instead of the chosen ones.

    Returns:
        The running stack; call :meth:`RunningStack.wait_ready` next.
    """
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = stack_environment(home, **overrides)
    with mock.patch.dict(os.environ, env, clear=True):
        settings = Settings()
    stderr_path = home.parent / f"{home.name}.up.stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            up_command(),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    running = RunningStack(env=env, settings=settings, process=process, stderr_path=stderr_path)
    threading.Thread(target=running._read_stdout, name="onething-up-stdout", daemon=True).start()
    return running


class StackLauncher:
    """Starts stacks of their own for tests, and kills whatever a test left running."""

    def __init__(self, base: Path) -> None:
        """Put each stack's home under ``base``."""
        self._base = base
        self._launched: list[RunningStack] = []

    def __call__(self, name: str = "home", *, wait: bool = True, **overrides: str) -> RunningStack:
        """Start ``onething up`` in ``<base>/<name>``; wait for ``onething ready`` if ``wait``."""
        running = launch_stack(self._base / name, **overrides)
        self._launched.append(running)
        if wait:
            running.wait_ready()
        return running

    def kill_all(self) -> None:
        """SIGKILL every stack still running."""
        for running in self._launched:
            running.kill()


@pytest.fixture
def stack_launcher(tmp_path: Path) -> Iterator[StackLauncher]:
    """Start an ``onething up`` of a test's own: ``stack_launcher()`` returns it once ready."""
    launcher = StackLauncher(tmp_path)
    yield launcher
    launcher.kill_all()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """One ``onething up`` shared by the session, ready; stopped by SIGTERM at the end.

    Yields ``RunningStack``: ``.env`` (its environment), ``.settings`` (the ``Settings`` its
    parts use: ``temporal_target``, ``kafka_target``, ``department_url(d)``...), ``.process``.
    """
    running = launch_stack(tmp_path_factory.mktemp("onething-stack") / "home")
    try:
        running.wait_ready()
        yield running
    finally:
        code = running.stop()
    assert code == 0, f"onething up exited with {code}; stderr:\n{running.stderr}"
