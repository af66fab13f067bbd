"""Pledges and deadlines on a time-skipping Temporal server, with the stack's real departments.

The delays here are days (a pledge is checked a week later; a verification has three days), so
these cases run on a time-skipping dev server: the real workers and activities, the shared
stack's department services and broker, and workflow time that skips ahead while cases wait.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities import department_client
from activities.case_updates import CaseUpdatePublisher
from events.kafka import new_producer
from events.models import EventMeta
from events.parsing import Rejection, parse_event
from events.samples import FALSE_ADDRESS, sample_event
from onething.cases import CaseSummary
from onething.constants import DEPARTMENTS, EVENT_TYPES, TOPIC_CASE_UPDATES, case_id
from onething.crypto.scope import id_numbers_in, sign_scope
from onething.report.stats import compute_stats
from onething.settings import get_settings
from tests.helpers.kafka import read_until
from tests.helpers.temporal import start_time_skipping_temporal
from workers.departments import build_workers
from workers.orchestrator import build_worker
from workflows.models import CaseOptions, CaseView, VerificationAnswerRequest
from workflows.registry import WORKFLOWS

pytestmark = pytest.mark.scenario


@pytest.fixture(scope="module")
async def skipping(stack: Any) -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server with onething's workers, calling the shared stack's departments."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in stack.env.items() if k.startswith("ONETHING_")})
    get_settings.cache_clear()
    department_client.use_transport(None)
    env = await start_time_skipping_temporal()
    producer = new_producer(stack.settings)
    await producer.start()
    try:
        async with AsyncExitStack() as workers:
            await workers.enter_async_context(
                build_worker(env.client, CaseUpdatePublisher(producer))
            )
            for worker in build_workers(env.client, DEPARTMENTS):
                await workers.enter_async_context(worker)
            yield env
    finally:
        await producer.stop()
        await env.shutdown()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        department_client.use_transport(None)


async def start_case(
    env: WorkflowEnvironment, event: dict[str, Any], *, skip_time: bool = True
) -> WorkflowHandle[Any, CaseView]:
    parsed = parse_event(json.dumps(event).encode(), topic=EVENT_TYPES[event["type"]][0])
    assert not isinstance(parsed, Rejection), parsed
    bundle = EVENT_TYPES[event["type"]][1]
    _, input_model = WORKFLOWS[bundle]
    the_case = case_id(bundle, event["subject"])
    case_input = input_model.model_validate(
        {
            "case_id": the_case,
            "event": EventMeta(
                id=event["id"],
                source=event["source"],
                type=event["type"],
                subject=event["subject"],
                time=datetime.fromisoformat(event["time"]),
            ),
            "data": parsed.data,
            "options": CaseOptions(),
            # As the bridge does: the case may ask departments about the people its event names.
            "scope": sign_scope(get_settings(), the_case, id_numbers_in(event["data"])),
        }
    )

    async def go() -> WorkflowHandle[Any, CaseView]:
        return await env.client.start_workflow(
            bundle, case_input, id=the_case, task_queue="onething", result_type=CaseView
        )

    if skip_time:
        return await go()
    with env.with_time_skipping_disabled():
        return await go()


async def until(handle: WorkflowHandle[Any, CaseView], condition: Any) -> CaseView:
    for _ in range(300):
        view: CaseView = await handle.query("status", result_type=CaseView)
        if condition(view):
            return view
        await asyncio.sleep(0.1)
    raise AssertionError("the case never reached the expected state")


async def test_a_false_address_pledge_is_revoked_and_the_next_application_is_verified(
    stack: Any, skipping: WorkflowEnvironment
) -> None:
    false_pledge = sample_event("business", 21, false_address=True)
    assert false_pledge["data"]["company"]["address"] == FALSE_ADDRESS == "浙江省兰溪市虹兴路39号"
    handle = await start_case(skipping, false_pledge)
    view = await handle.result()

    assert view.status == "revoked"
    assert view.failure is not None
    assert view.failure.type == "FalsePledge"
    basis = next(f for f in view.facts if f.name == "address_basis")
    assert basis.way == "commitment"
    assert [c.outcome for c in view.checks] == ["false"]
    # The license was issued at once, on the pledge, and checked a week later.
    assert view.checks[0].due_at - basis.at >= CaseOptions().pledge_check_after - timedelta(
        minutes=1
    )
    revoked = [d for d in view.documents if d.revoked_at is not None]
    assert {d.kind for d in revoked} == set(EXPECTED_BUSINESS)
    assert "credit_record_number" in {f.name for f in view.facts}
    updates = await read_until(
        stack.settings.kafka_target,
        TOPIC_CASE_UPDATES,
        lambda records: any(
            r["subject"] == view.case_id and r["type"] == "onething.case.revoked" for r in records
        ),
    )
    assert updates

    again = sample_event("business", 21)  # the same applicant, a real address this time
    assert again["data"]["legal_representative"] == false_pledge["data"]["legal_representative"]
    view = await (await start_case(skipping, again)).result()
    assert view.status == "completed"
    assert next(f for f in view.facts if f.name == "may_pledge").way == "data_query"
    basis = next(f for f in view.facts if f.name == "address_basis")
    assert basis.way == "department_verification"
    assert view.checks == []
    # Spared by police verification, not by a commitment: so the case view and the stats say.
    address = next(m for m in view.materials if m.id == "address_proof")
    assert (address.way, address.applies) == ("department_verification", True)
    listed = CaseSummary(
        case_id=view.case_id,
        bundle="business",
        status=view.status,
        waiting_on=[],
        started_at=view.started_at,
        closed_at=view.finished_at,
    )
    stats = compute_stats([listed], [view], now=datetime.now(UTC))
    assert stats.materials_by_bundle["business"]["department_verification"] == 1
    assert "commitment" not in stats.materials_by_bundle["business"]


EXPECTED_BUSINESS = (
    "business_license",
    "seal_registration",
    "tax_registration",
    "employer_social_security_registration",
)


async def test_a_kept_pledge_completes_after_its_check(skipping: WorkflowEnvironment) -> None:
    view = await (await start_case(skipping, sample_event("business", 22))).result()
    assert view.status == "completed"
    assert [c.outcome for c in view.checks] == ["true"]
    assert not any(d.revoked_at for d in view.documents)


async def test_a_verification_past_its_deadline_escalates_then_completes(
    stack: Any, skipping: WorkflowEnvironment
) -> None:
    handle = await start_case(skipping, sample_event("death", 23, place="home"))
    view = await until(handle, lambda v: bool(v.waits) and v.waits[0].breached)
    assert view.status == "waiting-department"
    assert view.waiting_on == ["police"]
    await read_until(
        stack.settings.kafka_target,
        TOPIC_CASE_UPDATES,
        lambda records: any(
            r["subject"] == view.case_id and r["type"] == "onething.case.sla-breached"
            for r in records
        ),
    )
    await handle.execute_update(
        "answer_verification",
        VerificationAnswerRequest(
            step="death_verification", answer="confirmed", operator="officer-2", reason="late visit"
        ),
    )
    view = await handle.result()
    assert view.status == "completed"
    assert view.sla_breached


def another_application(event: dict[str, Any], suffix: str) -> dict[str, Any]:
    """The same application (same representative, same address) under a new case key."""
    return event | {"id": f"{event['id']}-{suffix}", "subject": f"{event['subject']}-{suffix}"}


async def test_a_false_pledgers_next_application_waits_on_police_and_a_person_decides(
    skipping: WorkflowEnvironment,
) -> None:
    false_pledge = sample_event("business", 31, false_address=True)
    view = await (await start_case(skipping, false_pledge)).result()
    assert view.status == "revoked"

    # The same representative, the same unregistered address: no pledge now, so police must
    # verify it, and only an officer can.
    outcomes: dict[str, CaseView] = {}
    for suffix, answer in (("again", "confirmed"), ("third", "refused")):
        handle = await start_case(
            skipping, another_application(false_pledge, suffix), skip_time=False
        )
        waiting = await until(handle, lambda v: bool(v.waits))
        assert waiting.status == "waiting-department"
        assert waiting.waiting_on == ["police"]
        (wait,) = waiting.waits
        assert (wait.provider, wait.kind) == ("police", "address")
        assert wait.step in {s.name for s in waiting.steps if s.state == "running"}
        assert next(f for f in waiting.facts if f.name == "may_pledge").way == "data_query"
        await handle.execute_update(
            "answer_verification",
            VerificationAnswerRequest(
                step=wait.step, answer=answer, operator="officer-31", reason="visited the site"
            ),
        )
        outcomes[answer] = await handle.result()

    confirmed = outcomes["confirmed"]
    assert confirmed.status == "completed"
    basis = next(f for f in confirmed.facts if f.name == "address_basis")
    assert (basis.way, basis.step) == ("department_verification", "business_address")
    assert set(EXPECTED_BUSINESS) <= {d.kind for d in confirmed.documents}
    assert confirmed.checks == []
    refused = outcomes["refused"]
    assert refused.status == "rejected"
    assert refused.failure is not None
    assert (refused.failure.type, refused.failure.step) == (
        "VerificationRefused",
        "business_address",
    )
    assert "business_license" not in {d.kind for d in refused.documents}
