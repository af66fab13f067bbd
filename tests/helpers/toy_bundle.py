"""A small bundle that uses every kind of step, for engine tests with fake activities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from workflows.case_workflow import CaseWorkflow
    from workflows.models import CaseInput, CaseView, StepInput, StepOutput
    from workflows.steps import AnyStep, Commitment, NotifyCases, Step, Verification


class ToyData(BaseModel):
    """What the toy event carries."""

    applicant: str
    pledge: bool
    verify: str  # "auto": the provider answers at once; "person": someone must answer
    fallback: str = "auto"  # the same, for the verification that stands in for the pledge


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
        needs=("applicant", "pledge", "fallback"),
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
            needs=("applicant", "fallback"),
            gives=("c_verified",),
            subject=lambda facts: {"mode": facts["fallback"]},
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


_MODES = {"auto": "auto", "person": "person"}


def _mode_or_bug(facts: Mapping[str, Any]) -> dict[str, Any]:
    # A bug in workflow code: any other mode raises KeyError, which fails the workflow task.
    return {"mode": _MODES[facts["verify"]]}


TOY_BUGGY_STEPS: tuple[AnyStep, ...] = (
    Verification(
        name="verify_x",
        department="health",
        provider="police",
        kind="toy",
        needs=("verify",),
        gives=("x",),
        subject=_mode_or_bug,
    ),
)


@workflow.defn(name="toy-buggy")
class ToyBuggyCase(CaseWorkflow):
    """A toy case whose workflow code fails on every attempt unless ``verify`` is a known mode."""

    bundle = "business"
    steps = TOY_BUGGY_STEPS

    @workflow.init
    def __init__(self, input: ToyInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: ToyInput) -> CaseView:
        """Run the toy steps."""
        return await self.run_case()


@activity.defn(name="toy.query")
async def toy_query(input: StepInput) -> StepOutput:
    """Replaced by fakes in tests."""
    raise NotImplementedError


class ToyPathData(BaseModel):
    """What the event of the path-matrix toy carries."""

    applicant: str
    pledge: bool
    others: list[str] = []  # open cases of the same person, told when this one's step runs


class ToyPathInput(CaseInput):
    """Input of the path-matrix toy case."""

    data: ToyPathData


#: One step of every kind; the fake departments decide each step's outcome, not the event.
TOY_PATH_STEPS: tuple[AnyStep, ...] = (
    Step(
        name="issue_a", department="health", activity=toy_issue, needs=("applicant",), gives=("a",)
    ),
    Step(
        name="query_q",
        department="civil_affairs",
        activity=toy_query,
        needs=("applicant",),
        gives=("q",),
        way="data_query",
    ),
    Verification(
        name="verify_b",
        department="health",
        provider="police",
        kind="toy",
        needs=("a",),
        gives=("b",),
        subject=lambda facts: {"about": "a"},
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
            way="data_query",
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
            kind="toy_address",
            needs=("applicant",),
            gives=("c_verified",),
            subject=lambda facts: {"about": "c"},
        ),
    ),
    Step(
        name="license_d",
        department="market_regulation",
        activity=toy_issue,
        needs=("c", "q", "b"),
        gives=("d",),
    ),
    NotifyCases(name="notify_n", department="social_security", needs=("others",)),
)


@workflow.defn(name="toy-paths")
class ToyPathCase(CaseWorkflow):
    """A toy case with one step of every kind, for the path matrix."""

    bundle = "business"
    steps = TOY_PATH_STEPS

    @workflow.init
    def __init__(self, input: ToyPathInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: ToyPathInput) -> CaseView:
        """Run the toy steps."""
        return await self.run_case()
