"""Materials are counted by the way each case actually took, not the catalogue's usual way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from temporalio.testing import WorkflowEnvironment

from events.samples import sample_event
from tests.helpers.temporal import start_time_skipping_temporal
from tests.unit.workflows import recording


@pytest.fixture(scope="module")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_time_skipping_temporal()
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.mark.parametrize(
    ("may_pledge", "way"), [(False, "department_verification"), (True, "commitment")]
)
async def test_the_address_counts_as_the_way_the_case_obtained_it(
    ts_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch, may_pledge: bool, way: str
) -> None:
    monkeypatch.setitem(recording.FACT_VALUES, "may_pledge", may_pledge)
    monkeypatch.setitem(recording.FACT_VALUES, "address_exists", True)
    event = sample_event("business", 31 if may_pledge else 32)
    assert event["data"]["address_pledge"]
    async with AsyncExitStack() as stack:
        await recording.workers(ts_env.client, stack)
        view = await (await recording.start(ts_env.client, event, changes=True)).result()

    assert view.status == "completed", view.failure
    address = next(m for m in view.materials if m.id == "address_proof")
    basis = next(f for f in view.facts if f.name == "address_basis")
    assert (basis.way, address.way, address.applies) == (way, way, True)
