"""The Temporal Web UI shows a completed case's documents, decrypted in the browser.

Headless Chromium opens the case's page in the shared stack's Web UI. The UI is a JavaScript
app: it fetches the case's history, sends the encrypted payloads to the stack's codec server
(``--ui-codec-endpoint``) and renders the decoded result. The dev server's UI cannot send a
token, so this stack of its own switches ``ONETHING_CODEC_TRUST_LOCAL_UI`` on (off by default:
the shared stack's codec server refuses the UI). The test finds a document number of the case in the
rendered page, and checks that the number is nowhere in the history as Temporal stores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.browser import chromium, dom_until
from tests.helpers.kafka import produce_event

if TYPE_CHECKING:
    from .conftest import StackLauncher

pytestmark = pytest.mark.scenario


async def test_the_web_ui_shows_a_completed_cases_document_number(
    stack_launcher: StackLauncher,
) -> None:
    chromium()  # fails the test, never skips it, when make browser did not install Chromium
    stack = stack_launcher(ONETHING_CODEC_TRUST_LOCAL_UI="true")
    client = await connect_temporal(stack.settings)
    event = sample_event("newborn", 4848)
    case_id = f"newborn-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(client, case_id, timeout_s=120)
    assert view.status == "completed"
    numbers = [doc.number for doc in view.documents]

    namespace = stack.settings.temporal_namespace
    url = f"{stack.settings.ui_url}/namespaces/{namespace}/workflows/{case_id}"
    dom = dom_until(url, lambda page: any(number in page for number in numbers))

    shown = [number for number in numbers if number in dom]
    assert shown, f"no document number of {case_id} in the rendered page ({len(dom)} bytes)"
    assert case_id in dom
    # Temporal holds the payloads encrypted (history events are never decoded by the client):
    # the page can only have had the number from the codec server.
    history = await client.get_workflow_handle(case_id).fetch_history()
    stored = b"".join(event.SerializeToString() for event in history.events)
    assert shown[0].encode() not in stored
