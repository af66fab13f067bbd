"""A case an operator helped (ask, retry after a fix, supply) survives ``temporal workflow reset``.

The reset is made the way an operator makes it, with the ``temporal`` CLI, against the dev
server the engine tests share.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from events.models import EventMeta
from onething.constants import ORCHESTRATOR_TASK_QUEUE, department_task_queue
from tests.helpers.temporal import temporal_binary
from tests.helpers.toy_bundle import ToyData, ToyHoldCase, ToyInput
from tests.unit.workflows.test_engine_operators import Fakes, until
from workflows.models import AskCitizenRequest, CaseView, RetryStepRequest, SupplyFactRequest


async def test_a_reset_after_a_retry_ends_as_the_original_run(
    temporal_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    client = temporal_env.client
    async with (
        Worker(
            client,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
            workflows=[ToyHoldCase],
            activities=[fakes.publish],
        ),
        Worker(client, task_queue=department_task_queue("health"), activities=[fakes.issue]),
        Worker(client, task_queue=department_task_queue("police"), activities=[fakes.issue]),
        Worker(client, task_queue=department_task_queue("tax"), activities=[fakes.fragile]),
    ):
        case_id = f"toy-hold-{uuid.uuid4().hex[:8]}"
        meta = EventMeta(id="e1", source="s", type="toy", subject=case_id, time=datetime.now(UTC))
        handle = await client.start_workflow(
            ToyHoldCase.run,
            ToyInput(
                case_id=case_id,
                event=meta,
                data=ToyData(applicant="x", pledge=False, verify="auto"),
            ),
            id=case_id,
            task_queue=ORCHESTRATOR_TASK_QUEUE,
        )
        await until(handle, "failed")
        await handle.execute_update(
            ToyHoldCase.ask_citizen,
            AskCitizenRequest(fact="email", operator="op-1", reason="no department holds it"),
        )
        fakes.broken = False
        await handle.execute_update(
            ToyHoldCase.retry_step,
            RetryStepRequest(step="fragile_h", operator="op-1", reason="fixed the shape"),
        )
        await handle.execute_update(
            ToyHoldCase.supply_fact,
            SupplyFactRequest(
                fact="email", value="c@example.invalid", operator="op-1", reason="by phone"
            ),
        )
        original = await handle.result()
        assert original.status == "completed"

        reset = subprocess.run(
            [
                temporal_binary(),
                "workflow",
                "reset",
                "--address",
                client.service_client.config.target_host,
                "--namespace",
                client.namespace,
                "--workflow-id",
                case_id,
                "--type",
                "FirstWorkflowTask",
                "--reason",
                "test: an operator resets the case",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert reset.returncode == 0, reset.stderr
        new_run = client.get_workflow_handle(case_id, result_type=CaseView)
        after: CaseView = await asyncio.wait_for(new_run.result(), timeout=120)

    assert after.status == "completed"
    assert after.citizen_inputs == original.citizen_inputs
    # The citizen's answer is re-applied; the retry is not needed, since the step was fixed.
    assert [a.action for a in after.actions] == ["ask_citizen:email", "supply_fact:email"]
    assert sorted(d.number for d in after.documents) == sorted(d.number for d in original.documents)
