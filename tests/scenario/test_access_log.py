"""``onething access-log``: every read of a person's data, from every department that holds it."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS
from onething.crypto.scope import SCOPE_HEADER, scope_header, sign_scope
from onething.crypto.tokens import department_token
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cli import onething
from tests.helpers.kafka import produce_event

pytestmark = pytest.mark.scenario


def reads_of(stack: Any, id_number: str) -> list[dict[str, Any]]:
    answered = onething(stack.env, "access-log", id_number, "--json")
    assert answered.returncode == 0, answered.stderr
    reads: list[dict[str, Any]] = json.loads(answered.stdout)["reads"]
    return reads


async def test_a_newborn_case_shows_every_read_of_the_mothers_data_and_no_other(
    stack: Any,
) -> None:
    event = sample_event("newborn", 4949)
    case_id = f"newborn-{event['subject']}"
    mother = event["data"]["mother"]["id_number"]
    before = reads_of(stack, mother)

    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(await connect_temporal(stack.settings), case_id, timeout_s=120)
    after = reads_of(stack, mother)
    shown = onething(stack.env, "access-log", mother)

    assert view.status == "completed"
    new = after[: len(after) - len(before)]
    assert after[len(new) :] == before, "a recorded read changed or vanished"
    assert {read["case_id"] for read in new} == {case_id}
    # The reads the newborn steps make of the mother's data, department by department.
    police_fact = (
        "household_membership" if event["data"]["household_parent"] == "mother" else "identity"
    )
    assert {(read["held_by"], read["fact"]) for read in new} == {
        ("civil_affairs", "marital_status"),  # parents_marriage
        ("police", police_fact),  # household_registration
        ("social_security", "insurance_status"),  # maternity_benefit
        ("tax", "taxpayer_status"),  # infant_care_tax_deduction
    }
    assert all(read["purpose"].strip() for read in after)
    assert all(read["requested_by"] in {"police", "social_security", "tax"} for read in new)
    times = [datetime.fromisoformat(read["at"]) for read in after]
    assert times == sorted(times, reverse=True)
    assert view.started_at is not None
    assert view.finished_at is not None
    assert all(view.started_at <= at <= view.finished_at for at in times[: len(new)])
    assert shown.returncode == 0, shown.stderr
    assert case_id in shown.stdout
    assert f"{len(after)} read(s) of this person's data" in shown.stdout
    assert mother not in shown.stdout + shown.stderr


def test_a_malformed_id_number_is_refused_without_being_echoed(stack: Any) -> None:
    refused = onething(stack.env, "access-log", "330702199001011234")

    assert refused.returncode == 2
    assert "ID_NUMBER" in refused.stderr
    assert "330702199001011234" not in refused.stderr


async def test_once_a_case_closes_its_scope_opens_nothing_at_the_departments(
    stack: Any,
) -> None:
    event = sample_event("newborn", 5252)
    case_id = f"newborn-{event['subject']}"
    mother = event["data"]["mother"]["id_number"]
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(await connect_temporal(stack.settings), case_id, timeout_s=120)
    assert view.status == "completed"
    # A scope of this very case, correctly signed: only the closure can make it useless.
    scope = scope_header(sign_scope(stack.settings, case_id, [mother]))
    token = department_token(stack.settings, "tax")
    query = {"case_id": case_id, "requested_by": "tax", "id_number": mother}

    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(300):
            answer = await http.post(
                f"{stack.settings.department_url('police')}/identity-records",
                json=query,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": uuid.uuid4().hex,
                    SCOPE_HEADER: scope,
                },
            )
            if answer.status_code != 200:
                break
            await asyncio.sleep(0.1)

    assert answer.status_code == 403
    assert answer.json() == {"error": "outside_case_scope", "detail": "the case is closed"}
