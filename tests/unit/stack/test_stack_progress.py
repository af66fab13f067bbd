"""The supervisor follows progress, not a deadline: slow parts that move start; stuck ones fail.

The parts are tiny Python children that write progress lines and a ready file on cue.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onething.runfiles import progress_file, ready_file
from onething.settings import Settings
from onething.stack import Part, PartFailedError, Stack
from onething.stack.health import ready_file_health
from onething.stack.progress import ProgressWatch
from onething.stack.supervisor import _depths, _needs

#: A part that reports ``steps`` progress lines ``pause`` seconds apart, then (unless told to
#: hang) announces itself ready and sleeps.
STEPPER = """
import os, pathlib, sys, time
name, steps, pause, then = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
run = pathlib.Path(os.environ["ONETHING_HOME"], "run")
run.mkdir(parents=True, exist_ok=True)
for step in range(1, steps + 1):
    (run / (name + ".progress.tmp")).write_text(f"step {step} of {steps}\\n")
    (run / (name + ".progress.tmp")).replace(run / (name + ".progress"))
    time.sleep(pause)
if then == "log-and-hang":
    print("waiting for a server that never answers", flush=True)
if then == "ready":
    (run / (name + ".ready")).write_text(str(os.getpid()))
time.sleep(120)
"""


def _stepper(
    settings: Settings,
    name: str,
    *,
    steps: int,
    pause: float,
    then: str = "ready",
    **fields: object,
) -> Part:
    return Part(
        name=name,
        argv=(sys.executable, "-c", STEPPER, name, str(steps), str(pause), then),
        health=ready_file_health(ready_file(settings, name)),
        progress_file=progress_file(settings, name),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


async def test_a_slow_part_that_keeps_reporting_outlives_the_stall_timeout(
    settings: Settings,
) -> None:
    seen: list[tuple[str, str]] = []
    slow = _stepper(settings, "slow", steps=8, pause=0.25)
    stack = Stack(
        settings,
        stages=[(slow,)],
        stall_timeout_s=1.0,
        progress=lambda part, text: seen.append((part, text)),
    )

    async with stack:
        assert "slow" in stack.pids()

    *steps, last = [text for part, text in seen if part == "slow"]
    numbers = [int(text.removeprefix("step ").removesuffix(" of 8")) for text in steps]
    assert len(numbers) >= 3, "progress lines were not passed on"
    assert numbers == sorted(set(numbers))
    assert last.startswith("ready in ")
    assert stack.timings["slow"].took_s >= 8 * 0.25
    assert not progress_file(settings, "slow").exists(), "the progress file outlived the part"


async def test_a_part_that_stops_reporting_fails_naming_what_it_was_doing(
    settings: Settings,
) -> None:
    stuck = _stepper(settings, "stuck", steps=2, pause=0.05, then="hang")
    stack = Stack(settings, stages=[(stuck,)], stall_timeout_s=0.6)

    with pytest.raises(PartFailedError) as caught:
        await stack.start()

    log = stack.log_dir / "stuck.log"
    assert str(caught.value) == (
        "stuck made no progress for 0.6 s (ONETHING_STALL_TIMEOUT); "
        f"it was last step 2 of 2; see {log}"
    )
    assert stack.pids() == {}


async def test_a_silent_part_is_named_with_its_last_log_line(settings: Settings) -> None:
    quiet = Part(
        name="quiet",
        argv=(sys.executable, "-c", STEPPER, "quiet", "0", "0", "log-and-hang"),
        health=ready_file_health(ready_file(settings, "quiet")),
    )
    stack = Stack(settings, stages=[(quiet,)], stall_timeout_s=0.6)

    with pytest.raises(PartFailedError, match="its log last said: waiting for a server that never"):
        await stack.start()


async def test_the_stall_timeout_comes_from_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONETHING_STALL_TIMEOUT", "PT2.5S")

    assert Stack(Settings(), stages=[]).stall_timeout_s == 2.5
    assert Stack(settings, stages=[]).stall_timeout_s == 60.0


async def test_a_part_starts_as_soon_as_the_parts_it_names_are_healthy(
    settings: Settings,
) -> None:
    slow = _stepper(settings, "slow", steps=6, pause=0.2)
    quick = _stepper(settings, "quick", steps=1, pause=0.0)
    independent = _stepper(settings, "independent", steps=1, pause=0.0, after=())
    after_quick = _stepper(settings, "after-quick", steps=1, pause=0.0, after=("quick",))
    after_all = _stepper(settings, "after-all", steps=1, pause=0.0)
    stack = Stack(
        settings,
        stages=[(slow, quick), (independent, after_quick, after_all)],
        stall_timeout_s=5.0,
    )

    async with stack:
        timings = stack.timings

    assert timings["independent"].started_s < timings["slow"].ready_s
    assert timings["after-quick"].started_s >= timings["quick"].ready_s
    assert timings["after-quick"].started_s < timings["slow"].ready_s
    assert timings["after-all"].started_s >= timings["slow"].ready_s


def test_needs_follow_after_or_the_stages_before() -> None:
    async def never(pid: int | None) -> bool:
        return False

    a, b = Part(name="a", health=never), Part(name="b", health=never, after=())
    c, d = Part(name="c", health=never), Part(name="d", health=never, after=("b",))

    needs = _needs([(a, b), (c, d)])

    assert needs == {"a": (), "b": (), "c": ("a", "b"), "d": ("b",)}
    assert _depths(needs) == {"a": 0, "b": 0, "c": 1, "d": 1}
    with pytest.raises(ValueError, match=r"part x needs \['nowhere'\]"):
        _needs([(Part(name="x", health=never, after=("nowhere",)),)])


def test_the_watch_counts_new_lines_and_log_output_as_progress(tmp_path: Path) -> None:
    progress, log = tmp_path / "p.progress", tmp_path / "p.log"
    said: list[str] = []
    watch = ProgressWatch(progress_path=progress, log_path=log, on_text=said.append)

    assert watch.poll() is False
    assert watch.last_activity == "starting, with nothing reported"
    log.write_text("listening soon\n")
    assert watch.poll() is True
    assert watch.last_activity == "its log last said: listening soon"
    progress.write_text("copying the police template\n")
    assert watch.poll() is True
    assert watch.poll() is False
    assert said == ["copying the police template"]
    assert watch.last_activity == "copying the police template"

    watch.restart()

    assert not progress.exists()
    assert watch.poll() is False


async def test_an_existing_service_that_never_answers_is_named(settings: Settings) -> None:
    async def never(pid: int | None) -> bool:
        await asyncio.sleep(0)
        return False

    remote = Part(name="temporal", health=never, description="Temporal at 10.0.0.5:7233")
    stack = Stack(settings, stages=[(remote,)], stall_timeout_s=0.5)

    with pytest.raises(PartFailedError, match=r"^Temporal at 10.0.0.5:7233 did not answer within"):
        await stack.start()


#: A module for ``onething.prestart``: its import is marked in a file, its run as __main__ too.
PRESTARTED = """
import os, pathlib, sys, time
run = pathlib.Path(os.environ["ONETHING_HOME"], "run")
run.mkdir(parents=True, exist_ok=True)
if __name__ != "__main__":
    (run / "loaded").write_text(str(time.time()))
else:
    (run / "ran").write_text(" ".join(sys.argv[1:]))
    (run / "held.ready").write_text(str(os.getpid()))
    time.sleep(120)
"""


async def test_a_prestarted_part_loads_at_once_and_runs_once_its_needs_are_healthy(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "held_part.py").write_text(PRESTARTED)
    monkeypatch.setenv("PYTHONPATH", f"{modules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    slow = _stepper(settings, "slow", steps=6, pause=0.25)
    held = Part(
        name="held",
        argv=(sys.executable, "-m", "onething.prestart", "held_part", "--part", "held"),
        health=ready_file_health(ready_file(settings, "held")),
        after=("slow",),
        prestart=True,
    )
    stack = Stack(settings, stages=[(slow,), (held,)], stall_timeout_s=5.0)
    run = settings.home / "run"

    async with stack:
        loaded_at = float((run / "loaded").read_text())
        ran_with = (run / "ran").read_text()
        slow_ready_at = time.time() - (stack._now() - stack.timings["slow"].ready_s)

    assert loaded_at < slow_ready_at, "the held part did not load while its need started"
    assert ran_with == "--part held"
    assert stack.timings["held"].started_s < stack.timings["slow"].ready_s


def test_prestart_without_the_go_line_does_not_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "onething.prestart", "json.tool"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 1
    assert done.stdout == b""
