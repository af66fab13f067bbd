"""Civil affairs: marriage records (a data query instead of a certificate), senior citizen
cards and funeral registration."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import issue_document
from departments.api import (
    FuneralRegistrationRequest,
    MarriageAnswer,
    MarriageQuery,
    SeniorCitizenCardRequest,
)
from events.models import Informant, Person
from onething.constants import CASE_SCOPE
from workflows.models import StepInput, StepOutput


class _ParentsFacts(BaseModel):
    mother: Person
    father: Person


@activity.defn(name="civil_affairs.parents_marriage")
async def parents_marriage(input: StepInput) -> StepOutput:
    """Read whether the parents are married to each other, so nobody shows a certificate."""
    facts = parse_facts(_ParentsFacts, input.facts)
    answer = await call_department(
        "civil_affairs",
        "/marriage-queries",
        MarriageQuery(
            case_id=input.case_id,
            requested_by="police",
            spouse_a_id_number=facts.mother.id_number,
            spouse_b_id_number=facts.father.id_number,
        ),
        MarriageAnswer,
        idempotency_key=input.idempotency_key,
        asked_by="police",
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(facts={"parents_marriage": answer.model_dump(mode="json")})


class _SeniorFacts(BaseModel):
    person: Person
    birth_date: date
    retirement_date: date | None = None


class _FuneralFacts(BaseModel):
    deceased: Person
    death_certificate_number: str
    informant: Informant


@activity.defn(name="civil_affairs.senior_citizen_card")
async def senior_citizen_card(input: StepInput) -> StepOutput:
    """Issue the senior citizen card, taking effect on the retirement date when there is one."""
    facts = parse_facts(_SeniorFacts, input.facts)
    return await issue_document(
        input,
        "civil_affairs",
        "/senior-citizen-cards",
        SeniorCitizenCardRequest(
            case_id=input.case_id,
            id_number=facts.person.id_number,
            name=facts.person.name,
            birth_date=facts.birth_date,
            valid_from=facts.retirement_date,
        ),
        "senior_citizen_card",
    )


@activity.defn(name="civil_affairs.funeral_registration")
async def funeral_registration(input: StepInput) -> StepOutput:
    """Register the cremation and funeral on the death certificate and the informant's word."""
    facts = parse_facts(_FuneralFacts, input.facts)
    return await issue_document(
        input,
        "civil_affairs",
        "/funeral-registrations",
        FuneralRegistrationRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            death_certificate_number=facts.death_certificate_number,
            informant_id_number=facts.informant.id_number,
        ),
        "funeral_registration",
    )
