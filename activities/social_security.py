"""Social security: the child's medical insurance and card, and the mother's maternity benefit."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from departments.api import (
    EnrollmentRequest,
    IssuedDocument,
    MaternityBenefit,
    MaternityBenefitRequest,
)
from events.models import Child, Person
from workflows.models import Document, StepInput, StepOutput


class _ChildFacts(BaseModel):
    child_id_number: str
    child: Child


class _MaternityFacts(BaseModel):
    mother: Person
    birth_certificate_number: str


async def _enroll(input: StepInput, path: str, kind: str) -> StepOutput:
    facts = parse_facts(_ChildFacts, input.facts)
    issued = await call_department(
        "social_security",
        path,
        EnrollmentRequest(
            case_id=input.case_id, id_number=facts.child_id_number, name=facts.child.name
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(documents=[_document(kind, issued)])


@activity.defn(name="social_security.medical_insurance_enrollment")
async def medical_insurance_enrollment(input: StepInput) -> StepOutput:
    """Enroll the child in resident medical insurance."""
    return await _enroll(input, "/medical-insurance-enrollments", "medical_insurance_enrollment")


@activity.defn(name="social_security.social_security_card")
async def social_security_card(input: StepInput) -> StepOutput:
    """Issue the child's social security card."""
    return await _enroll(input, "/social-security-cards", "social_security_card")


@activity.defn(name="social_security.maternity_benefit")
async def maternity_benefit(input: StepInput) -> StepOutput:
    """Pay the maternity benefit to the account on the mother's card, if she is insured."""
    facts = parse_facts(_MaternityFacts, input.facts)
    benefit = await call_department(
        "social_security",
        "/maternity-benefits",
        MaternityBenefitRequest(
            case_id=input.case_id,
            mother_id_number=facts.mother.id_number,
            birth_certificate_number=facts.birth_certificate_number,
        ),
        MaternityBenefit,
        idempotency_key=input.idempotency_key,
    )
    if not benefit.eligible or benefit.number is None or benefit.issued_at is None:
        return StepOutput(skipped="the mother is not insured: no maternity benefit is due")
    return StepOutput(
        documents=[
            Document(
                kind="maternity_benefit",
                department="social_security",
                number=benefit.number,
                issued_at=benefit.issued_at,
            )
        ]
    )


def _document(kind: str, issued: IssuedDocument) -> Document:
    return Document(
        kind=kind, department="social_security", number=issued.number, issued_at=issued.issued_at
    )
