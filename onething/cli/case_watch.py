"""``onething case ID --watch``: follow a running case until it closes.

On a terminal the whole case is redrawn in place (rich Live) from the ``status`` query about
once a second. Piped or in a log, a line is printed whenever the case moves on, and the full
case once it has closed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Group
from rich.live import Live
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from onething.cases import (
    CaseNotFoundError,
    CaseStuckError,
    TimelineEntry,
    case_events,
    case_view,
    timeline,
)
from onething.cli.case_render import progress_line, render_case
from onething.cli.console import console
from onething.cli.times import local_time
from onething.settings import Settings
from workflows.models import CaseView


class WatchTimeoutError(TimeoutError):
    """The case was still open when the watch's time was up."""


@dataclass(frozen=True)
class Snapshot:
    """One look at a case.

    Attributes:
        view: The case view (the last good one if the case did not answer this time).
        entries: Its timeline.
        closed: Whether the workflow has closed.
        note: Why the view may be stale, if it is.
    """

    view: CaseView
    entries: list[TimelineEntry]
    closed: bool
    note: str | None = None


async def watch_case(
    client: Client,
    case_id: str,
    *,
    settings: Settings,
    timeout_s: float | None = None,
    interval_s: float = 1.0,
) -> CaseView:
    """Show ``case_id`` until it closes, refreshing every ``interval_s``.

    Args:
        client: The Temporal client.
        case_id: The case.
        settings: For the Web UI link.
        timeout_s: Give up after this long; never when None.
        interval_s: Time between looks.

    Returns:
        The final case view.

    Raises:
        CaseNotFoundError: No such case.
        WatchTimeoutError: Still open after ``timeout_s``.
    """
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    snapshot = await _look(client, case_id, None)
    if console.is_terminal:
        # The live frame is compact and vanishes at the end, replaced by the whole case as it
        # last stood (also on a timeout or Ctrl-C).
        try:
            with Live(
                _frame(snapshot, settings, compact=True),
                console=console,
                refresh_per_second=4,
                transient=True,
            ) as live:
                while not snapshot.closed:
                    await _pause(deadline, interval_s, snapshot)
                    snapshot = await _look(client, case_id, snapshot)
                    live.update(_frame(snapshot, settings, compact=True))
        finally:
            console.print(_frame(snapshot, settings))
        return snapshot.view
    shown = _line_key(snapshot)
    console.print(_line(snapshot), markup=False)
    while not snapshot.closed:
        await _pause(deadline, interval_s, snapshot)
        snapshot = await _look(client, case_id, snapshot)
        if _line_key(snapshot) != shown:
            shown = _line_key(snapshot)
            console.print(_line(snapshot), markup=False)
    console.print(_frame(snapshot, settings))
    return snapshot.view


async def _look(client: Client, case_id: str, last: Snapshot | None) -> Snapshot:
    handle = client.get_workflow_handle(case_id)
    try:
        try:
            description = await handle.describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise CaseNotFoundError(case_id) from None
            raise
        closed = description.status != WorkflowExecutionStatus.RUNNING
        view = await case_view(client, case_id)
        entries = sorted(await timeline(client, case_id) + case_events(view), key=lambda e: e.at)
    except RPCError as err:
        if last is None:
            raise
        # A workflow task that is failing or being retried cannot answer queries; keep the
        # last view on screen and say why, rather than stop watching.
        note = f"the case did not answer at {local_time(datetime.now(UTC))}: {err.message}"
        return Snapshot(view=last.view, entries=last.entries, closed=False, note=note)
    except CaseStuckError as err:
        if last is None:
            raise
        stuck = err.summary.stuck
        assert stuck is not None
        note = f"stuck: workflow task failing: {stuck.failure_type}: {stuck.message}"
        return Snapshot(view=last.view, entries=last.entries, closed=False, note=note)
    return Snapshot(view=view, entries=entries, closed=closed)


async def _pause(deadline: float | None, interval_s: float, snapshot: Snapshot) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise WatchTimeoutError(f"the case is still {snapshot.view.status}")
    wait = interval_s if deadline is None else min(interval_s, deadline - time.monotonic())
    await asyncio.sleep(max(wait, 0.0))


def _frame(snapshot: Snapshot, settings: Settings, *, compact: bool = False) -> Group:
    return render_case(
        snapshot.view, snapshot.entries, settings=settings, note=snapshot.note, compact=compact
    )


def _line_key(snapshot: Snapshot) -> tuple[object, ...]:
    view = snapshot.view
    return (
        view.status,
        tuple((s.name, s.state) for s in view.steps),
        tuple(view.waiting_on),
        len(view.documents),
        snapshot.note is not None,
    )


def _line(snapshot: Snapshot) -> str:
    line = (
        f"{local_time(datetime.now(UTC))}  {snapshot.view.case_id}  {progress_line(snapshot.view)}"
    )
    running = [s.name for s in snapshot.view.steps if s.state == "running"]
    if running:
        line += f"  running {', '.join(running)}"
    if snapshot.note:
        line += f"  ({snapshot.note})"
    return line
