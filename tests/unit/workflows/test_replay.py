"""Determinism: recorded histories of every bundle replay through the current workflow code.

A change that would break running cases (a step added, needs reordered, a timer moved) fails
here. Such a change must be named in workflows/changes.py (see ``Step.patch`` in
workflows/steps.py) so that old histories take the old path; re-record with
``python -m tests.unit.workflows.recording`` only to add histories, never to hide a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Replayer,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from workflows.models import CaseView
from workflows.registry import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_every_bundle_has_a_recorded_history() -> None:
    bundles = {path.stem.split("-")[0] for path in HISTORIES}
    assert bundles == set(WORKFLOWS)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_a_recorded_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[workflow for workflow, _ in WORKFLOWS.values()],
        data_converter=pydantic_data_converter,
    )
    await replayer.replay_workflow(history)


class _Results(Interceptor):
    """Keeps what each replayed workflow returned."""

    def __init__(self) -> None:
        self.results: list[Any] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        results = self.results

        class Keep(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                result = await super().execute_workflow(input)
                results.append(result)
                return result

        return Keep


async def test_a_case_cancelled_before_cancelled_existed_still_ends_revoked() -> None:
    path = Path(__file__).parent / "histories" / "death-cancelled.json"
    kept = _Results()
    replayer = Replayer(
        workflows=[workflow for workflow, _ in WORKFLOWS.values()],
        data_converter=pydantic_data_converter,
        interceptors=[kept],
    )
    await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))
    (view,) = kept.results
    assert isinstance(view, CaseView)
    assert view.status == "revoked"
    assert view.failure is not None
    assert view.failure.type == "CancelledByOperator"
