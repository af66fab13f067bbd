"""A small bundle that uses every kind of step, for engine tests with fake activities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from workflows.case_workflow import CaseWorkflow
    from workflows.models import CaseInput, CaseView, StepInput, StepOutput
    from workflows.steps import AnyStep, Commitment, Step, Verification


class ToyData(BaseModel):
    """What the toy event carries."""

    applicant: str
    pledge: bool
    verify: str  # "auto": the provider answers at once; "person": someone must answer


class ToyInput(CaseInput):
    """Input of the toy case."""

    data: ToyData


@activity.defn(name="toy.issue")
async def toy_issue(input: StepInput) -> StepOutput:
    """Replaced by fakes in tests."""
    raise NotImplementedError


@activity.defn(name="toy.check")
async def toy_check(input: StepInput) -> StepOutput:
    """Replaced by fakes in tests."""
    raise NotImplementedError


@activity.defn(name="toy.credit")
async def toy_credit(input: StepInput) -> StepOutput:
    """Replaced by fakes in tests."""
    raise NotImplementedError


def _verify_subject(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"mode": facts["verify"]}


TOY_STEPS: tuple[AnyStep, ...] = (
    Step(
        name="issue_a", department="health", activity=toy_issue, needs=("applicant",), gives=("a",)
    ),
    Verification(
        name="verify_b",
        department="health",
        provider="police",
        kind="toy",
        needs=("a", "verify"),
        gives=("b",),
        subject=_verify_subject,
    ),
    Commitment(
        name="pledge_c",
        department="market_regulation",
        needs=("applicant", "pledge"),
        gives=("c",),
        pledged=lambda facts: bool(facts["pledge"]),
        check=Step(
            name="check_c",
            department="police",
            activity=toy_check,
            needs=("applicant",),
            gives=("exists",),
        ),
        check_passes=lambda output: bool(output.facts.get("exists")),
        credit=Step(
            name="credit_c",
            department="market_regulation",
            activity=toy_credit,
            needs=("applicant",),
            gives=("credit_record_number",),
        ),
        fallback=Verification(
            name="verify_c",
            department="market_regulation",
            provider="police",
            kind="toy",
            needs=("applicant",),
            gives=("c_verified",),
            subject=lambda facts: {"mode": "auto"},
        ),
    ),
    Step(
        name="license_d",
        department="market_regulation",
        activity=toy_issue,
        needs=("c",),
        gives=("d",),
    ),
    Step(name="reg_e", department="police", activity=toy_issue, needs=("d", "b")),
    Step(name="reg_f", department="tax", activity=toy_issue, needs=("d",)),
)


@workflow.defn(name="toy")
class ToyCase(CaseWorkflow):
    """A toy case."""

    bundle = "business"
    steps = TOY_STEPS

    @workflow.init
    def __init__(self, input: ToyInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: ToyInput) -> CaseView:
        """Run the toy steps."""
        return await self.run_case()


@activity.defn(name="toy.fragile")
async def toy_fragile(input: StepInput) -> StepOutput:
    """Replaced by fakes in tests."""
    raise NotImplementedError


TOY_HOLD_STEPS: tuple[AnyStep, ...] = (
    Step(
        name="issue_a", department="health", activity=toy_issue, needs=("applicant",), gives=("a",)
    ),
    Step(name="fragile_h", department="tax", activity=toy_fragile, needs=("a",)),
    Step(name="reg_g", department="police", activity=toy_issue, needs=("a", "email")),
)


@workflow.defn(name="toy-hold")
class ToyHoldCase(CaseWorkflow):
    """A toy case with a step that fails until fixed and a step needing a fact nobody holds."""

    bundle = "newborn"
    steps = TOY_HOLD_STEPS

    @workflow.init
    def __init__(self, input: ToyInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: ToyInput) -> CaseView:
        """Run the toy steps."""
        return await self.run_case()
