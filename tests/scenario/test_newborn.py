"""The newborn bundle end to end: a hospital's Kafka event, the real Temporal server and broker."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS, TOPIC_CASE_UPDATES, TOPIC_DEAD_LETTERS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce, produce_event, read_until

pytestmark = pytest.mark.scenario

NEWBORN_DOCUMENTS = {
    "birth_medical_certificate": "health",
    "vaccination_record": "health",
    "household_registration": "police",
    "medical_insurance_enrollment": "social_security",
    "social_security_card": "social_security",
    "infant_care_tax_deduction": "tax",
}
EVENT_FACTS = ["hospital", "child", "mother", "father", "household_parent"]


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def test_a_birth_event_completes_the_newborn_case(stack: Any, client: Client) -> None:
    event = sample_event("newborn", 101)
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)

    view = await wait_for_case(client, f"newborn-{event['subject']}", timeout_s=120)

    assert view.status == "completed"
    issued = {d.kind: d.department for d in view.documents}
    assert {k: issued.get(k) for k in NEWBORN_DOCUMENTS} == NEWBORN_DOCUMENTS
    assert set(issued) - set(NEWBORN_DOCUMENTS) <= {"maternity_benefit"}
    assert issued.get("maternity_benefit", "social_security") == "social_security"
    assert view.citizen_inputs == EVENT_FACTS
    assert all(f.source != "event" for f in view.facts if f.name not in EVENT_FACTS)
    marriage = next(f for f in view.facts if f.name == "parents_marriage")
    assert (marriage.source, marriage.way) == ("civil_affairs", "data_query")


async def test_maternity_benefit_follows_the_mothers_insurance(stack: Any, client: Client) -> None:
    from departments.population import load_population

    population = load_population(stack.settings.population_families)
    insured = next(i for i, f in enumerate(population.families) if f.mother.insurance is not None)
    uninsured = next(i for i, f in enumerate(population.families) if f.mother.insurance is None)
    kinds = {}
    for seed in (insured, uninsured):
        event = sample_event("newborn", seed, population)
        await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
        view = await wait_for_case(client, f"newborn-{event['subject']}", timeout_s=120)
        assert view.status == "completed"
        kinds[seed] = {d.kind for d in view.documents}
    assert "maternity_benefit" in kinds[insured]
    assert "maternity_benefit" not in kinds[uninsured]


async def test_an_event_published_five_times_gives_one_case(stack: Any, client: Client) -> None:
    event = sample_event("newborn", 202)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event, times=5)

    view = await wait_for_case(client, case_id, timeout_s=120)
    # Give the bridge time to have seen every copy: the case-updates topic must hold one start.
    updates = await read_until(
        stack.settings.kafka_target,
        TOPIC_CASE_UPDATES,
        lambda records: any(
            r["subject"] == case_id and r["type"] == "onething.case.completed" for r in records
        ),
    )

    runs = [w async for w in client.list_workflows(f"WorkflowId = '{case_id}'")]
    assert len(runs) == 1
    kinds = [d.kind for d in view.documents]
    assert len(kinds) == len(set(kinds))
    started = [
        r for r in updates if r["subject"] == case_id and r["type"] == "onething.case.started"
    ]
    assert len(started) == 1
    history = await client.get_workflow_handle(case_id).fetch_history()
    scheduled = [
        e for e in history.events if e.HasField("activity_task_scheduled_event_attributes")
    ]
    names = [e.activity_task_scheduled_event_attributes.activity_type.name for e in scheduled]
    department_steps = [n for n in names if not n.startswith("case_updates.")]
    assert len(department_steps) == len(set(department_steps)) == 8


async def test_bad_input_is_dead_lettered_and_the_next_good_event_goes_on(
    stack: Any, client: Client
) -> None:
    bootstrap = stack.settings.kafka_target
    not_json = b"this is not json at all"
    bad_digit = sample_event("newborn", 303)
    good_number = bad_digit["data"]["mother"]["id_number"]
    bad_digit["data"]["mother"]["id_number"] = good_number[:17] + (
        "0" if good_number[17] != "0" else "1"
    )
    bad_bytes = json.dumps(bad_digit, ensure_ascii=False).encode()
    good = sample_event("newborn", 304)
    await produce(
        bootstrap, TOPIC_BIRTHS, [(b"junk-1", not_json), (bad_digit["subject"].encode(), bad_bytes)]
    )
    await produce_event(bootstrap, TOPIC_BIRTHS, good)

    view = await wait_for_case(client, f"newborn-{good['subject']}", timeout_s=120)
    assert view.status == "completed"

    def both_there(records: list[dict[str, Any]]) -> bool:
        originals = {base64.b64decode(r["original_base64"]) for r in records}
        return not_json in originals and bad_bytes in originals

    letters = await read_until(bootstrap, TOPIC_DEAD_LETTERS, both_there)
    by_original = {base64.b64decode(r["original_base64"]): r for r in letters}
    assert by_original[not_json]["reason"] == "not_json"
    assert by_original[bad_bytes]["reason"] == "invalid_event"
    assert "check digit" in by_original[bad_bytes]["detail"]
    for letter in (by_original[not_json], by_original[bad_bytes]):
        assert letter["source_topic"] == TOPIC_BIRTHS
        assert letter["offset"] >= 0
        assert letter["partition"] >= 0
    runs = [
        w async for w in client.list_workflows(f"WorkflowId = 'newborn-{bad_digit['subject']}'")
    ]
    assert runs == []
