"""The cases a chaos run drives: a seeded mix of bundles, published by a plain producer."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from departments.population import Population
from events.kafka import new_producer
from events.publisher import publish_lines
from events.samples import sample_event
from onething.constants import EVENT_TYPES, Bundle, case_id
from onething.settings import Settings

#: The mix: each kind of case is as likely as the next. A business application either pledges
#: its address (checked after ``pledge_check_after``) or has it verified by police.
MIX: Final[tuple[str, ...]] = ("newborn", "retirement", "death", "business", "business-pledge")


@dataclass(frozen=True, slots=True)
class ChaosCase:
    """One case of the run: what kind it is, its case ID and the event that starts it."""

    kind: str
    case_id: str
    event: dict[str, Any]

    def line(self) -> str:
        """The event as one line of JSON, as ``onething publish`` reads it."""
        return json.dumps(self.event, ensure_ascii=False)


def _event(kind: str, seed: int, population: Population) -> dict[str, Any]:
    if kind == "death":
        # A death at home waits for a police officer; the run needs no person to answer.
        return sample_event("death", seed, population, place="hospital")
    if kind.startswith("business"):
        event = sample_event("business", seed, population)
        event["data"]["address_pledge"] = kind == "business-pledge"
        return event
    bundle: Bundle = "newborn" if kind == "newborn" else "retirement"
    return sample_event(bundle, seed, population)


def chaos_cases(count: int, *, seed: int, population: Population) -> list[ChaosCase]:
    """``count`` cases of the mix, in a seeded order, each with its own case key.

    Args:
        count: How many cases.
        seed: Makes the order reproducible.
        population: The population the stack's departments were seeded with.

    Returns:
        The cases in the order to publish them.
    """
    rng = random.Random(f"cases-{seed}")
    kinds = [MIX[i % len(MIX)] for i in range(count)]
    rng.shuffle(kinds)
    # Both kinds of business share one seed counter: the seed gives the case key.
    next_seed: dict[str, int] = {}
    cases = []
    for kind in kinds:
        counter = "business" if kind.startswith("business") else kind
        event_seed = next_seed.get(counter, 1)
        next_seed[counter] = event_seed + 1
        event = _event(kind, event_seed, population)
        bundle = EVENT_TYPES[event["type"]][1]
        cases.append(ChaosCase(kind=kind, case_id=case_id(bundle, event["subject"]), event=event))
    return cases


async def publish_cases(settings: Settings, cases: Sequence[ChaosCase]) -> int:
    """Publish the cases' events, each to its topic, keyed by its subject.

    Args:
        settings: Where Kafka is.
        cases: The cases to start.

    Returns:
        How many events the broker acknowledged.
    """
    producer = new_producer(settings)
    await producer.start()
    try:
        report = await publish_lines(producer, (case.line() for case in cases))
    finally:
        await producer.stop()
    return report.published
