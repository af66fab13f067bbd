"""Retirement, death and business end to end from Kafka events, on the shared stack."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import retirement_then_death, sample_event
from onething.constants import EVENT_TYPES, Bundle, case_id
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.departments import set_faults
from tests.helpers.kafka import produce_event
from workflows.models import CaseView

pytestmark = pytest.mark.scenario

EXPECTED = {
    "retirement": {
        "pension_approval": "social_security",
        "retiree_medical_insurance": "social_security",
        "pension_income_registration": "tax",
        "senior_citizen_card": "civil_affairs",
    },
    "death": {
        "death_medical_certificate": "health",
        "household_cancellation": "police",
        "funeral_registration": "civil_affairs",
        "funeral_allowance": "social_security",
        "medical_insurance_termination": "social_security",
        "deceased_tax_settlement": "tax",
    },
    "business": {
        "business_license": "market_regulation",
        "seal_registration": "police",
        "tax_registration": "tax",
        "employer_social_security_registration": "social_security",
    },
}
CITIZEN_INPUTS = {
    "retirement": ["person", "retirement_date", "kind"],
    "death": ["deceased", "died_at", "place", "informant"],
    "business": ["company", "legal_representative", "address_pledge", "employees"],
}


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


async def publish(stack: Any, event: dict[str, Any]) -> str:
    topic, bundle = EVENT_TYPES[event["type"]]
    await produce_event(stack.settings.kafka_target, topic, event)
    return case_id(bundle, event["subject"])


async def wait_until(client: Client, case: str, condition: Any, timeout_s: float = 60) -> CaseView:
    handle = client.get_workflow_handle(case)
    for _ in range(int(timeout_s / 0.2)):
        try:
            view: CaseView = await handle.query("status", result_type=CaseView)
        except Exception:  # not started yet
            await asyncio.sleep(0.2)
            continue
        if condition(view):
            return view
        await asyncio.sleep(0.2)
    raise AssertionError(f"{case} never reached the expected state")


@pytest.mark.parametrize("bundle", ["retirement", "death", "business"])
async def test_each_bundle_completes_from_its_event(
    stack: Any, client: Client, bundle: Bundle
) -> None:
    if bundle == "death":
        event = sample_event(bundle, 11, place="hospital")
    else:
        event = sample_event(bundle, 11)
    if bundle == "business":
        event["data"]["address_pledge"] = False  # the pledge path waits a week; see test_pledges
    view = await wait_for_case(client, await publish(stack, event), timeout_s=120)

    assert view.status == "completed", view.failure
    issued = {d.kind: d.department for d in view.documents}
    assert {k: issued.get(k) for k in EXPECTED[bundle]} == EXPECTED[bundle]
    assert len({d.department for d in view.documents}) >= 3
    assert view.citizen_inputs == CITIZEN_INPUTS[bundle]
    assert all(f.source != "event" for f in view.facts if f.name not in CITIZEN_INPUTS[bundle])


async def test_next_of_kin_come_from_police_data_not_from_the_family(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 12, place="hospital")
    view = await wait_for_case(client, await publish(stack, event), timeout_s=120)
    kin = next(f for f in view.facts if f.name == "next_of_kin")
    assert (kin.source, kin.way) == ("police", "data_query")
    assert "next_of_kin" not in view.citizen_inputs


async def test_a_death_at_home_waits_for_police_and_an_operator_answers(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 13, place="home")
    case = await publish(stack, event)
    view = await wait_until(client, case, lambda v: bool(v.waits))
    assert view.status == "waiting-department"
    assert view.waiting_on == ["police"]
    assert view.documents == []  # nothing before the police have confirmed the death

    answered = subprocess.run(
        [
            sys.executable,
            "-m",
            "onething.cli",
            "answer",
            case,
            "death_verification",
            "--operator",
            "officer-0571",
            "--reason",
            "visited the home with the community doctor",
        ],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answered.returncode == 0, answered.stderr
    assert "accepted" in answered.stdout

    view = await wait_for_case(client, case, timeout_s=120)
    assert view.status == "completed"
    assert "death_medical_certificate" in {d.kind for d in view.documents}
    assert view.actions[0].operator == "officer-0571"
    verification = next(f for f in view.facts if f.name == "death_verification")
    assert verification.way == "department_verification"


async def test_a_retirement_open_at_death_stops_issuing_to_the_dead(
    stack: Any, client: Client
) -> None:
    retirement, death = retirement_then_death(14, place="hospital")
    # Tax is down: the retirement is stuck after its pension approval when the death arrives.
    await set_faults(stack.settings, "tax", error_rate=1.0)
    try:
        retirement_case = await publish(stack, retirement)
        await wait_until(
            client,
            retirement_case,
            lambda v: "pension_approval" in {d.kind for d in v.documents} and "tax" in v.waiting_on,
        )
        death_case = await publish(stack, death)
        retirement_view = await wait_for_case(client, retirement_case, timeout_s=120)
    finally:
        await set_faults(stack.settings, "tax")
    death_view = await wait_for_case(client, death_case, timeout_s=120)

    assert death_view.status == "completed"
    assert retirement_view.status == "rejected"
    assert retirement_view.failure is not None
    assert retirement_view.failure.type == "SubjectDeceased"
    assert death_case in retirement_view.failure.message
    assert "pension_income_registration" not in {d.kind for d in retirement_view.documents}
    assert "pension_termination" in {d.kind for d in death_view.documents}
