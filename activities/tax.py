"""Tax: the infant-care deduction, pension income, the deceased's settlement, new companies."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import as_document
from departments.api import (
    CompanyRegistrationRequest,
    DeathRecordRequest,
    InfantCareDeductionRequest,
    IssuedDocument,
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
    issued = await call_department(
        "tax",
        "/infant-care-deductions",
        InfantCareDeductionRequest(
            case_id=input.case_id, child_id_number=facts.child_id_number, parent_id_numbers=parents
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(documents=[as_document("infant_care_tax_deduction", "tax", issued)])


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
    issued = await call_department(
        "tax",
        "/pension-income-registrations",
        PensionIncomeRequest(
            case_id=input.case_id,
            id_number=facts.person.id_number,
            pension_number=facts.pension_number,
            monthly_pension_cny=facts.monthly_pension_cny,
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(documents=[as_document("pension_income_registration", "tax", issued)])


@activity.defn(name="tax.deceased_tax_settlement")
async def deceased_tax_settlement(input: StepInput) -> StepOutput:
    """Settle the deceased's individual income tax and close the taxpayer record."""
    facts = parse_facts(_DeceasedFacts, input.facts)
    issued = await call_department(
        "tax",
        "/deceased-tax-settlements",
        DeathRecordRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            death_certificate_number=facts.death_certificate_number,
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(documents=[as_document("deceased_tax_settlement", "tax", issued)])


@activity.defn(name="tax.tax_registration")
async def tax_registration(input: StepInput) -> StepOutput:
    """Register the new company as a taxpayer on its credit code."""
    facts = parse_facts(_CompanyFacts, input.facts)
    issued = await call_department(
        "tax",
        "/tax-registrations",
        CompanyRegistrationRequest(
            case_id=input.case_id,
            uscc=facts.uscc,
            company_name=facts.company.name,
            legal_representative_id_number=facts.legal_representative.id_number,
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(documents=[as_document("tax_registration", "tax", issued)])
