"""Tax: the infant-care deduction, pension income, the deceased's settlement, new companies."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import parse_facts
from activities.documents import issue_document
from departments.api import (
    CompanyRegistrationRequest,
    DeathRecordRequest,
    InfantCareDeductionRequest,
    PensionIncomeRequest,
)
from events.models import Company, Person
from workflows.models import StepInput, StepOutput


class _DeductionFacts(BaseModel):
    child_id_number: str
    mother: Person
    father: Person | None


@activity.defn(name="tax.infant_care_deduction")
async def infant_care_deduction(input: StepInput) -> StepOutput:
    """Register the infant-care deduction for the child's parents."""
    facts = parse_facts(_DeductionFacts, input.facts)
    parents = [p.id_number for p in (facts.mother, facts.father) if p is not None]
    return await issue_document(
        input,
        "tax",
        "/infant-care-deductions",
        InfantCareDeductionRequest(
            case_id=input.case_id, child_id_number=facts.child_id_number, parent_id_numbers=parents
        ),
        "infant_care_tax_deduction",
    )


class _PensionFacts(BaseModel):
    person: Person
    pension_number: str
    monthly_pension_cny: int


class _DeceasedFacts(BaseModel):
    deceased: Person
    death_certificate_number: str


class _CompanyFacts(BaseModel):
    uscc: str
    company: Company
    legal_representative: Person


@activity.defn(name="tax.pension_income_registration")
async def pension_income_registration(input: StepInput) -> StepOutput:
    """Register the pension as exempt income and stop the former employer's withholding."""
    facts = parse_facts(_PensionFacts, input.facts)
    return await issue_document(
        input,
        "tax",
        "/pension-income-registrations",
        PensionIncomeRequest(
            case_id=input.case_id,
            id_number=facts.person.id_number,
            pension_number=facts.pension_number,
            monthly_pension_cny=facts.monthly_pension_cny,
        ),
        "pension_income_registration",
    )


@activity.defn(name="tax.deceased_tax_settlement")
async def deceased_tax_settlement(input: StepInput) -> StepOutput:
    """Settle the deceased's individual income tax and close the taxpayer record."""
    facts = parse_facts(_DeceasedFacts, input.facts)
    return await issue_document(
        input,
        "tax",
        "/deceased-tax-settlements",
        DeathRecordRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            death_certificate_number=facts.death_certificate_number,
        ),
        "deceased_tax_settlement",
    )


@activity.defn(name="tax.tax_registration")
async def tax_registration(input: StepInput) -> StepOutput:
    """Register the new company as a taxpayer on its credit code."""
    facts = parse_facts(_CompanyFacts, input.facts)
    return await issue_document(
        input,
        "tax",
        "/tax-registrations",
        CompanyRegistrationRequest(
            case_id=input.case_id,
            uscc=facts.uscc,
            company_name=facts.company.name,
            legal_representative_id_number=facts.legal_representative.id_number,
        ),
        "tax_registration",
    )
