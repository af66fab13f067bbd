"""Police: the household register (registration, cancellation, identity, next of kin), the
standard address registry and company seals."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import as_document, issue_document
from activities.health import child_record
from departments.api import (
    AddressCheck,
    AddressCheckRequest,
    CompanyRegistrationRequest,
    DeathRecordRequest,
    HouseholdRegistration,
    HouseholdRegistrationRequest,
    IdentityQuery,
    IdentityRecord,
    MarriageAnswer,
    NextOfKin,
    NextOfKinQuery,
)
from events.models import Child, Company, Person
from onething.constants import CASE_SCOPE, Department
from workflows.models import StepInput, StepOutput


class _HouseholdFacts(BaseModel):
    birth_certificate_number: str
    child: Child
    mother: Person
    father: Person | None
    household_parent: Literal["mother", "father"]
    parents_marriage: MarriageAnswer | None


@activity.defn(name="police.household_registration")
async def household_registration(input: StepInput) -> StepOutput:
    """Register the child in the household of the parent the family chose."""
    facts = parse_facts(_HouseholdFacts, input.facts)
    parent, other = (
        (facts.father, facts.mother)
        if facts.household_parent == "father"
        else (facts.mother, facts.father)
    )
    if parent is None:
        parent, other = facts.mother, None
    marriage = facts.parents_marriage
    registration = await call_department(
        "police",
        "/household-registrations",
        HouseholdRegistrationRequest(
            case_id=input.case_id,
            birth_certificate_number=facts.birth_certificate_number,
            child=child_record(facts.child),
            household_parent_id_number=parent.id_number,
            other_parent_id_number=other.id_number if other else None,
            marriage_number=marriage.marriage_number if marriage and marriage.married else None,
        ),
        HouseholdRegistration,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={
            "child_id_number": registration.child_id_number,
            "household_number": registration.household_number,
        },
        documents=[as_document("household_registration", "police", registration)],
    )


class _PersonFacts(BaseModel):
    person: Person


class _RepresentativeFacts(BaseModel):
    legal_representative: Person


class _DeceasedFacts(BaseModel):
    deceased: Person


class _CancellationFacts(BaseModel):
    deceased: Person
    death_certificate_number: str
    died_at: AwareDatetime | None = None


class _CompanyFacts(BaseModel):
    company: Company


class _SealFacts(BaseModel):
    uscc: str
    company: Company
    legal_representative: Person


async def _identity(input: StepInput, person: Person, requested_by: Department) -> IdentityRecord:
    return await call_department(
        "police",
        "/identity-records",
        IdentityQuery(case_id=input.case_id, requested_by=requested_by, id_number=person.id_number),
        IdentityRecord,
        idempotency_key=input.idempotency_key,
        asked_by=requested_by,
        scope=input.facts.get(CASE_SCOPE),
    )


@activity.defn(name="police.identity_record")
async def identity_record(input: StepInput) -> StepOutput:
    """Read the person's birth date and sex from the register, so no ID card is shown."""
    facts = parse_facts(_PersonFacts, input.facts)
    record = await _identity(input, facts.person, "social_security")
    return StepOutput(
        facts={
            "birth_date": record.birth_date.isoformat(),
            "sex": record.sex,
            "alive": record.alive,
        }
    )


@activity.defn(name="police.representative_identity")
async def representative_identity(input: StepInput) -> StepOutput:
    """Confirm from the register that the legal representative is a living resident."""
    facts = parse_facts(_RepresentativeFacts, input.facts)
    record = await _identity(input, facts.legal_representative, "market_regulation")
    return StepOutput(facts={"representative_alive": record.alive})


@activity.defn(name="police.next_of_kin")
async def next_of_kin(input: StepInput) -> StepOutput:
    """Read the deceased's living relatives, so nobody proves "my mother is my mother"."""
    facts = parse_facts(_DeceasedFacts, input.facts)
    kin = await call_department(
        "police",
        "/next-of-kin",
        NextOfKinQuery(
            case_id=input.case_id,
            requested_by="social_security",
            id_number=facts.deceased.id_number,
        ),
        NextOfKin,
        idempotency_key=input.idempotency_key,
        asked_by="social_security",
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(facts={"next_of_kin": [r.model_dump(mode="json") for r in kin.relatives]})


@activity.defn(name="police.household_cancellation")
async def household_cancellation(input: StepInput) -> StepOutput:
    """Cancel the deceased's household registration on the death certificate."""
    facts = parse_facts(_CancellationFacts, input.facts)
    return await issue_document(
        input,
        "police",
        "/household-cancellations",
        DeathRecordRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            death_certificate_number=facts.death_certificate_number,
            died_at=facts.died_at,
        ),
        "household_cancellation",
    )


@activity.defn(name="police.address_check")
async def address_check(input: StepInput) -> StepOutput:
    """Look the company's address up in the standard address registry (the pledge's check)."""
    facts = parse_facts(_CompanyFacts, input.facts)
    check = await call_department(
        "police",
        "/address-checks",
        AddressCheckRequest(
            case_id=input.case_id,
            requested_by="market_regulation",
            address=facts.company.address,
        ),
        AddressCheck,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
        asked_by="market_regulation",
    )
    return StepOutput(facts={"address_exists": check.exists})


@activity.defn(name="police.seal_registration")
async def seal_registration(input: StepInput) -> StepOutput:
    """Register the new company's seal, on its credit code, without a trip to the police."""
    facts = parse_facts(_SealFacts, input.facts)
    return await issue_document(
        input,
        "police",
        "/seal-registrations",
        CompanyRegistrationRequest(
            case_id=input.case_id,
            uscc=facts.uscc,
            company_name=facts.company.name,
            legal_representative_id_number=facts.legal_representative.id_number,
        ),
        "seal_registration",
    )
