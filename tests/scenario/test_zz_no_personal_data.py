"""No personal data where it is not encrypted: proven against everything the scenarios left.

Named to run last in this folder, after every other scenario test has sent its people through
the shared stack. The people are whoever the input topics hold (ID numbers, names, phone
numbers); none of them may appear in Temporal's database files, in any log of the stack, in a
workflow ID or search attribute, or on the case-updates topic. Payloads in Temporal's database
are encrypted, so a plain-text hit there means the codec was bypassed.
"""

from __future__ import annotations

from typing import Any

import pytest

from events.samples import sample_event
from onething.constants import INPUT_TOPICS, TOPIC_BIRTHS, TOPIC_CASE_UPDATES
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce_event, read_all_values
from tests.helpers.personal_data import found_in, found_in_files, people_in, people_in_records

pytestmark = pytest.mark.scenario


async def test_no_personal_data_outside_encrypted_payloads(stack: Any) -> None:
    bootstrap = stack.settings.kafka_target
    client = await connect_temporal(stack.settings)
    # One case of this test's own, so it has people to look for even when run alone; how it
    # ends does not matter here, only that it went through every part of the stack.
    event = sample_event("newborn", 4242)
    await produce_event(bootstrap, TOPIC_BIRTHS, event)
    await wait_for_case(client, f"newborn-{event['subject']}", timeout_s=180)

    people: set[str] = set()
    for topic in INPUT_TOPICS:
        people |= people_in_records(await read_all_values(bootstrap, topic))
    assert people_in(event) <= people

    home = stack.settings.home
    findings = found_in_files(
        [*sorted(home.glob("temporal.db*")), *sorted((home / "logs").glob("*.log"))], people
    )
    workflows = [w async for w in client.list_workflows()]
    assert workflows, "the stack holds no cases to check"
    for workflow in workflows:
        listed = workflow.raw_info.SerializeToString() + workflow.id.encode()
        hits = found_in(listed, people)
        if hits:
            findings[f"workflow {workflow.id}: ID or search attributes"] = hits
    updates = await read_all_values(bootstrap, TOPIC_CASE_UPDATES)
    hits = found_in(b"\n".join(updates), people)
    if hits:
        findings[TOPIC_CASE_UPDATES] = hits

    assert (home / "temporal.db").is_file()
    assert findings == {}, f"personal data outside encrypted payloads: {sorted(findings)}"
