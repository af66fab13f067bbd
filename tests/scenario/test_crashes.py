"""Nothing lost, nothing twice: SIGKILL a part in the middle of cases; every case completes once.

Each test owns its stack (the shared one must not lose parts). Half the births are published,
the kill lands once police has issued some of their documents while others are in flight (police
is slowed a little to make sure), the other half is published while the part restarts. Exactly
once is checked where it counts: in each department's own database.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest
from temporalio.client import Client

from departments.population import load_population
from events.samples import sample_event
from onething.chaos import (
    case_outcomes,
    department_documents,
    documents_of,
    issued_twice,
    kill_part,
    part_pid,
    wait_closed,
)
from onething.constants import TOPIC_BIRTHS, case_id
from onething.settings import Settings
from onething.temporal_client import connect_temporal
from tests.helpers.departments import set_faults
from tests.helpers.kafka import produce

if TYPE_CHECKING:
    from .conftest import RunningStack, StackLauncher

pytestmark = pytest.mark.scenario

FAMILIES = 1000
CASES = 12
NEWBORN_KINDS = {
    "birth_medical_certificate",
    "vaccination_record",
    "household_registration",
    "medical_insurance_enrollment",
    "social_security_card",
    "infant_care_tax_deduction",
}
#: Cases close within this after the kill: a lost activity waits out its 30 s attempt timeout.
SETTLE_TIMEOUT_S = 150.0


async def _until(condition: Callable[[], Awaitable[bool]], *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g} s: {what}")
        await asyncio.sleep(0.2)


def _births(seeds: range) -> list[dict[str, Any]]:
    population = load_population(FAMILIES)
    return [sample_event("newborn", seed, population) for seed in seeds]


async def _publish(settings: Settings, events: list[dict[str, Any]]) -> None:
    await produce(
        settings.kafka_target,
        TOPIC_BIRTHS,
        [(e["subject"].encode(), json.dumps(e, ensure_ascii=False).encode()) for e in events],
    )


def _police_documents(settings: Settings) -> int:
    return len(department_documents(settings, ["police"]))


@pytest.mark.parametrize("part", ["worker-departments", "bridge", "department-police", "temporal"])
async def test_a_part_killed_mid_case_is_restarted_and_every_case_completes_once(
    part: str, stack_launcher: StackLauncher
) -> None:
    up: RunningStack = stack_launcher(f"crash-{part}", ONETHING_POPULATION_FAMILIES=str(FAMILIES))
    settings = up.settings
    client: Client = await connect_temporal(settings)
    births = _births(range(1, CASES + 1))
    case_ids = [case_id("newborn", event["subject"]) for event in births]
    await set_faults(settings, "police", latency_ms=400)
    began = time.monotonic()

    await _publish(settings, births[: CASES // 2])

    async def police_halfway() -> bool:
        return await asyncio.to_thread(_police_documents, settings) >= 2

    await _until(police_halfway, timeout_s=90, what="police issued some documents")
    still_open = await wait_closed(client, case_ids[: CASES // 2], timeout_s=0)
    assert still_open, "every case had closed before the kill: nothing was in flight"
    killed = kill_part(settings, part)
    killed_at = time.monotonic() - began
    await _publish(settings, births[CASES // 2 :])

    restart_line = f"restarted {part} after exit code -9"

    async def restarted() -> bool:
        return restart_line in up.stderr and part_pid(settings, part) not in (None, killed)

    await _until(restarted, timeout_s=60, what=restart_line)
    open_cases = await wait_closed(client, case_ids, timeout_s=SETTLE_TIMEOUT_S)
    settled_s = time.monotonic() - began
    assert open_cases == set(), f"lost after killing {part}: {sorted(open_cases)}"

    outcomes = await case_outcomes(client, case_ids)
    assert [o.status for o in outcomes] == ["completed"] * CASES
    assert [o.runs for o in outcomes] == [1] * CASES
    assert [o.listed_twice for o in outcomes] == [0] * CASES
    for outcome in outcomes:
        assert set(outcome.kinds) >= NEWBORN_KINDS, outcome.case_id
    records = await asyncio.to_thread(department_documents, settings)
    assert issued_twice(records) == {}
    issued = documents_of(records, case_ids)
    assert {o.case_id: issued[o.case_id] for o in outcomes} == {
        o.case_id: set(o.numbers) for o in outcomes
    }
    print(
        f"\n{part}: killed pid {killed} at {killed_at:.1f} s with {len(still_open)} of "
        f"{CASES // 2} cases in flight; {CASES} completed, {len(records)} documents, "
        f"0 twice; all closed {settled_s:.1f} s after the first event"
    )
