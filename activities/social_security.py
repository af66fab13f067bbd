"""Social security: insurance, cards and benefits; pensions from approval to termination;
survivors' payments; new employers' accounts."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from activities.documents import as_document, issue_document
from departments.api import (
    ContributionQuery,
    ContributionRecord,
    DeathRecordRequest,
    EmployerRegistrationRequest,
    EnrollmentRequest,
    IssuedDocument,
    Kin,
    MaternityBenefit,
    MaternityBenefitRequest,
    Payment,
    PensionApproval,
    PensionApprovalRequest,
    PensionTermination,
    PensionTerminationRequest,
    Relative,
    RetireeMedicalInsuranceRequest,
    SurvivorBenefit,
    SurvivorPaymentRequest,
)
from events.models import Child, Company, Person
from onething.constants import CASE_SCOPE
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
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(documents=[as_document(kind, "social_security", issued)])


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
        scope=input.facts.get(CASE_SCOPE),
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


class _PersonFacts(BaseModel):
    person: Person


class _PensionFacts(BaseModel):
    person: Person
    birth_date: date
    sex: Literal["F", "M"]
    retirement_date: date
    kind: Literal["normal", "early"]
    contribution_months: int


class _RetireeFacts(BaseModel):
    person: Person
    pension_number: str


class _DeathFacts(BaseModel):
    deceased: Person
    death_certificate_number: str


class _TerminationFacts(_DeathFacts):
    died_at: AwareDatetime


class _SurvivorFacts(_DeathFacts):
    next_of_kin: list[Relative]


class _EmployerFacts(BaseModel):
    uscc: str
    company: Company
    employees: int


@activity.defn(name="social_security.contribution_record")
async def contribution_record(input: StepInput) -> StepOutput:
    """Read the contribution months and employers, so nobody brings proof of contributions."""
    facts = parse_facts(_PersonFacts, input.facts)
    record = await call_department(
        "social_security",
        "/contribution-records",
        ContributionQuery(
            case_id=input.case_id, requested_by="social_security", id_number=facts.person.id_number
        ),
        ContributionRecord,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={
            "contribution_months": record.contribution_months,
            "employment_summary": {
                "employers": record.employers,
                "last_employer": record.last_employer,
            },
        }
    )


@activity.defn(name="social_security.pension_approval")
async def pension_approval(input: StepInput) -> StepOutput:
    """Approve the basic pension from the retirement date; its number is the pension's."""
    facts = parse_facts(_PensionFacts, input.facts)
    approval = await call_department(
        "social_security",
        "/pension-approvals",
        PensionApprovalRequest(
            case_id=input.case_id,
            id_number=facts.person.id_number,
            birth_date=facts.birth_date,
            sex=facts.sex,
            retirement_date=facts.retirement_date,
            kind=facts.kind,
            contribution_months=facts.contribution_months,
        ),
        PensionApproval,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(
        facts={
            "pension_number": approval.number,
            "monthly_pension_cny": approval.monthly_pension_cny,
        },
        documents=[as_document("pension_approval", "social_security", approval)],
    )


@activity.defn(name="social_security.retiree_medical_insurance")
async def retiree_medical_insurance(input: StepInput) -> StepOutput:
    """Continue the new pensioner's medical insurance as a retiree."""
    facts = parse_facts(_RetireeFacts, input.facts)
    return await issue_document(
        input,
        "social_security",
        "/retiree-medical-insurance",
        RetireeMedicalInsuranceRequest(
            case_id=input.case_id,
            id_number=facts.person.id_number,
            pension_number=facts.pension_number,
        ),
        "retiree_medical_insurance",
    )


@activity.defn(name="social_security.pension_termination")
async def pension_termination(input: StepInput) -> StepOutput:
    """Stop the deceased's pension; give the retirement cases still open for them either way."""
    facts = parse_facts(_TerminationFacts, input.facts)
    termination = await call_department(
        "social_security",
        "/pension-terminations",
        PensionTerminationRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            died_at=facts.died_at,
            death_certificate_number=facts.death_certificate_number,
        ),
        PensionTermination,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    gives = {"open_case_ids": termination.open_case_ids}
    if termination.number is None or termination.issued_at is None:
        return StepOutput(facts=gives, skipped="the deceased drew no pension: nothing to stop")
    return StepOutput(
        facts=gives,
        documents=[
            Document(
                kind="pension_termination",
                department="social_security",
                number=termination.number,
                issued_at=termination.issued_at,
            )
        ],
    )


def _survivors(input: StepInput) -> SurvivorPaymentRequest:
    facts = parse_facts(_SurvivorFacts, input.facts)
    return SurvivorPaymentRequest(
        case_id=input.case_id,
        id_number=facts.deceased.id_number,
        death_certificate_number=facts.death_certificate_number,
        next_of_kin=[Kin(id_number=r.id_number, relation=r.relation) for r in facts.next_of_kin],
    )


@activity.defn(name="social_security.funeral_allowance")
async def funeral_allowance(input: StepInput) -> StepOutput:
    """Pay the funeral allowance to the card account of the first next of kin who has one."""
    payment = await call_department(
        "social_security",
        "/funeral-allowances",
        _survivors(input),
        Payment,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    return StepOutput(documents=[as_document("funeral_allowance", "social_security", payment)])


@activity.defn(name="social_security.survivor_benefit")
async def survivor_benefit(input: StepInput) -> StepOutput:
    """Pay the survivor benefit if the deceased was insured, to the next of kin's card."""
    benefit = await call_department(
        "social_security",
        "/survivor-benefits",
        _survivors(input),
        SurvivorBenefit,
        idempotency_key=input.idempotency_key,
        scope=input.facts.get(CASE_SCOPE),
    )
    if not benefit.eligible or benefit.number is None or benefit.issued_at is None:
        return StepOutput(skipped="the deceased was not insured: no survivor benefit is due")
    return StepOutput(
        documents=[
            Document(
                kind="survivor_benefit",
                department="social_security",
                number=benefit.number,
                issued_at=benefit.issued_at,
            )
        ]
    )


@activity.defn(name="social_security.medical_insurance_termination")
async def medical_insurance_termination(input: StepInput) -> StepOutput:
    """End the deceased's medical insurance on the death certificate."""
    facts = parse_facts(_DeathFacts, input.facts)
    return await issue_document(
        input,
        "social_security",
        "/medical-insurance-terminations",
        DeathRecordRequest(
            case_id=input.case_id,
            id_number=facts.deceased.id_number,
            death_certificate_number=facts.death_certificate_number,
        ),
        "medical_insurance_termination",
    )


@activity.defn(name="social_security.employer_registration")
async def employer_registration(input: StepInput) -> StepOutput:
    """Open the new company's employer account for its employees' social insurance."""
    facts = parse_facts(_EmployerFacts, input.facts)
    return await issue_document(
        input,
        "social_security",
        "/employer-registrations",
        EmployerRegistrationRequest(
            case_id=input.case_id,
            uscc=facts.uscc,
            company_name=facts.company.name,
            employees=facts.employees,
        ),
        "employer_social_security_registration",
    )
