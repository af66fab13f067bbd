"""Market regulation: whether an applicant may pledge, business licenses, credit records."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import as_document
from departments.api import (
    BusinessLicense,
    BusinessLicenseRequest,
    CompanyRecord,
    CreditRecord,
    CreditRecordRequest,
    PledgeEligibility,
    PledgeEligibilityQuery,
)
from events.models import Company, Person
from onething.constants import CASE_SCOPE
from workflows.models import StepInput, StepOutput

#: The reason recorded when the case gives none.
FALSE_PLEDGE_REASON: Final = "the address pledged under notification and commitment is false"
_MAX_REASON: Final = 500


class _RepresentativeFacts(BaseModel):
    legal_representative: Person


class _LicenseFacts(BaseModel):
    company: Company
    legal_representative: Person
    address_basis: Literal["commitment", "verification"]
    representative_alive: bool = True


class _CreditFacts(BaseModel):
    legal_representative: Person
    revoked_documents: list[str] = []
    reason: str | None = None


@activity.defn(name="market_regulation.pledge_eligibility")
async def pledge_eligibility(input: StepInput) -> StepOutput:
    """Read whether the legal representative may pledge (no record of a broken pledge)."""
    facts = parse_facts(_RepresentativeFacts, input.facts)
    answer = await call_department(
        "market_regulation",
        "/pledge-eligibility",
        PledgeEligibilityQuery(
            case_id=input.case_id,
            requested_by="market_regulation",
            id_number=facts.legal_representative.id_number,
        ),
        PledgeEligibility,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(facts={"may_pledge": answer.may_pledge})


@activity.defn(name="market_regulation.business_license")
async def business_license(input: StepInput) -> StepOutput:
    """Register the company and issue its license with a new unified social credit code."""
    facts = parse_facts(_LicenseFacts, input.facts)
    company = facts.company
    license_ = await call_department(
        "market_regulation",
        "/business-licenses",
        BusinessLicenseRequest(
            case_id=input.case_id,
            company=CompanyRecord(
                name=company.name,
                kind=company.kind,
                registered_capital_cny=company.registered_capital_cny,
                address=company.address,
                business_scope=company.business_scope,
            ),
            legal_representative_id_number=facts.legal_representative.id_number,
            address_basis=facts.address_basis,
            legal_representative_alive=facts.representative_alive,
        ),
        BusinessLicense,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={"uscc": license_.uscc},
        documents=[as_document("business_license", "market_regulation", license_)],
    )


@activity.defn(name="market_regulation.credit_record")
async def credit_record(input: StepInput) -> StepOutput:
    """Record the broken pledge against the legal representative, with what it revoked."""
    facts = parse_facts(_CreditFacts, input.facts)
    record = await call_department(
        "market_regulation",
        "/credit-records",
        CreditRecordRequest(
            case_id=input.case_id,
            id_number=facts.legal_representative.id_number,
            reason=(facts.reason or FALSE_PLEDGE_REASON)[:_MAX_REASON],
            revoked_documents=facts.revoked_documents,
        ),
        CreditRecord,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(facts={"credit_record_number": record.number})
