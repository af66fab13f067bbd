"""Events made by the official CloudEvents SDK start cases, in either Kafka content mode.

A plain aiokafka producer sends exactly the key, headers and value the SDK made, to the topic the
event's type belongs to; the real bridge reads them and each case completes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import EVENT_TYPES, case_id
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cloudevents_sdk import Message, core_sdk, v1_pydantic_sdk, v1_sdk
from tests.helpers.kafka import produce_records

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


def _event(bundle: str, seed: int) -> dict[str, Any]:
    if bundle == "death":
        return sample_event("death", seed, place="hospital")
    event = sample_event(bundle, seed)  # type: ignore[arg-type]
    if bundle == "business":
        event["data"]["address_pledge"] = False  # the pledge path waits a week
    return event


#: (bundle, seed, SDK, mode, datacontenttype): every mode of both SDK APIs, across the bundles.
MADE: list[tuple[str, int, Callable[..., Message], str, bool]] = [
    ("newborn", 950, core_sdk, "binary", True),
    ("newborn", 951, core_sdk, "structured", False),
    ("retirement", 952, v1_sdk, "structured", True),
    ("business", 953, v1_sdk, "binary", True),
    ("death", 954, v1_pydantic_sdk, "binary", True),
    ("newborn", 955, v1_pydantic_sdk, "structured", True),
]


async def test_events_from_the_sdk_in_both_modes_each_start_a_case_that_completes(
    stack: Any, client: Client
) -> None:
    cases = []
    for bundle, seed, sdk, mode, datacontenttype in MADE:
        event = _event(bundle, seed)
        key, value, headers = sdk(event, mode, datacontenttype=datacontenttype)
        topic = EVENT_TYPES[event["type"]][0]
        await produce_records(stack.settings.kafka_target, topic, [(key, value, headers)])
        cases.append(case_id(EVENT_TYPES[event["type"]][1], event["subject"]))

    views = await asyncio.gather(*(wait_for_case(client, c, timeout_s=240) for c in cases))

    made = [f"{bundle}/{sdk.__name__}/{mode}" for bundle, _, sdk, mode, _ in MADE]
    statuses = {m: view.status for m, view in zip(made, views, strict=True)}
    assert statuses == dict.fromkeys(made, "completed")
