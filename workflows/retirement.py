"""The retirement "one thing": the pension, retiree medical insurance and tax, with no proofs.

Age comes from police data and contribution years from social security's own records; nobody is
asked to prove they are alive.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import civil_affairs, police, social_security, tax
    from onething.constants import CASE_SCOPE
    from workflows.case_workflow import CaseWorkflow
    from workflows.models import CaseView, RetirementInput
    from workflows.steps import AnyStep, Step

SENIOR_AGE = 60


def _under_sixty(facts: Mapping[str, Any]) -> str | None:
    born = date.fromisoformat(str(facts["birth_date"]))
    today = date.fromisoformat(str(facts["retirement_date"]))
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return (
        None if age >= SENIOR_AGE else f"under {SENIOR_AGE} at retirement: no senior citizen card"
    )


RETIREMENT_STEPS: tuple[AnyStep, ...] = (
    Step(
        name="identity_record",
        department="police",
        activity=police.identity_record,
        needs=("person", CASE_SCOPE),
        gives=("birth_date", "sex", "alive"),
        way="data_query",
    ),
    Step(
        name="contribution_record",
        department="social_security",
        activity=social_security.contribution_record,
        needs=("person", CASE_SCOPE),
        gives=("contribution_months", "employment_summary"),
        way="data_query",
    ),
    Step(
        name="pension_approval",
        department="social_security",
        activity=social_security.pension_approval,
        needs=("person", "birth_date", "sex", "retirement_date", "kind", "contribution_months"),
        gives=("pension_number", "monthly_pension_cny"),
    ),
    Step(
        name="retiree_medical_insurance",
        department="social_security",
        activity=social_security.retiree_medical_insurance,
        needs=("person", "pension_number"),
    ),
    Step(
        name="pension_income_registration",
        department="tax",
        activity=tax.pension_income_registration,
        needs=("person", "pension_number", "monthly_pension_cny"),
    ),
    Step(
        name="senior_citizen_card",
        department="civil_affairs",
        activity=civil_affairs.senior_citizen_card,
        needs=("person", "birth_date", "retirement_date"),
        skip=_under_sixty,
    ),
)


@workflow.defn(name="retirement")
class RetirementCase(CaseWorkflow):
    """A retirement case, started by ``onething.retirement.due``."""

    bundle = "retirement"
    steps = RETIREMENT_STEPS

    @workflow.init
    def __init__(self, input: RetirementInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: RetirementInput) -> CaseView:
        """Approve the pension and everything that follows from it."""
        return await self.run_case()
