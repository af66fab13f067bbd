"""Statistics over the cases in Temporal: how many, how long they took, what they spared.

Counts and durations come from the visibility store (search attributes, start and close times);
the materials spared come from each case's view, read with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from onething.cases import (
    CaseNotFoundError,
    CaseStuckError,
    CaseSummary,
    case_view,
    list_cases,
    list_query,
)
from workflows.catalogue import load_catalogue, way_taken
from workflows.models import CaseView, MaterialView

#: Case views read at once: enough to be quick, few enough not to crowd a small server.
VIEW_CONCURRENCY = 8


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class BundleDurations(_Model):
    """How long the closed cases of one bundle took, start to close, in seconds.

    A case whose pledge is checked a week after its last document closes only then, so the
    time to the last document (every step done) is counted too, over the views read.
    """

    bundle: str
    closed: int
    p50_s: float | None
    p95_s: float | None
    max_s: float | None
    to_last_document_p50_s: float | None = None
    to_last_document_p95_s: float | None = None


class CaseStats(_Model):
    """The figures of ``onething stats``.

    Attributes:
        generated_at: When they were computed.
        cases: How many cases were counted.
        by_bundle_status: Cases per bundle, then per ``CaseStatus``.
        durations: Per bundle, p50 and p95 of closed cases' durations.
        materials_by_way: Materials spared over all cases read, per way each case actually took
            (by how it obtained the material's fact, not the catalogue's usual way).
        materials_by_bundle: The same per bundle.
        views_read: Cases whose view was read for the materials.
        views_unread: Cases whose view could not be read (their materials are not counted).
    """

    generated_at: datetime
    cases: int
    by_bundle_status: dict[str, dict[str, int]] = Field(default_factory=dict)
    durations: list[BundleDurations] = Field(default_factory=list)
    materials_by_way: dict[str, int] = Field(default_factory=dict)
    materials_by_bundle: dict[str, dict[str, int]] = Field(default_factory=dict)
    views_read: int = 0
    views_unread: int = 0


async def collect_stats(client: Client, *, limit: int = 1000) -> CaseStats:
    """Count the newest ``limit`` cases in Temporal.

    Args:
        client: The Temporal client (with the project's data converter, to read views).
        limit: At most this many cases, newest first.

    Returns:
        The statistics.
    """
    summaries = await list_cases(client, list_query(), limit=limit)
    gate = asyncio.Semaphore(VIEW_CONCURRENCY)

    async def read(case_id: str) -> CaseView | None:
        async with gate:
            try:
                return await case_view(client, case_id)
            except (RPCError, WorkflowQueryFailedError, CaseNotFoundError, CaseStuckError):
                return None

    views = await asyncio.gather(*(read(s.case_id) for s in summaries))
    return compute_stats(summaries, views, now=datetime.now(UTC))


def compute_stats(
    summaries: Sequence[CaseSummary], views: Sequence[CaseView | None], *, now: datetime
) -> CaseStats:
    """The statistics of the listed cases and the views that could be read (None otherwise).

    Args:
        summaries: The cases as listed.
        views: Their views, in the same order, None where unreadable.
        now: The moment of the figures.

    Returns:
        The statistics.
    """
    by_bundle_status: dict[str, Counter[str]] = defaultdict(Counter)
    took: dict[str, list[float]] = defaultdict(list)
    for summary in summaries:
        bundle = summary.bundle or "unknown"
        by_bundle_status[bundle][summary.status or "unknown"] += 1
        if summary.started_at and summary.closed_at:
            took[bundle].append((summary.closed_at - summary.started_at).total_seconds())
    by_way: Counter[str] = Counter()
    by_bundle_way: dict[str, Counter[str]] = defaultdict(Counter)
    read = [view for view in views if view is not None]
    to_documents: dict[str, list[float]] = defaultdict(list)
    for view in read:
        if view.started_at and view.steps_done_at:
            seconds = (view.steps_done_at - view.started_at).total_seconds()
            to_documents[view.bundle].append(seconds)
    for view in read:
        for material in view.materials:
            if material.applies:
                way = _way_taken(view, material)
                by_way[way] += 1
                by_bundle_way[view.bundle][way] += 1
    return CaseStats(
        generated_at=now,
        cases=len(summaries),
        by_bundle_status={b: dict(sorted(c.items())) for b, c in sorted(by_bundle_status.items())},
        durations=[
            BundleDurations(
                bundle=bundle,
                closed=len(took[bundle]),
                p50_s=percentile(took[bundle], 50),
                p95_s=percentile(took[bundle], 95),
                max_s=max(took[bundle], default=None),
                to_last_document_p50_s=percentile(to_documents[bundle], 50),
                to_last_document_p95_s=percentile(to_documents[bundle], 95),
            )
            for bundle in sorted(by_bundle_status)
        ],
        materials_by_way=dict(by_way.most_common()),
        materials_by_bundle={b: dict(c.most_common()) for b, c in sorted(by_bundle_way.items())},
        views_read=len(read),
        views_unread=len(views) - len(read),
    )


def _way_taken(view: CaseView, material: MaterialView) -> str:
    """The way the case took, also for views recorded before they said so themselves."""
    listed = {m.id: m for m in load_catalogue().for_bundle(view.bundle)}.get(material.id)
    if listed is None or listed.fact is None:
        return material.way
    record = next((f for f in view.facts if f.name == listed.fact), None)
    return way_taken(listed, record.way) if record else material.way


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile by nearest rank (an observed value), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]
