"""How ``onething case`` draws one case: for a single look, and frame by frame with ``--watch``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from onething.cases import CaseSummary, TimelineEntry
from onething.cli.times import age, local_time, time_left
from onething.settings import Settings
from workflows.models import CaseView

if TYPE_CHECKING:
    from onething.dead_letters import DeadLetterEntry

STATE_STYLE = {
    "done": "green",
    "running": "yellow",
    "pending": "dim",
    "skipped": "cyan",
    "failed": "red",
    "not_run": "dim",
}
_BAR_WIDTH = 24
#: Timeline entries a live screen shows: the latest ones.
_LIVE_TIMELINE = 6


def render_case(
    view: CaseView,
    entries: list[TimelineEntry],
    *,
    settings: Settings,
    now: datetime | None = None,
    note: str | None = None,
    compact: bool = False,
    dead_letters: Sequence[DeadLetterEntry] = (),
) -> Group:
    """Everything about a case an operator looks at, as one renderable.

    Args:
        view: The case view.
        entries: Its timeline.
        settings: For the Web UI link.
        now: The moment ages and times left are measured from (the current time when None).
        note: A line to show under the header, e.g. why the view may be stale.
        compact: Fit a live screen: leave out the facts and materials, and show only the
            latest moments of the timeline.
        dead_letters: The case's dead letters: corrections that came after it closed.

    Returns:
        The header, steps, waits, pledge checks, documents, facts, materials spared, operator
        actions, timeline and Web UI link; empty sections are left out.
    """
    now = now or datetime.now(UTC)
    parts: list[RenderableType] = [_header(view, now)]
    if note:
        parts.append(Text(note, style="yellow"))
    if view.failure:
        at = f" at {view.failure.step}" if view.failure.step else ""
        parts.append(Text.assemble((view.failure.type, "red"), f"{at}: {view.failure.message}"))
    if view.pledge_check_pending and view.pledge_check_due:
        parts.append(
            Text(
                "every document is out; only the pledge check is still to come, due "
                f"{local_time(view.pledge_check_due)} ({time_left(view.pledge_check_due, now)})",
                style="cyan",
            )
        )
    parts.append(_steps(view))
    if view.retrying:
        parts.append(_retrying(view, now))
    if view.waits:
        parts.append(_waits(view, now))
    if view.checks:
        parts.append(_checks(view, now))
    parts.append(_documents(view))
    if not compact:
        parts.append(_facts(view))
        parts.append(Text(f"the citizen supplied: {', '.join(view.citizen_inputs)}"))
        if view.materials:
            parts.append(_materials(view))
    if view.actions:
        parts.append(_actions(view))
    if view.corrections or dead_letters:
        parts.append(_corrections(view, dead_letters))
    parts.append(_timeline(entries[-_LIVE_TIMELINE:] if compact else entries))
    namespace = settings.temporal_namespace
    parts.append(Text(f"Web UI: {settings.ui_url}/namespaces/{namespace}/workflows/{view.case_id}"))
    return Group(*parts)


def render_stuck(
    summary: CaseSummary, entries: list[TimelineEntry], *, settings: Settings
) -> Group:
    """A case whose workflow task keeps failing: what Temporal knows of it, and what fails.

    Args:
        summary: The case as listed, with ``summary.stuck`` set.
        entries: Its timeline.
        settings: For the Web UI link.

    Returns:
        The header, what fails (type, message, attempts, since when), timeline and Web UI link.
    """
    stuck = summary.stuck
    assert stuck is not None
    title = Text.assemble(
        (summary.case_id, "bold"),
        f"  bundle {summary.bundle or '?'}  status {summary.status or '?'}  ",
        ("STUCK", "bold red"),
    )
    failing = Text.assemble(
        ("workflow task failing: ", "red"),
        (stuck.failure_type, "bold red"),
        f": {stuck.message}" if stuck.message else "",
        f"  ({stuck.attempts} attempts since {local_time(stuck.since)})",
    )
    hint = Text(
        "The case cannot answer queries or go on until the cause is fixed and the worker "
        "redeployed; it resumes by itself then.",
        style="dim",
    )
    namespace = settings.temporal_namespace
    link = Text(f"Web UI: {settings.ui_url}/namespaces/{namespace}/workflows/{summary.case_id}")
    return Group(title, failing, hint, _timeline(entries), link)


def progress_line(view: CaseView) -> str:
    """One line of where the case stands, e.g. ``running  steps 3/8  waiting on police``."""
    done = sum(1 for s in view.steps if s.state in ("done", "skipped"))
    line = f"{view.status}  steps {done}/{len(view.steps)}"
    if view.waiting_on:
        line += f"  waiting on {', '.join(view.waiting_on)}"
    return line


def _header(view: CaseView, now: datetime) -> Group:
    done = sum(1 for s in view.steps if s.state in ("done", "skipped"))
    title = Text.assemble(
        (view.case_id, "bold"),
        f"  bundle {view.bundle}  status ",
        (view.status, "bold"),
        f"  steps {done}/{len(view.steps)}",
    )
    if view.waiting_on:
        title.append(f"  waiting on {', '.join(view.waiting_on)}")
    lines: list[RenderableType] = [title]
    if view.started_at:
        timing = f"started {local_time(view.started_at)}"
        if view.steps_done_at and view.checks:
            timing += f", last document after {age(view.started_at, view.steps_done_at)}"
        if view.finished_at:
            timing += f", closed {local_time(view.finished_at)} after "
            timing += age(view.started_at, view.finished_at)
        else:
            timing += f", {age(view.started_at, now)} ago"
        if view.sla_deadline and not view.finished_at:
            timing += f"; SLA {time_left(view.sla_deadline, now)}"
        if view.sla_breached:
            timing += " (SLA breached)"
        lines.append(Text(timing, style="red" if view.sla_breached else ""))
    if view.steps:
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=len(view.steps), completed=done, width=_BAR_WIDTH), f"{done} done"
        )
        lines.append(bar)
    return Group(*lines)


def _steps(view: CaseView) -> Table:
    steps = Table("step", "department", "state", "needs", "gives", "note", title="steps")
    for step in view.steps:
        style = STATE_STYLE.get(step.state, "")
        steps.add_row(
            step.name,
            step.department,
            Text(step.state, style=style),
            ", ".join(step.needs),
            ", ".join(step.gives),
            step.note or "",
        )
    return steps


def _retrying(view: CaseView, now: datetime) -> Table:
    retries = Table(
        "step",
        "department",
        "attempts",
        "last error",
        "failing since",
        "next try",
        title="retrying: department down or slow",
    )
    for retry in view.retrying:
        retries.add_row(
            retry.step,
            retry.department,
            str(retry.attempts),
            Text(f"{retry.error_type}: {retry.error_message}", style="red"),
            local_time(retry.first_failed_at),
            time_left(retry.next_try_at, now),
        )
    return retries


def _elapsed_bar(start: datetime, end: datetime, now: datetime, *, late: bool) -> ProgressBar:
    total = max((end - start).total_seconds(), 1.0)
    elapsed = min(max((now - start).total_seconds(), 0.0), total)
    style = "red" if late else "yellow"
    return ProgressBar(
        total=total,
        completed=elapsed,
        width=_BAR_WIDTH,
        complete_style=style,
        finished_style="red",
    )


def _waits(view: CaseView, now: datetime) -> Table:
    waits = Table(
        "step", "waiting on", "kind", "opened", "deadline", "time left", "", title="pending waits"
    )
    for wait in view.waits:
        late = wait.breached or now > wait.deadline
        waits.add_row(
            wait.step,
            wait.provider,
            wait.kind,
            local_time(wait.opened_at),
            local_time(wait.deadline),
            Text(time_left(wait.deadline, now), style="red" if late else ""),
            _elapsed_bar(wait.opened_at, wait.deadline, now, late=late),
        )
    return waits


def _checks(view: CaseView, now: datetime) -> Table:
    checks = Table("step", "checked by", "due", "outcome", "", title="pledge checks")
    for check in view.checks:
        if check.outcome == "pending":
            outcome = Text(f"pending, due {time_left(check.due_at, now)}")
            opened = view.started_at or now
            bar: RenderableType = _elapsed_bar(opened, check.due_at, now, late=False)
        elif check.outcome == "withdrawn":
            outcome, bar = Text("withdrawn: the case stopped", style="dim"), ""
        else:
            kept = check.outcome == "true"
            outcome = Text(
                "pledge kept" if kept else "pledge false", style="green" if kept else "red"
            )
            bar = ""
        checks.add_row(check.step, check.department, local_time(check.due_at), outcome, bar)
    return checks


def _documents(view: CaseView) -> Table:
    documents = Table("document", "department", "number", "issued", "revoked", title="documents")
    for doc in view.documents:
        documents.add_row(
            doc.kind,
            doc.department,
            doc.number,
            local_time(doc.issued_at),
            Text(local_time(doc.revoked_at), style="red"),
        )
    return documents


def _facts(view: CaseView) -> Table:
    facts = Table("fact", "from", "way", "step", title="facts")
    for fact in view.facts:
        facts.add_row(fact.name, fact.source, fact.way, fact.step or "")
    return facts


def _materials(view: CaseView) -> Table:
    spared = [m for m in view.materials if m.applies]
    by_way = Counter(m.way for m in spared)
    caption = ", ".join(f"{way} {count}" for way, count in sorted(by_way.items()))
    materials = Table(
        "material",
        "held by",
        "replaced by",
        "step",
        title=f"materials spared: {len(spared)} of {len(view.materials)}",
        caption=caption,
    )
    for material in spared:
        materials.add_row(
            f"{material.name_en} ({material.name_zh})",
            material.held_by,
            material.way,
            material.step or "",
        )
    return materials


def _actions(view: CaseView) -> Table:
    actions = Table("at", "operator", "action", "step", "reason", title="operator actions")
    for action in view.actions:
        actions.add_row(
            local_time(action.at), action.operator, action.action, action.step or "", action.reason
        )
    return actions


def _corrections(view: CaseView, dead_letters: Sequence[DeadLetterEntry]) -> Table:
    corrections = Table("received", "outcome", "fields", "why", title="later events (corrections)")
    for correction in view.corrections:
        outcome = correction.outcome
        style = {"applied": "green", "rejected": "red"}.get(outcome, "")
        corrections.add_row(
            local_time(correction.received_at),
            Text(outcome, style=style),
            ", ".join(correction.fields),
            correction.reason,
        )
    for letter in dead_letters:
        _, _, why = letter.detail.partition("; ")
        corrections.add_row(
            local_time(letter.dead_lettered_at),
            Text("rejected (dead-lettered)", style="red"),
            "",
            why or letter.detail,
        )
    return corrections


def _timeline(entries: list[TimelineEntry]) -> Table:
    history = Table("at", "event", "detail", title="timeline")
    for entry in entries:
        history.add_row(local_time(entry.at), entry.event, entry.detail)
    return history
