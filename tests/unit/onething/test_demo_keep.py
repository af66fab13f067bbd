"""``onething demo --keep``: the stack stays up after the cases until told to stop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from onething.cli import demo as demo_cli
from onething.demo import DemoCase
from onething.settings import Settings, get_settings


class FakeStack:
    """Records whether the demo started and stopped it."""

    instances: ClassVar[list[FakeStack]] = []

    def __init__(self, settings: Settings, **_: Any) -> None:
        self.settings = settings
        self.started = self.stopped = False
        FakeStack.instances.append(self)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[asyncio.Event]:
    ran = asyncio.Event()

    async def run_demo(settings: Settings) -> list[DemoCase]:
        ran.set()
        return []

    FakeStack.instances.clear()
    monkeypatch.setenv("ONETHING_HOME", str(tmp_path))
    # The demo sets it only where unset; set here, it is restored after the test.
    monkeypatch.setenv("ONETHING_PLEDGE_CHECK_AFTER", "PT10S")
    monkeypatch.setattr(demo_cli, "Stack", FakeStack)
    monkeypatch.setattr(demo_cli, "run_demo", run_demo)
    get_settings.cache_clear()
    yield ran
    get_settings.cache_clear()


async def test_keep_leaves_the_stack_running_until_stopped(
    fakes: asyncio.Event, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = asyncio.Event()
    demo = asyncio.create_task(demo_cli._demo(keep=True, stop=stop))
    await fakes.wait()
    for _ in range(10):
        await asyncio.sleep(0)

    (stack,) = FakeStack.instances
    running = stack.started and not stack.stopped and not demo.done()
    stop.set()
    await demo

    assert running
    assert stack.stopped
    printed = capsys.readouterr().out
    assert "/dept/police" in printed
    assert "the stack keeps running" in printed


async def test_without_keep_the_stack_stops_after_the_cases() -> None:
    await demo_cli._demo()

    (stack,) = FakeStack.instances
    assert stack.started
    assert stack.stopped
