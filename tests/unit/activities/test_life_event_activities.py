"""The retirement, death and business activities against the simulated departments.

Each test feeds the activities the facts a case would hold (the sample event's data, then what
earlier steps gave), in the order the bundle runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from temporalio.activity import _Definition as _ActivityDefinition
from temporalio.exceptions import ApplicationError

from activities import (
    civil_affairs,
    health,
    market_regulation,
    police,
    revocations,
    social_security,
    tax,
    verifications,
)
from activities.department_client import use_transport
from activities.errors import DEPARTMENT_REJECTED
from activities.models import (
    RevokeInput,
    VerificationAnswerInput,
    VerificationInput,
    WithdrawInput,
)
from activities.registry import COMMON_ACTIVITIES, DEPARTMENT_ACTIVITIES
from departments.population import Population
from departments.refusals import birth_date_in
from events.samples import retirement_then_death, sample_event
from onething.constants import CASE_SCOPE, DEPARTMENTS, Bundle, Department
from onething.crypto.scope import id_numbers_in, sign_scope
from onething.settings import Settings, get_settings
from workflows.models import StepInput, StepOutput

Activity = Callable[[StepInput], Any]


class Case:
    """The facts of one case, fed to its steps the way the engine does."""

    def __init__(self, bundle: Bundle, event: dict[str, Any]) -> None:
        self.bundle = bundle
        self.case_id = f"{bundle}-{event['subject']}"
        self.facts: dict[str, Any] = dict(event["data"])
        # As the bridge does: the case may ask departments about the people its event names.
        people = id_numbers_in(event["data"])
        self.facts[CASE_SCOPE] = sign_scope(get_settings(), self.case_id, people).model_dump()
        self.documents: dict[str, str] = {}

    def input(self, step: str, **extra: Any) -> StepInput:
        return StepInput(
            case_id=self.case_id, bundle=self.bundle, step=step, facts=self.facts | extra
        )

    async def run(self, activity: Activity, step: str, **extra: Any) -> StepOutput:
        output: StepOutput = await activity(self.input(step, **extra))
        self.facts |= output.facts
        self.documents |= {d.kind: d.department for d in output.documents}
        return output


async def _retire(case: Case) -> None:
    await case.run(police.identity_record, "identity_record")
    await case.run(social_security.contribution_record, "contribution_record")
    await case.run(social_security.pension_approval, "pension_approval")
    await case.run(social_security.retiree_medical_insurance, "retiree_medical_insurance")
    await case.run(tax.pension_income_registration, "pension_income_registration")
    await case.run(civil_affairs.senior_citizen_card, "senior_citizen_card")


async def test_retirement_steps_pass_facts_and_issue_documents(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    case = Case("retirement", sample_event("retirement", 3, population))

    await _retire(case)

    person = case.facts["person"]
    assert case.facts["birth_date"] == birth_date_in(person["id_number"]).isoformat()
    assert case.facts["sex"] == "M"
    assert case.facts["alive"] is True
    assert case.facts["contribution_months"] >= 180
    assert set(case.facts["employment_summary"]) == {"employers", "last_employer"}
    assert case.facts["pension_number"].startswith("SSC-PEN-")
    assert case.facts["monthly_pension_cny"] > 0
    assert case.documents == {
        "pension_approval": "social_security",
        "retiree_medical_insurance": "social_security",
        "pension_income_registration": "tax",
        "senior_citizen_card": "civil_affairs",
    }


async def test_a_retried_step_returns_the_first_document(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    case = Case("retirement", sample_event("retirement", 4, population))
    await case.run(police.identity_record, "identity_record")
    await case.run(social_security.contribution_record, "contribution_record")

    first = await social_security.pension_approval(case.input("pension_approval"))
    retried = await social_security.pension_approval(case.input("pension_approval"))

    assert retried == first


async def test_death_at_home_after_a_retirement(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    retirement_event, death_event = retirement_then_death(5, population, place="home")
    retirement = Case("retirement", retirement_event)
    await _retire(retirement)
    case = Case("death", death_event)

    opened = await verifications.open_verification(
        VerificationInput(
            case_id=case.case_id,
            bundle="death",
            step="death_verification",
            provider="police",
            requested_by="health",
            kind="death_outside_hospital",
            subject={"deceased": case.facts["deceased"], "place": "home"},
        )
    )
    answered = await verifications.record_verification_answer(
        VerificationAnswerInput(
            case_id=case.case_id,
            provider="police",
            verification_id=opened.verification_id,
            answer="confirmed",
            operator="officer-0412",
            reason="death confirmed at the home",
        )
    )
    verified = {"verification_id": opened.verification_id, "status": answered.status}
    await case.run(
        health.death_medical_certificate, "death_medical_certificate", death_verification=verified
    )
    await case.run(police.next_of_kin, "next_of_kin")
    await case.run(police.household_cancellation, "household_cancellation")
    await case.run(civil_affairs.funeral_registration, "funeral_registration")
    termination = await case.run(social_security.pension_termination, "pension_termination")
    await case.run(social_security.funeral_allowance, "funeral_allowance")
    await case.run(social_security.survivor_benefit, "survivor_benefit")
    await case.run(social_security.medical_insurance_termination, "medical_insurance_termination")
    await case.run(tax.deceased_tax_settlement, "deceased_tax_settlement")

    assert opened.status == "pending"
    assert answered.status == "confirmed"
    assert case.facts["death_certificate_number"].startswith("HLT-DMC-")
    assert [k["relation"] for k in case.facts["next_of_kin"]] == ["spouse", "child"]
    assert termination.facts == {"open_case_ids": [retirement.case_id]}
    assert case.documents == {
        "death_medical_certificate": "health",
        "household_cancellation": "police",
        "funeral_registration": "civil_affairs",
        "pension_termination": "social_security",
        "funeral_allowance": "social_security",
        "survivor_benefit": "social_security",
        "medical_insurance_termination": "social_security",
        "deceased_tax_settlement": "tax",
    }


async def test_a_death_at_home_without_a_confirmed_verification_is_rejected(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    case = Case("death", sample_event("death", 6, population, place="home"))
    pending = {"verification_id": "POL-VER-2026-000001", "status": "pending"}

    with pytest.raises(ApplicationError) as refused:
        await health.death_medical_certificate(
            case.input("death_medical_certificate", death_verification=pending)
        )

    assert refused.value.type == DEPARTMENT_REJECTED
    assert refused.value.non_retryable
    assert "verification_required" in refused.value.message
    assert case.facts["deceased"]["id_number"] not in refused.value.message


async def test_a_death_of_someone_without_pension_gives_no_termination_but_open_cases(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    event = sample_event("death", 0, population)
    father = population.cohort("elderly")[0].father
    event["data"]["deceased"] = {"id_number": father.id_number, "name": father.name}
    case = Case("death", event)
    case.facts["death_certificate_number"] = "HLT-DMC-2026-000009"

    output = await case.run(social_security.pension_termination, "pension_termination")

    assert output.skipped is not None
    assert output.facts == {"open_case_ids": []}
    assert output.documents == []


async def test_business_on_a_false_pledge_is_revoked_and_recorded(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    case = Case("business", sample_event("business", 8, population, false_address=True))

    await case.run(police.representative_identity, "representative_identity")
    await case.run(market_regulation.pledge_eligibility, "pledge_eligibility")
    license_ = await case.run(
        market_regulation.business_license, "business_license", address_basis="commitment"
    )
    seal = await case.run(police.seal_registration, "seal_registration")
    taxes = await case.run(tax.tax_registration, "tax_registration")
    employer = await case.run(social_security.employer_registration, "employer_registration")
    check = await case.run(police.address_check, "address_check")
    issued = [*license_.documents, *seal.documents, *taxes.documents, *employer.documents]
    revoked = [
        await revocations.revoke_document(
            RevokeInput(case_id=case.case_id, document=document, reason="FalsePledge")
        )
        for document in reversed(issued)
    ]
    await case.run(
        market_regulation.credit_record,
        "credit_record",
        revoked_documents=[r.document.number for r in revoked],
        reason="the pledged address does not exist",
    )
    again = await market_regulation.pledge_eligibility(
        StepInput(
            case_id="business-next",
            bundle="business",
            step="pledge_eligibility",
            facts={
                "legal_representative": case.facts["legal_representative"],
                CASE_SCOPE: sign_scope(
                    get_settings(),
                    "business-next",
                    [case.facts["legal_representative"]["id_number"]],
                ).model_dump(),
            },
        )
    )

    assert case.facts["representative_alive"] is True
    assert case.facts["may_pledge"] is True
    assert case.facts["uscc"][2:8] == "330781"
    assert check.facts == {"address_exists": False}
    assert case.documents == {
        "business_license": "market_regulation",
        "seal_registration": "police",
        "tax_registration": "tax",
        "employer_social_security_registration": "social_security",
    }
    assert [r.document.kind for r in revoked] == [
        "employer_social_security_registration",
        "tax_registration",
        "seal_registration",
        "business_license",
    ]
    assert case.facts["credit_record_number"].startswith("MKT-CRR-")
    assert again.facts == {"may_pledge": False}


async def test_a_registered_address_passes_the_check(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    case = Case("business", sample_event("business", 10, population))
    check = await case.run(police.address_check, "address_check")
    assert check.facts == {"address_exists": True}


async def test_a_refusal_is_non_retryable_and_keyed_by_case_and_step(
    settings: Settings,
) -> None:
    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            422, json={"error": "person_not_found", "detail": "no person matches id_number"}
        )

    use_transport(httpx.MockTransport(refuse))
    try:
        event = sample_event("business", 11)
        with pytest.raises(ApplicationError) as refused:
            await police.representative_identity(
                Case("business", event).input("representative_identity")
            )
    finally:
        use_transport(None)

    [request] = seen
    assert request.url.path == "/identity-records"
    assert (
        request.headers["Idempotency-Key"] == f"business-{event['subject']}/representative_identity"
    )
    assert refused.value.type == DEPARTMENT_REJECTED
    assert refused.value.non_retryable
    assert "person_not_found" in refused.value.message


def test_every_department_hosts_the_common_activities() -> None:
    for department in DEPARTMENTS:
        hosted = DEPARTMENT_ACTIVITIES[department]
        assert all(activity in hosted for activity in COMMON_ACTIVITIES), department
        names = [_ActivityDefinition.must_from_callable(a).name for a in hosted]
        assert len(names) == len(set(names)), department


async def test_a_stopped_death_case_withdraws_the_home_visit_at_police(
    departments: dict[Department, FastAPI], population: Population
) -> None:
    _, death_event = retirement_then_death(6, population, place="home")
    case = Case("death", death_event)
    opened = await verifications.open_verification(
        VerificationInput(
            case_id=case.case_id,
            bundle="death",
            step="death_verification",
            provider="police",
            requested_by="health",
            kind="death_outside_hospital",
            subject={"deceased": case.facts["deceased"], "place": "home"},
        )
    )

    withdrawn = await verifications.withdraw_verifications(
        WithdrawInput(case_id=case.case_id, provider="police", reason="CancelledByOperator")
    )
    again = await verifications.withdraw_verifications(
        WithdrawInput(case_id=case.case_id, provider="police", reason="CancelledByOperator")
    )

    assert opened.status == "pending"
    assert withdrawn.withdrawn == [opened.verification_id]
    assert again.withdrawn == [opened.verification_id]  # the first answer, replayed by its key
