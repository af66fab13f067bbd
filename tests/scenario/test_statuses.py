"""Statuses that say what happened, on the shared stack: an operator's cancel ends ``cancelled``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import TOPIC_CASE_UPDATES, TOPIC_DEATHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cases import until
from tests.helpers.cli import onething
from tests.helpers.kafka import produce_event, read_until
from workflows.models import CaseView

pytestmark = pytest.mark.scenario


async def _waiting(client: Client, case_id: str) -> CaseView:
    return await until(client, case_id, lambda view: bool(view.waits))


async def test_an_operators_cancel_ends_the_case_cancelled_not_revoked(stack: Any) -> None:
    client = await connect_temporal(stack.settings)
    event = sample_event("death", 8171, place="home")
    case_id = f"death-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await _waiting(client, case_id)

    cancelled = await asyncio.to_thread(
        onething,
        stack.env,
        "cancel",
        case_id,
        "--operator",
        "op-3",
        "--reason",
        "the family reported the death twice",
    )
    assert cancelled.returncode == 0, cancelled.stderr
    assert "the case is now cancelled" in cancelled.stdout

    view = await wait_for_case(client, case_id, timeout_s=60)
    assert view.status == "cancelled"
    assert view.failure is not None
    # The failure names where the case stood: waiting for the police's visit.
    assert (view.failure.type, view.failure.step) == ("CancelledByOperator", "death_verification")
    updates = await read_until(
        stack.settings.kafka_target,
        TOPIC_CASE_UPDATES,
        lambda records: any(
            r["subject"] == case_id and r["type"] == "onething.case.cancelled" for r in records
        ),
    )
    assert not any(
        r["subject"] == case_id and r["type"] == "onething.case.revoked" for r in updates
    )
    listed = await asyncio.to_thread(
        onething, stack.env, "cases", "--status", "cancelled", "--json"
    )
    assert listed.returncode == 0, listed.stderr
    assert case_id in {row["case_id"] for row in json.loads(listed.stdout)}
    shown = await asyncio.to_thread(onething, stack.env, "case", case_id)
    assert "CancelledByOperator at death_verification" in shown.stdout
