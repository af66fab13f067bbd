"""Records the bridge cannot take hold nothing up: each is dead-lettered once, the next completes.

Through the real stack: a plain aiokafka producer (as a hospital's would be, with its request limit
raised so the broker gets to judge 8 MB records) sends each bad record keyed like the good event
after it, so both land in the same partition, the bad one first.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from typing import Any

import pytest
from aiokafka import TopicPartition
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import BRIDGE_GROUP_ID, TOPIC_BIRTHS, TOPIC_DEAD_LETTERS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import committed_offset, produce_records, read_all_values

pytestmark = pytest.mark.scenario

MB = 1024 * 1024
Headers = list[tuple[str, bytes | None]]


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


def padded(event: dict[str, Any], size: int) -> bytes:
    """The event as JSON with a pad field that brings it to ``size`` bytes."""
    event = dict(event, padding="")
    base = len(json.dumps(event).encode())
    event["padding"] = "p" * (size - base)
    return json.dumps(event).encode()


def binary_headers(event: dict[str, Any]) -> Headers:
    """The event's attributes as binary-mode ``ce_`` headers."""
    return [(f"ce_{name}", str(value).encode()) for name, value in event.items() if name != "data"]


def poison(seed: int) -> list[tuple[str, bytes, Headers, str]]:
    """Each bad kind: (name, value, headers, expected reason), built from an event of ``seed``."""
    event = sample_event("newborn", seed)
    data = json.dumps(event["data"]).encode()
    return [
        ("1 MB event", padded(event, 1 * MB), [], "too_large"),
        ("8 MB event", padded(event, 8 * MB), [], "too_large"),
        ("nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000, [], "too_deep"),
        (
            "event nested 10,000 deep in its data",
            json.dumps(dict(event, data="D"))
            .encode()
            .replace(b'"D"', b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
            [],
            "too_deep",
        ),
        ("not UTF-8", b"\xff\xfe\x00{", [], "not_utf8"),
        ("a number Python will not read", b"1" * 5000, [], "not_json"),
        (
            "content-type not UTF-8",
            json.dumps(event).encode(),
            [("content-type", b"\xff")],
            "bad_headers",
        ),
        (
            "content-type without a value",
            json.dumps(event).encode(),
            [("content-type", None)],
            "bad_headers",
        ),
        (
            "content-type twice",
            json.dumps(event).encode(),
            [("content-type", b"application/json"), ("content-type", b"text/xml")],
            "bad_headers",
        ),
        (
            "content-type of 1 MB",
            json.dumps(event).encode(),
            [("content-type", b"a" * MB)],
            "bad_headers",
        ),
        (
            "binary mode, ce_id twice",
            data,
            [*binary_headers(event), ("ce_id", b"x")],
            "bad_headers",
        ),
        (
            "binary mode, ce_subject without a value",
            data,
            [*[h for h in binary_headers(event) if h[0] != "ce_subject"], ("ce_subject", None)],
            "bad_headers",
        ),
        (
            "binary mode, an extension not UTF-8",
            data,
            [*binary_headers(event), ("ce_hospitalref", b"\xc3\x28")],
            "bad_headers",
        ),
    ]


ODD_BUT_HARMLESS: Headers = [
    ("x-trace", b"\xff\xfe"),
    ("x-trace", None),
    ("x-trace", b"again"),
    ("x-huge", b"h" * MB),
    ("ce_ignored-in-structured-mode", b"\xff"),
]


async def wait_committed_past(bootstrap: str, last: dict[TopicPartition, int]) -> None:
    """Wait until the bridge's group has committed past each partition's last offset here."""
    deadline = time.monotonic() + 120
    for tp, offset in last.items():
        while (committed := await committed_offset(bootstrap, BRIDGE_GROUP_ID, tp) or 0) <= offset:
            assert time.monotonic() < deadline, f"{tp} committed to {committed}, not past {offset}"
            await asyncio.sleep(0.5)


async def test_poison_records_are_dead_lettered_once_and_good_events_after_them_complete(
    stack: Any, client: Client
) -> None:
    bootstrap = stack.settings.kafka_target
    kinds = poison(900)
    records = []
    goods = []
    for number, (_, value, headers, _) in enumerate(kinds):
        good = sample_event("newborn", 901 + number)
        goods.append(good)
        key = good["subject"].encode()
        records.append((key, value, headers))
        records.append((key, json.dumps(good, ensure_ascii=False).encode(), ODD_BUT_HARMLESS))
    placed = await produce_records(bootstrap, TOPIC_BIRTHS, records)

    views = await asyncio.gather(
        *(wait_for_case(client, f"newborn-{g['subject']}", timeout_s=240) for g in goods)
    )
    assert [view.status for view in views] == ["completed"] * len(goods)

    last: dict[TopicPartition, int] = {}
    for partition, offset in placed:
        tp = TopicPartition(TOPIC_BIRTHS, partition)
        last[tp] = max(last.get(tp, -1), offset)
    await wait_committed_past(bootstrap, last)

    bad_places = placed[0::2]
    letters = [json.loads(v) for v in await read_all_values(bootstrap, TOPIC_DEAD_LETTERS)]
    ours = [
        letter
        for letter in letters
        if letter["source_topic"] == TOPIC_BIRTHS
        and (letter["partition"], letter["offset"]) in set(placed)
    ]
    written = Counter((letter["partition"], letter["offset"]) for letter in ours)
    assert written == Counter(bad_places), "each bad record exactly one dead letter, no good one"
    by_place = {(letter["partition"], letter["offset"]): letter for letter in ours}
    limit = stack.settings.dead_letter_max_original_bytes
    for (name, value, _, reason), place in zip(kinds, bad_places, strict=True):
        letter = by_place[place]
        assert letter["reason"] == reason, name
        assert letter["size"] == len(value), name
        assert letter["sha256"] == hashlib.sha256(value).hexdigest(), name
        assert letter["original_truncated"] is (len(value) > limit), name
