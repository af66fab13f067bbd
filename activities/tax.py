"""Tax: the parents' infant-care special additional deduction."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from departments.api import InfantCareDeductionRequest, IssuedDocument
from events.models import Person
from workflows.models import Document, StepInput, StepOutput


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
    return StepOutput(
        documents=[
            Document(
                kind="infant_care_tax_deduction",
                department="tax",
                number=issued.number,
                issued_at=issued.issued_at,
            )
        ]
    )
