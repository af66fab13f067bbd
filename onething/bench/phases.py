"""The two timed runs of a bench: onething's cases from Kafka, and the bare baseline."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from temporalio.client import Client

from departments.population import load_population
from events.kafka import new_producer
from events.samples import sample_event
from onething.bench.baseline_models import (
    BASELINE_TASK_QUEUE,
    BASELINE_WORKFLOW,
    BaselineInput,
    BaselineStep,
)
from onething.bench.feed import feed
from onething.bench.timing import Closed, HistoryStats, closed_workflows, history_stats, wait_closed
from onething.constants import EVENT_TYPES, Bundle, case_id
from onething.settings import Settings

Progress = Callable[[str], None]
BUNDLE: Bundle = "newborn"
#: Starts in flight at once for the baseline: what the bridge does with one full batch.
BASELINE_START_CONCURRENCY = 200


@dataclass(frozen=True)
class RunResult:
    """What one timed run measured.

    Attributes:
        cases: How many workflows it ran.
        completed: How many ended as they should.
        elapsed_s: From the first hand-over to the last close.
        latencies_s: From hand-over to close, one per workflow.
        history: The history of the first workflow.
    """

    cases: int
    completed: int
    elapsed_s: float
    latencies_s: tuple[float, ...]
    history: HistoryStats


def summarise(
    handed_over: Mapping[str, float], closed: Sequence[Closed]
) -> tuple[float, list[float]]:
    """The elapsed time of a run and each workflow's latency.

    Args:
        handed_over: When each workflow was handed over (seconds since the epoch), by ID.
        closed: The closed workflows; those not handed over in this run are ignored.

    Returns:
        The time from the first hand-over to the last close, and the latencies in seconds.

    Raises:
        ValueError: None of ``closed`` was handed over in this run.
    """
    ours = [c for c in closed if c.workflow_id in handed_over]
    if not ours:
        raise ValueError("no workflow of this run has closed")
    latencies = [c.closed_at - handed_over[c.workflow_id] for c in ours]
    elapsed = max(c.closed_at for c in ours) - min(handed_over.values())
    return elapsed, latencies


async def _finish(
    client: Client,
    workflow_type: str,
    handed_over: Mapping[str, float],
    *,
    case: bool,
    timeout_s: float,
    progress: Progress | None,
) -> RunResult:
    await wait_closed(
        client, workflow_type, len(handed_over), timeout_s=timeout_s, progress=progress
    )
    closed = await closed_workflows(client, workflow_type, case=case)
    elapsed, latencies = summarise(handed_over, closed)
    return RunResult(
        cases=len(handed_over),
        completed=sum(1 for c in closed if c.ok and c.workflow_id in handed_over),
        elapsed_s=elapsed,
        latencies_s=tuple(latencies),
        history=await history_stats(client, next(iter(handed_over))),
    )


@dataclass(frozen=True)
class BirthRecord:
    """A birth event ready to publish, and the case it will start."""

    case_id: str
    topic: str
    key: bytes
    value: bytes


def birth_records(settings: Settings, cases: int) -> list[BirthRecord]:
    """``cases`` sample birth events with distinct case keys (seeds 0 to ``cases - 1``).

    Seeds past the population's size wrap to its families again, under new case keys.
    """
    population = load_population(settings.population_families)
    records: list[BirthRecord] = []
    for seed in range(cases):
        event = sample_event(BUNDLE, seed, population)
        topic, bundle = EVENT_TYPES[event["type"]]
        subject = event["subject"]
        value = json.dumps(event, ensure_ascii=False).encode()
        records.append(BirthRecord(case_id(bundle, subject), topic, subject.encode(), value))
    return records


async def run_onething(
    settings: Settings,
    client: Client,
    records: Sequence[BirthRecord],
    *,
    window: int,
    timeout_s: float,
    progress: Progress | None = None,
) -> RunResult:
    """Publish birth events to Kafka and time each newborn case until it closes.

    Args:
        settings: The stack's settings.
        client: A client of the stack's Temporal.
        records: The events (see :func:`birth_records`).
        window: The most cases in flight (see :mod:`onething.bench.feed`).
        timeout_s: How long the cases may take to close.
        progress: Receives progress lines.

    Returns:
        The run's measurements.
    """
    deadline = time.monotonic() + timeout_s
    handed_over: dict[str, float] = {}
    producer = new_producer(settings)
    await producer.start()

    async def publish(indexes: range) -> None:
        deliveries = []
        for record in (records[i] for i in indexes):
            handed_over[record.case_id] = time.time()
            deliveries.append(await producer.send(record.topic, record.value, key=record.key))
        await asyncio.gather(*deliveries)

    try:
        await feed(
            client,
            BUNDLE,
            len(records),
            publish,
            window=window,
            timeout_s=timeout_s,
            progress=progress,
        )
    finally:
        await producer.stop()
    if progress is not None:
        progress(f"{BUNDLE}: published {len(records)} events")
    return await _finish(
        client,
        BUNDLE,
        handed_over,
        case=True,
        timeout_s=max(deadline - time.monotonic(), 1.0),
        progress=progress,
    )


async def run_baseline(
    client: Client,
    cases: int,
    steps: tuple[BaselineStep, ...],
    *,
    window: int,
    timeout_s: float,
    progress: Progress | None = None,
) -> RunResult:
    """Start baseline workflows directly and time each until it closes.

    Args:
        client: A client of the stack's Temporal.
        cases: How many workflows.
        steps: The shape of each (see :func:`~onething.bench.baseline_models.baseline_steps`).
        window: The most workflows in flight (see :mod:`onething.bench.feed`).
        timeout_s: How long they may take to close.
        progress: Receives progress lines.

    Returns:
        The run's measurements.
    """
    deadline = time.monotonic() + timeout_s
    ids = [f"{BASELINE_WORKFLOW}-{i:08d}" for i in range(cases)]
    handed_over: dict[str, float] = {}
    gate = asyncio.Semaphore(BASELINE_START_CONCURRENCY)

    async def start(workflow_id: str) -> None:
        # Timed from before the queue for a start slot, as an event is timed from its publishing
        # and not from when the bridge gets to it.
        handed_over[workflow_id] = time.time()
        async with gate:
            await client.start_workflow(
                BASELINE_WORKFLOW,
                BaselineInput(case_id=workflow_id, steps=steps),
                id=workflow_id,
                task_queue=BASELINE_TASK_QUEUE,
            )

    async def start_all(indexes: range) -> None:
        await asyncio.gather(*(start(ids[i]) for i in indexes))

    await feed(
        client,
        BASELINE_WORKFLOW,
        cases,
        start_all,
        window=window,
        timeout_s=timeout_s,
        progress=progress,
    )
    if progress is not None:
        progress(f"{BASELINE_WORKFLOW}: started {cases} workflows")
    ordered = {workflow_id: handed_over[workflow_id] for workflow_id in ids}
    return await _finish(
        client,
        BASELINE_WORKFLOW,
        ordered,
        case=False,
        timeout_s=max(deadline - time.monotonic(), 1.0),
        progress=progress,
    )
