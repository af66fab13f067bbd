"""Opening a business as one thing: license, seal, tax and social security registration.

The address goes by notification and commitment when the applicant pledged it and may pledge:
the license is issued at once and the address checked later. A false pledge revokes the license
and every registration made on it, newest first, and writes a credit record; an applicant with
such a record goes by department verification next time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import market_regulation, police, social_security, tax
    from onething.constants import CASE_SCOPE
    from workflows.case_workflow import CaseWorkflow
    from workflows.models import BusinessInput, CaseView, StepOutput
    from workflows.steps import AnyStep, Commitment, Step, Verification


def _no_pledge(facts: Mapping[str, Any]) -> str | None:
    return None if facts["address_pledge"] else "no pledge made: the address goes by verification"


def _may_pledge(facts: Mapping[str, Any]) -> bool:
    return bool(facts["address_pledge"]) and bool(facts["may_pledge"])


def _address_subject(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"address": facts["company"]["address"]}


def _address_exists(output: StepOutput) -> bool:
    return bool(output.facts.get("address_exists"))


ADDRESS_VERIFICATION = Verification(
    name="address_verification",
    department="market_regulation",
    provider="police",
    kind="address",
    needs=("company",),
    gives=("address_verification",),
    subject=_address_subject,
)

BUSINESS_STEPS: tuple[AnyStep, ...] = (
    Step(
        name="representative_identity",
        department="police",
        activity=police.representative_identity,
        needs=("legal_representative", CASE_SCOPE),
        gives=("representative_alive",),
        way="data_query",
    ),
    Step(
        name="pledge_eligibility",
        department="market_regulation",
        activity=market_regulation.pledge_eligibility,
        needs=("legal_representative", "address_pledge", CASE_SCOPE),
        gives=("may_pledge",),
        way="data_query",
        skip=_no_pledge,
    ),
    Commitment(
        name="business_address",
        department="market_regulation",
        needs=("company", "address_pledge", "may_pledge"),
        gives=("address_basis",),
        pledged=_may_pledge,
        check=Step(
            name="address_check",
            department="police",
            activity=police.address_check,
            needs=("company",),
            gives=("address_exists",),
            way="data_query",
        ),
        check_passes=_address_exists,
        credit=Step(
            name="credit_record",
            department="market_regulation",
            activity=market_regulation.credit_record,
            needs=("legal_representative",),
            gives=("credit_record_number",),
        ),
        fallback=ADDRESS_VERIFICATION,
    ),
    Step(
        name="business_license",
        department="market_regulation",
        activity=market_regulation.business_license,
        needs=("company", "legal_representative", "representative_alive", "address_basis"),
        gives=("uscc",),
    ),
    Step(
        name="seal_registration",
        department="police",
        activity=police.seal_registration,
        needs=("uscc", "company", "legal_representative"),
    ),
    Step(
        name="tax_registration",
        department="tax",
        activity=tax.tax_registration,
        needs=("uscc", "company", "legal_representative"),
    ),
    Step(
        name="employer_social_security_registration",
        department="social_security",
        activity=social_security.employer_registration,
        needs=("uscc", "company", "employees"),
    ),
)


@workflow.defn(name="business")
class BusinessCase(CaseWorkflow):
    """A business-opening case, started by ``onething.business.submitted``."""

    bundle = "business"
    steps = BUSINESS_STEPS

    @workflow.init
    def __init__(self, input: BusinessInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: BusinessInput) -> CaseView:
        """Open the business on the applicant's event alone."""
        return await self.run_case()
