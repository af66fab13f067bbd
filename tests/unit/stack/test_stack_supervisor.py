"""The supervisor starts stages in order, restarts parts that exit and stops every child.

The parts here are tiny Python children that announce themselves with a ready file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from onething.runfiles import ready_file
from onething.settings import Settings
from onething.stack import BackoffPolicy, Part, PartFailedError, Port, PortInUseError, Stack
from onething.stack.health import ready_file_health

ANNOUNCE_AND_SLEEP = """
import os, pathlib, signal, sys, time
if "--ignore-sigterm" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready = pathlib.Path(os.environ["ONETHING_HOME"], "run", sys.argv[1] + ".ready")
ready.write_text(str(os.getpid()))
time.sleep(120)
"""

FAST = BackoffPolicy(initial_s=0.05, maximum_s=0.2, reset_after_s=60)


def _sleeper(settings: Settings, name: str, *flags: str, **fields: object) -> Part:
    return Part(
        name=name,
        argv=(sys.executable, "-c", ANNOUNCE_AND_SLEEP, name, *flags),
        health=ready_file_health(ready_file(settings, name)),
        **fields,  # type: ignore[arg-type]
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _until(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


async def test_restarts_an_exited_part_and_stops_everything(settings: Settings) -> None:
    set_ups: list[str] = []

    async def set_up() -> None:
        set_ups.append("a")

    notices: list[str] = []
    stack = Stack(
        settings,
        stages=[(_sleeper(settings, "a", set_up=set_up),), (_sleeper(settings, "b"),)],
        backoff=FAST,
        report=notices.append,
    )

    async with stack:
        first = stack.pids()
        assert (stack.run_dir / "a.pid").read_text().strip() == str(first["a"])
        assert set_ups == ["a"]

        os.kill(first["a"], signal.SIGKILL)
        await _until(lambda: set_ups == ["a", "a"])

        assert notices == ["restarted a after exit code -9"]
        second = stack.pids()
        assert second["a"] != first["a"]
        assert second["b"] == first["b"]
        assert (stack.run_dir / "a.pid").read_text().strip() == str(second["a"])
        assert ready_file(settings, "a").read_text() == str(second["a"])

    assert not any(_alive(pid) for pid in [*first.values(), *second.values()])
    assert list(stack.run_dir.iterdir()) == []


async def test_a_part_that_exits_while_starting_fails_the_start(settings: Settings) -> None:
    crash = Part(
        name="crash",
        argv=(sys.executable, "-c", "raise SystemExit(3)"),
        health=ready_file_health(ready_file(settings, "crash")),
    )
    stack = Stack(settings, stages=[(_sleeper(settings, "first"),), (crash,)])
    pids: list[int] = []

    async def start() -> None:
        starting = asyncio.create_task(stack.start())
        await _until(lambda: "first" in stack.pids())
        pids.append(stack.pids()["first"])
        await starting

    with pytest.raises(PartFailedError) as caught:
        await start()

    log = stack.log_dir / "crash.log"
    assert str(caught.value) == f"crash exited with code 3 before becoming healthy; see {log}"
    assert not _alive(pids[0])
    assert stack.pids() == {}


async def test_a_part_that_never_becomes_healthy_times_out(settings: Settings) -> None:
    async def never(pid: int | None) -> bool:
        return False

    silent = Part(
        name="silent", argv=(sys.executable, "-c", "import time; time.sleep(60)"), health=never
    )
    stack = Stack(settings, stages=[(silent,)], health_timeout_s=0.5)

    with pytest.raises(PartFailedError, match=r"^silent did not become healthy within 0.5 s; see "):
        await stack.start()

    assert list(stack.run_dir.iterdir()) == []


async def test_a_child_ignoring_sigterm_is_killed(settings: Settings) -> None:
    stack = Stack(
        settings,
        stages=[(_sleeper(settings, "stubborn", "--ignore-sigterm"),)],
        stop_timeout_s=0.5,
    )
    await stack.start()
    pid = stack.pids()["stubborn"]

    await stack.stop()

    assert not _alive(pid)


async def test_a_taken_port_stops_the_start_before_anything_runs(settings: Settings) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        part = _sleeper(settings, "a", ports=(Port(port, "A service"),))

        with pytest.raises(PortInUseError):
            await Stack(settings, stages=[(part,)]).start()

    assert not settings.home.exists()
