"""One chaos run: a stack, a mix of cases, random SIGKILLs, then the count of what survived."""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from departments.population import load_population
from onething.bench.stack import bench_settings
from onething.chaos.documents import department_documents
from onething.chaos.kills import TARGETS, NotRunningError, choose_part, kill_part, plan_kills
from onething.chaos.outcomes import case_outcomes, wait_closed
from onething.chaos.report import ChaosReport, KillRecord
from onething.chaos.tally import tally
from onething.chaos.workload import ChaosCase, chaos_cases, publish_cases
from onething.settings import Settings
from onething.stack import Stack
from onething.temporal_client import connect_temporal

Progress = Callable[[str], None]
T = TypeVar("T")

#: A pledge is checked this soon in a chaos run's own stack, so pledged cases finish in the run.
PLEDGE_CHECK_AFTER = timedelta(seconds=5)
#: Seeding a full population into six departments on a busy machine takes a while.
STACK_HEALTH_TIMEOUT_S = 300.0
#: The longest the supervisor waits before restarting a part (its backoff's maximum), and more.
RESTART_TIMEOUT_S = 60.0
_RESTART_LINE = "restarted "


def default_timeout_s(cases: int) -> float:
    """How long a run may take from its first event to its last case closed: generous."""
    return 300.0 + 2.0 * cases


def chaos_settings(base: Settings, home: Path) -> Settings:
    """Settings for a stack of the run's own: ``home``, free local ports, a quick pledge check.

    Args:
        base: The settings to start from (population size, timeouts).
        home: A fresh, empty ``ONETHING_HOME``.

    Returns:
        The settings.
    """
    own = bench_settings(base, home)
    return own.model_copy(
        update={"pledge_check_after": min(base.pledge_check_after, PLEDGE_CHECK_AFTER)}
    )


def batches(items: Sequence[T], count: int) -> list[list[T]]:
    """``items`` split in order into ``count`` batches whose sizes differ by at most one."""
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (index < extra)
        out.append(list(items[start:end]))
        start = end
    return out


class _Restarts:
    """The supervisor's notices: counts the restarts, passes every line on."""

    def __init__(self, say: Progress) -> None:
        self.count = 0
        self._say = say
        self._changed = asyncio.Event()

    def notice(self, line: str) -> None:
        if line.startswith(_RESTART_LINE):
            self.count += 1
            self._changed.set()
        self._say(line)

    async def wait_for(self, count: int, *, timeout_s: float) -> None:
        """Wait until ``count`` restarts were reported, or ``timeout_s`` has passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                while self.count < count:
                    self._changed.clear()
                    await self._changed.wait()


class _Chaos:
    """The kill phase of a run: publish a batch, wait, kill a part, publish the next batch."""

    def __init__(self, stack: Stack, *, seed: int, say: Progress) -> None:
        self.stack = stack
        self.settings = stack.settings
        self.seed = seed
        self.say = say
        self.kills: list[KillRecord] = []
        self._rng = random.Random(f"parts-{seed}")

    def kinds(self) -> list[str]:
        """The kinds of part this stack runs itself (an existing Temporal is not ours to kill)."""
        managed = {part.name for part in self.stack.parts if part.managed}
        return [kind for kind, parts in TARGETS.items() if managed.intersection(parts)]

    async def run(self, cases: Sequence[ChaosCase], kills: int, gap_s: tuple[float, float]) -> int:
        started = time.monotonic()
        plan = plan_kills(kills, seed=self.seed, gap_s=gap_s, kinds=self.kinds())
        groups = batches(cases, len(plan) + 1)
        published = await publish_cases(self.settings, groups[0])
        for planned, group in zip(plan, groups[1:], strict=True):
            await asyncio.sleep(planned.after_s)
            self._kill(planned.kind, at_s=time.monotonic() - started)
            published += await publish_cases(self.settings, group)
            self.say(f"published {published}/{len(cases)} cases, {len(self.kills)} kill(s)")
        return published

    def _kill(self, kind: str, *, at_s: float) -> None:
        # A part of that kind may be down already, restarting: then any part that runs will do.
        part = choose_part(self.settings, kind, self._rng)
        for other in self._rng.sample(self.kinds(), k=len(self.kinds())):
            if part is not None:
                break
            part = choose_part(self.settings, other, self._rng)
        if part is None:
            self.say("no part running to kill")
            return
        try:
            pid = kill_part(self.settings, part)
        except NotRunningError:
            self.say(f"{part} exited before it could be killed")
            return
        self.kills.append(KillRecord(at_s=round(at_s, 1), part=part, pid=pid))
        self.say(f"killed {part} (pid {pid}) at {at_s:.1f} s")


async def run_chaos(
    settings: Settings,
    *,
    cases: int,
    kills: int,
    seed: int,
    own_stack: bool = True,
    home: Path | None = None,
    timeout_s: float | None = None,
    gap_s: tuple[float, float] = (2.0, 8.0),
    progress: Progress | None = None,
) -> ChaosReport:
    """Start a stack, drive ``cases`` cases while killing ``kills`` parts, count the outcome.

    Every process the run starts is stopped before it returns, whatever happens.

    Args:
        settings: The settings to start from.
        cases: How many cases (a mix of bundles).
        kills: How many SIGKILLs, at random gaps, of random parts.
        seed: Makes the case order and the kill plan reproducible.
        own_stack: Start the stack with a fresh home and free ports (a temporary home unless
            ``home`` is given); ``False`` starts it exactly as ``settings`` say.
        home: An empty directory for the run's own stack, kept afterwards.
        timeout_s: How long, from the first event, the cases may take to close;
            :func:`default_timeout_s` by default.
        gap_s: The shortest and longest wait before each kill.
        progress: Receives progress lines.

    Returns:
        The report.

    Raises:
        StackError: The stack did not start.
    """
    if cases < 1 or kills < 0:
        raise ValueError("a chaos run needs at least one case and no negative number of kills")
    say: Progress = progress or (lambda _: None)
    restarts = _Restarts(say)
    with tempfile.TemporaryDirectory(prefix="onething-chaos-") as scratch:
        own = chaos_settings(settings, home or Path(scratch) / "home") if own_stack else settings
        stack = Stack(own, report=restarts.notice, health_timeout_s=STACK_HEALTH_TIMEOUT_S)
        say(f"starting a stack in {stack.settings.home}")
        begun = time.monotonic()
        await stack.start()
        try:
            stack_start_s = time.monotonic() - begun
            client = await connect_temporal(stack.settings)
            population = await asyncio.to_thread(
                load_population, stack.settings.population_families
            )
            run_cases = chaos_cases(cases, seed=seed, population=population)
            # Cases of an earlier run on a reused stack started before this; they are not ours.
            since = datetime.now(UTC) - timedelta(seconds=1)
            started = time.monotonic()
            chaos = _Chaos(stack, seed=seed, say=say)
            published = await chaos.run(run_cases, kills, gap_s)
            deadline = started + (timeout_s or default_timeout_s(cases))
            say(f"waiting for {len(run_cases)} cases to close")
            open_cases = await wait_closed(
                client,
                [case.case_id for case in run_cases],
                timeout_s=max(deadline - time.monotonic(), 0.0),
                since=since,
            )
            elapsed_s = time.monotonic() - started
            if open_cases:
                say(f"{len(open_cases)} case(s) still open at the deadline")
            await restarts.wait_for(len(chaos.kills), timeout_s=RESTART_TIMEOUT_S)
            outcomes = await case_outcomes(
                client, [case.case_id for case in run_cases], since=since
            )
            records = await asyncio.to_thread(department_documents, stack.settings)
        finally:
            say("stopping the stack")
            await stack.stop()
    return tally(
        run_cases,
        outcomes,
        records,
        seed=seed,
        published=published,
        kills=chaos.kills,
        restarts=restarts.count,
        elapsed_s=elapsed_s,
        stack_start_s=stack_start_s,
    )
