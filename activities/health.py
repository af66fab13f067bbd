"""Health: the birth and death medical certificates and the newborn's vaccination record."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import as_document, issue_document
from activities.models import VerificationState
from departments.api import (
    BirthCertificateRequest,
    ChildRecord,
    DeathCertificateRequest,
    IssuedDocument,
    VaccinationRecordRequest,
)
from events.models import Child, Hospital, Person
from onething.constants import CASE_SCOPE
from workflows.models import StepInput, StepOutput


class _BirthFacts(BaseModel):
    hospital: Hospital
    child: Child
    mother: Person
    father: Person | None


class _VaccinationFacts(BaseModel):
    child: Child
    birth_certificate_number: str
    child_id_number: str | None = None


class _Verified(BaseModel):
    verification_id: str
    status: VerificationState


class _DeathFacts(BaseModel):
    deceased: Person
    died_at: AwareDatetime
    place: Literal["hospital", "home", "other"]
    death_verification: _Verified | None


def child_record(child: Child) -> ChildRecord:
    """The child as departments record it."""
    return ChildRecord(
        name=child.name, sex=child.sex, born_at=child.born_at, weight_g=child.weight_g
    )


@activity.defn(name="health.birth_medical_certificate")
async def birth_medical_certificate(input: StepInput) -> StepOutput:
    """Issue the birth medical certificate from the hospital's record."""
    facts = parse_facts(_BirthFacts, input.facts)
    issued = await call_department(
        "health",
        "/birth-certificates",
        BirthCertificateRequest(
            case_id=input.case_id,
            hospital_code=facts.hospital.code,
            child=child_record(facts.child),
            mother_id_number=facts.mother.id_number,
            father_id_number=facts.father.id_number if facts.father else None,
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={"birth_certificate_number": issued.number},
        documents=[as_document("birth_medical_certificate", "health", issued)],
    )


@activity.defn(name="health.vaccination_record")
async def vaccination_record(input: StepInput) -> StepOutput:
    """Open the newborn's vaccination record (hepatitis B and BCG at birth)."""
    facts = parse_facts(_VaccinationFacts, input.facts)
    return await issue_document(
        input,
        "health",
        "/vaccination-records",
        VaccinationRecordRequest(
            case_id=input.case_id,
            birth_certificate_number=facts.birth_certificate_number,
            born_at=facts.child.born_at,
            child_id_number=facts.child_id_number,
        ),
        "vaccination_record",
    )


@activity.defn(name="health.death_medical_certificate")
async def death_medical_certificate(input: StepInput) -> StepOutput:
    """Issue the medical certificate of death; outside hospital, on police's confirmation."""
    facts = parse_facts(_DeathFacts, input.facts)
    verified = facts.death_verification
    issued = await call_department(
        "health",
        "/death-certificates",
        DeathCertificateRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            died_at=facts.died_at,
            place=facts.place,
            verification_id=(
                verified.verification_id if verified and verified.status == "confirmed" else None
            ),
        ),
        IssuedDocument,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={"death_certificate_number": issued.number},
        documents=[as_document("death_medical_certificate", "health", issued)],
    )
