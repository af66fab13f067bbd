"""Police: household registration, which gives the child an ID number."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.health import child_record
from departments.api import HouseholdRegistration, HouseholdRegistrationRequest, MarriageAnswer
from events.models import Child, Person
from workflows.models import Document, StepInput, StepOutput


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
    )
    return StepOutput(
        facts={
            "child_id_number": registration.child_id_number,
            "household_number": registration.household_number,
        },
        documents=[
            Document(
                kind="household_registration",
                department="police",
                number=registration.number,
                issued_at=registration.issued_at,
            )
        ],
    )
