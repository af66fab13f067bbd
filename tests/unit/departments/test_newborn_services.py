"""The newborn bundle's endpoints, department by department."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from departments.audit import reads_for_case
from departments.population import Family, Population
from departments.store import Store
from onething.constants import Department
from onething.identifiers import make_id_number
from tests.unit.departments.helpers import BORN_AT, as_department, birth_certificate, post

Client = Callable[[Department], TestClient]
CHILD_ID = make_id_number("330781", date(2026, 11, 20), 1)
OTHER_CHILD_ID = make_id_number("330781", date(2026, 11, 20), 2)


def _family(population: Population, *, mother_insured: bool) -> Family:
    return next(
        f for f in population.families if (f.mother.insurance is not None) == mother_insured
    )


def test_health_answers_its_health_check(department: Client) -> None:
    response = department("market_regulation").get("/health")
    assert response.json() == {"status": "ok", "department": "market_regulation"}


def test_birth_certificate_needs_a_known_hospital(
    department: Client, population: Population
) -> None:
    health = department("health")
    body = birth_certificate(population.family(0), hospital="999999-XX")
    response = post(health, "/birth-certificates", body)
    assert response.status_code == 422
    assert response.json()["error"] == "unknown_hospital"


def test_vaccination_record_needs_a_certificate_health_issued(
    department: Client, population: Population
) -> None:
    health = department("health")
    certificate = post(health, "/birth-certificates", birth_certificate(population.family(0)))
    body = {"case_id": "newborn-T0", "born_at": BORN_AT}

    known = post(
        health,
        "/vaccination-records",
        {**body, "birth_certificate_number": certificate.json()["number"]},
    )
    unknown = post(
        health, "/vaccination-records", {**body, "birth_certificate_number": "HLT-BMC-2026-999999"}
    )

    assert known.status_code == 200
    assert known.json()["number"].startswith("HLT-VAC-")
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "unknown_birth_certificate"


def test_marriage_query_answers_and_records_both_reads(
    department: Client, population: Population
) -> None:
    civil = department("civil_affairs")
    family = population.family(2)
    query = {
        "case_id": "newborn-T2",
        "requested_by": "police",
        "spouse_a_id_number": family.mother.id_number,
        "spouse_b_id_number": family.father.id_number,
    }

    married = post(civil, "/marriage-queries", query, headers=as_department(civil, "police")).json()
    strangers = post(
        civil,
        "/marriage-queries",
        {**query, "spouse_b_id_number": population.family(3).father.id_number},
        headers=as_department(civil, "police"),
    ).json()

    assert married == {"married": True, "marriage_number": family.marriage.number}
    assert strangers == {"married": False, "marriage_number": None}
    store: Store = civil.app.state.store  # type: ignore[attr-defined]
    with store.transaction() as conn:
        reads = reads_for_case(conn, "newborn-T2")
    assert len(reads) == 4
    assert {r.requested_by for r in reads} == {"police"}
    assert {r.fact for r in reads} == {"marital_status"}
    assert reads[0].subject_id_number == family.mother.id_number


def test_maternity_benefit_is_paid_to_an_insured_mother_masked(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = _family(population, mother_insured=True)
    body = {
        "case_id": f"newborn-T{family.index}",
        "mother_id_number": family.mother.id_number,
        "birth_certificate_number": "HLT-BMC-2026-000001",
    }

    benefit = post(
        social, "/maternity-benefits", body, headers={"X-Onething-Department": "social_security"}
    ).json()

    insurance = family.mother.insurance
    assert insurance is not None
    assert benefit["eligible"] is True
    assert benefit["number"].startswith("SSC-MAT-")
    assert benefit["amount_cny"] == round(insurance.monthly_wage_cny / 30 * 158)
    account = benefit["paid_to_account"]
    assert re.fullmatch(r"\d{4} \*{4} \*{4} \d{4}", account)
    assert account.endswith(insurance.bank_account[-4:])
    assert insurance.bank_account not in str(benefit)


def test_maternity_benefit_is_refused_to_an_uninsured_mother(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = _family(population, mother_insured=False)
    body = {
        "case_id": f"newborn-T{family.index}",
        "mother_id_number": family.mother.id_number,
        "birth_certificate_number": "HLT-BMC-2026-000001",
    }

    benefit = post(social, "/maternity-benefits", body)

    assert benefit.status_code == 200
    assert benefit.json() == {
        "eligible": False,
        "number": None,
        "issued_at": None,
        "amount_cny": 0,
        "paid_to_account": None,
    }


def test_child_is_enrolled_and_gets_a_card_once(department: Client) -> None:
    social = department("social_security")
    body = {"case_id": "newborn-T1", "id_number": CHILD_ID, "name": "王小明"}

    enrollment = post(social, "/medical-insurance-enrollments", body)
    card = post(social, "/social-security-cards", body)
    enrollment_again = post(social, "/medical-insurance-enrollments", body)
    card_again = post(social, "/social-security-cards", body)

    assert enrollment.json()["number"].startswith("SSC-MIE-")
    assert card.json()["number"].startswith("SSC-CRD-")
    assert enrollment_again.json() == enrollment.json()
    assert card_again.json() == card.json()


def test_an_employee_is_not_enrolled_as_a_resident(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    mother = _family(population, mother_insured=True).mother
    body = {"case_id": "x", "id_number": mother.id_number, "name": mother.name}
    response = post(social, "/medical-insurance-enrollments", body)
    assert response.status_code == 422
    assert response.json()["error"] == "already_insured"


def test_infant_care_deduction_goes_to_the_taxpaying_parents(
    department: Client, population: Population
) -> None:
    tax = department("tax")
    family = population.family(4)
    body = {
        "case_id": "newborn-T4",
        "child_id_number": CHILD_ID,
        "parent_id_numbers": [family.father.id_number, family.mother.id_number],
    }

    deduction = post(tax, "/infant-care-deductions", body)
    strangers = post(
        tax,
        "/infant-care-deductions",
        {
            **body,
            "child_id_number": OTHER_CHILD_ID,
            "parent_id_numbers": ["11010519491231002X"],
        },
    )

    assert deduction.status_code == 200
    assert deduction.json()["number"].startswith("TAX-ICD-")
    assert strangers.status_code == 422
    assert strangers.json()["error"] == "taxpayer_not_found"
