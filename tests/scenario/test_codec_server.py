"""The stack's codec server decrypts a case's history for token holders only."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS
from onething.crypto.codec import ENCODING
from onething.crypto.tokens import codec_token
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.kafka import produce_event

pytestmark = pytest.mark.scenario


async def test_the_codec_server_decrypts_a_case_input_for_the_token_holder(stack: Any) -> None:
    client = await connect_temporal(stack.settings)
    event = sample_event("newborn", 5151)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    await wait_for_case(client, case_id, timeout_s=120)
    history = await client.get_workflow_handle(case_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    stored = Payloads(payloads=started.input.payloads)
    body = json.loads(json_format.MessageToJson(stored))
    mother = event["data"]["mother"]["id_number"]

    async with httpx.AsyncClient(base_url=stack.settings.codec_url, timeout=10) as http:
        refused = await http.post("/decode", json=body)
        decoded = await http.post(
            "/decode",
            json=body,
            headers={
                "Authorization": f"Bearer {codec_token(stack.settings)}",
                "X-Namespace": stack.settings.temporal_namespace,
            },
        )

    assert all(p.metadata["encoding"] == ENCODING for p in stored.payloads)
    assert mother.encode() not in stored.SerializeToString()
    assert refused.status_code == 401
    assert decoded.status_code == 200
    data = b"".join(base64.b64decode(p["data"]) for p in decoded.json()["payloads"])
    assert mother.encode() in data
