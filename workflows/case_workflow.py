"""The base of every bundle workflow: the engine, the ``status`` query and operators' handlers.

The engine is built from the case's input when the workflow is created (each bundle's
``@workflow.init``), before any update or signal is delivered. A ``temporal workflow reset``
re-applies a case's updates in the new run's first workflow task, before ``run`` starts: built
this way, every handler finds the engine there and an operator's cancel is taken, not refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from onething.constants import BUNDLES, CASE_SCOPE, Bundle
    from workflows.catalogue import load_catalogue
    from workflows.engine import CaseEngine
    from workflows.models import (
        ActionAccepted,
        AskCitizenRequest,
        CancelRequest,
        CaseInput,
        CaseView,
        EventReceived,
        EventVerdict,
        RetryStepRequest,
        SubjectDeceased,
        SupplyFactRequest,
        VerificationAnswerRequest,
    )
    from workflows.steps import AnyStep

# Read once at import, outside any workflow run: workflow code does no file I/O.
_MATERIALS = {bundle: tuple(load_catalogue().for_bundle(bundle)) for bundle in BUNDLES}


class CaseWorkflow:
    """What every bundle shares.

    A bundle sets ``bundle`` and ``steps``, and defines an ``@workflow.init`` ``__init__`` that
    calls :meth:`open_case` and a ``@workflow.run`` ``run`` that calls :meth:`run_case`, both
    taking the bundle's input model (the SDK wants the two signatures identical).
    """

    bundle: ClassVar[Bundle]
    steps: ClassVar[tuple[AnyStep, ...]]
    _engine: CaseEngine

    def open_case(self, input: CaseInput, citizen_facts: Mapping[str, Any]) -> None:
        """Build the case's engine from its input and the facts its trigger event carried."""
        self._engine = CaseEngine(
            case_id=input.case_id,
            bundle=self.bundle,
            steps=self.steps,
            options=input.options,
            started_at=workflow.now(),
            materials=_MATERIALS.get(self.bundle, ()),
            event_id=input.event.id,
        )
        self._engine.add_citizen_facts(citizen_facts)
        # Not a fact about anyone: the signed list of whom the case may ask departments about.
        self._engine.facts[CASE_SCOPE] = input.scope.model_dump() if input.scope else None

    @workflow.query
    def status(self) -> CaseView:
        """The case view as it stands."""
        return self._engine.view()

    @workflow.update
    async def answer_verification(self, request: VerificationAnswerRequest) -> ActionAccepted:
        """A person at the providing department answers a pending verification."""
        engine = self._engine
        engine.answer(request)
        return ActionAccepted(
            case_id=engine.case_id, action="answer_verification", status=engine.status
        )

    @answer_verification.validator
    def _validate_answer(self, request: VerificationAnswerRequest) -> None:
        self._engine.validate_answer(request)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ActionAccepted:
        """An operator cancels the case; what it obtained is revoked, newest first."""
        engine = self._engine
        engine.cancel(request)
        await workflow.wait_condition(lambda: engine.finished)
        return ActionAccepted(case_id=engine.case_id, action="cancel", status=engine.status)

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        if self._engine.finished:
            raise ValueError("the case has already ended")

    @workflow.update
    async def ask_citizen(self, request: AskCitizenRequest) -> ActionAccepted:
        """Ask the citizen, once ever, for a fact that no department holds."""
        engine = self._engine
        engine.ask_citizen(request)
        return ActionAccepted(case_id=engine.case_id, action="ask_citizen", status=engine.status)

    @ask_citizen.validator
    def _validate_ask(self, request: AskCitizenRequest) -> None:
        self._engine.validate_ask(request)

    @workflow.update
    async def supply_fact(self, request: SupplyFactRequest) -> ActionAccepted:
        """The citizen's answer to an ask, entered by an operator."""
        engine = self._engine
        engine.supply_fact(request)
        return ActionAccepted(case_id=engine.case_id, action="supply_fact", status=engine.status)

    @supply_fact.validator
    def _validate_supply(self, request: SupplyFactRequest) -> None:
        self._engine.validate_supply(request)

    @workflow.update
    async def retry_step(self, request: RetryStepRequest) -> ActionAccepted:
        """Run a failed step again, after the fault was fixed."""
        engine = self._engine
        engine.retry_step(request)
        return ActionAccepted(case_id=engine.case_id, action="retry_step", status=engine.status)

    @retry_step.validator
    def _validate_retry(self, request: RetryStepRequest) -> None:
        self._engine.validate_retry(request)

    @workflow.update
    async def receive_event(self, received: EventReceived) -> EventVerdict:
        """Another event for this case's key: a redelivery is ignored, a correction judged."""
        return self._engine.receive_event(received)

    @workflow.signal
    def subject_deceased(self, signal: SubjectDeceased) -> None:
        """The person this case is about died (sent by the death case)."""
        self._engine.subject_deceased(signal.death_case_id)

    async def run_case(self) -> CaseView:
        """Run the bundle's steps for the case :meth:`open_case` built."""
        return await self._engine.run()
