"""The base of every bundle workflow: the engine, the ``status`` query and operators' handlers."""

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
    """What every bundle shares; a bundle sets ``bundle`` and ``steps`` and defines ``run``."""

    bundle: ClassVar[Bundle]
    steps: ClassVar[tuple[AnyStep, ...]]

    def __init__(self) -> None:
        self._engine: CaseEngine | None = None
        self._deceased: SubjectDeceased | None = None

    @workflow.query
    def status(self) -> CaseView:
        """The case view as it stands."""
        if self._engine is None:
            return CaseView(
                case_id=workflow.info().workflow_id, bundle=self.bundle, status="running"
            )
        return self._engine.view()

    @workflow.update
    async def answer_verification(self, request: VerificationAnswerRequest) -> ActionAccepted:
        """A person at the providing department answers a pending verification."""
        engine = self._require_engine()
        engine.answer(request)
        return ActionAccepted(
            case_id=engine.case_id, action="answer_verification", status=engine.status
        )

    @answer_verification.validator
    def _validate_answer(self, request: VerificationAnswerRequest) -> None:
        self._require_engine().validate_answer(request)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ActionAccepted:
        """An operator cancels the case; what it obtained is revoked, newest first."""
        engine = self._require_engine()
        engine.cancel(request)
        await workflow.wait_condition(lambda: engine.finished)
        return ActionAccepted(case_id=engine.case_id, action="cancel", status=engine.status)

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        if self._require_engine().finished:
            raise ValueError("the case has already ended")

    @workflow.update
    async def ask_citizen(self, request: AskCitizenRequest) -> ActionAccepted:
        """Ask the citizen, once ever, for a fact that no department holds."""
        engine = self._require_engine()
        engine.ask_citizen(request)
        return ActionAccepted(case_id=engine.case_id, action="ask_citizen", status=engine.status)

    @ask_citizen.validator
    def _validate_ask(self, request: AskCitizenRequest) -> None:
        self._require_engine().validate_ask(request)

    @workflow.update
    async def supply_fact(self, request: SupplyFactRequest) -> ActionAccepted:
        """The citizen's answer to an ask, entered by an operator."""
        engine = self._require_engine()
        engine.supply_fact(request)
        return ActionAccepted(case_id=engine.case_id, action="supply_fact", status=engine.status)

    @supply_fact.validator
    def _validate_supply(self, request: SupplyFactRequest) -> None:
        self._require_engine().validate_supply(request)

    @workflow.update
    async def retry_step(self, request: RetryStepRequest) -> ActionAccepted:
        """Run a failed step again, after the fault was fixed."""
        engine = self._require_engine()
        engine.retry_step(request)
        return ActionAccepted(case_id=engine.case_id, action="retry_step", status=engine.status)

    @retry_step.validator
    def _validate_retry(self, request: RetryStepRequest) -> None:
        self._require_engine().validate_retry(request)

    @workflow.update
    async def receive_event(self, received: EventReceived) -> EventVerdict:
        """Another event for this case's key: a redelivery is ignored, a correction judged."""
        await workflow.wait_condition(lambda: self._engine is not None)
        assert self._engine is not None
        return self._engine.receive_event(received)

    @workflow.signal
    def subject_deceased(self, signal: SubjectDeceased) -> None:
        """The person this case is about died (sent by the death case)."""
        if self._engine is None:
            self._deceased = signal
        else:
            self._engine.subject_deceased(signal.death_case_id)

    def _require_engine(self) -> CaseEngine:
        if self._engine is None:
            raise ValueError("the case has not started yet")
        return self._engine

    async def run_case(self, input: CaseInput, citizen_facts: Mapping[str, Any]) -> CaseView:
        """Run the bundle's steps for a case that starts from ``citizen_facts``."""
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
        if self._deceased is not None:
            self._engine.subject_deceased(self._deceased.death_case_id)
        return await self._engine.run()
