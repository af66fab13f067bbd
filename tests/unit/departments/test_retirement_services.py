"""The retirement bundle's endpoints: identity, contributions, pension, retiree insurance, tax."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from departments.clock import now_in_china
from departments.population import Person, Population
from onething.constants import Department
from onething.identifiers import make_id_number
from tests.unit.departments.helpers import as_department, post
from tests.unit.departments.records import one, reads

Client = Callable[[Department], TestClient]
CASE = "retirement-PEN-330700-2026-00000001"
STRANGER = make_id_number("110105", now_in_china().date().replace(year=1960), 11)


def _retirees(population: Population) -> list[Person]:
    """Grandfathers reaching retirement age with the 15 years of contributions a pension needs."""
    return [
        f.grandfather
        for f in population.cohort("retiring")
        if f.grandfather.insurance is not None
        and f.grandfather.insurance.contribution_months >= 180
    ]


def _retiree(population: Population) -> Person:
    return _retirees(population)[0]


def _approval(person: Person, **changes: Any) -> dict[str, Any]:
    assert person.insurance is not None
    return {
        "case_id": CASE,
        "id_number": person.id_number,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "retirement_date": person.retirement_date.isoformat(),
        "kind": "normal",
        "contribution_months": person.insurance.contribution_months,
    } | changes


def _query(person_id: str, requested_by: str = "social_security") -> dict[str, str]:
    return {"case_id": CASE, "requested_by": requested_by, "id_number": person_id}


def test_identity_record_reads_the_register_and_logs_the_read(
    department: Client, population: Population
) -> None:
    police = department("police")
    person = _retiree(population)

    record = post(
        police,
        "/identity-records",
        _query(person.id_number),
        headers=as_department(police, "social_security"),
    )

    assert record.json() == {
        "birth_date": person.birth_date.isoformat(),
        "sex": "M",
        "alive": True,
        "household_number": person.household_number,
    }
    [read] = reads(police, CASE)
    assert (read.requested_by, read.fact, read.subject_id_number) == (
        "social_security",
        "identity",
        person.id_number,
    )


def test_identity_record_of_a_stranger_is_refused_without_echoing_it(department: Client) -> None:
    response = post(department("police"), "/identity-records", _query(STRANGER))
    assert response.status_code == 422
    assert response.json()["error"] == "person_not_found"
    assert STRANGER not in response.text


def test_contribution_record_reads_the_insured_career(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    person = _retiree(population)
    assert person.insurance is not None

    record = post(social, "/contribution-records", _query(person.id_number)).json()
    unknown = post(social, "/contribution-records", _query(STRANGER)).json()

    assert record["contribution_months"] == person.insurance.contribution_months
    assert record["employers"] == len({e.employer for e in person.employment})
    assert record["last_employer"] == person.employment[-1].employer
    assert record["insured_since"] == person.insurance.insured_since.isoformat()
    assert unknown == {
        "contribution_months": 0,
        "employers": 0,
        "last_employer": None,
        "insured_since": None,
    }
    assert [r.fact for r in reads(social, CASE)] == ["contribution_record"] * 2


def test_pension_is_approved_once_per_case(department: Client, population: Population) -> None:
    social = department("social_security")
    person = _retiree(population)

    approval = post(social, "/pension-approvals", _approval(person), key=f"{CASE}/pension")
    replayed = post(social, "/pension-approvals", _approval(person), key=f"{CASE}/pension")
    asked_again = post(social, "/pension-approvals", _approval(person))
    other_case = post(social, "/pension-approvals", _approval(person, case_id="retirement-X"))

    assert approval.status_code == 200
    assert approval.json()["number"].startswith("SSC-PEN-")
    assert 1_000 < approval.json()["monthly_pension_cny"] < 20_000
    assert replayed.json() == asked_again.json() == approval.json()
    assert other_case.status_code == 422
    assert other_case.json()["error"] == "already_pensioner"


def test_pension_needs_fifteen_years_of_contributions(
    department: Client, population: Population
) -> None:
    response = post(
        department("social_security"),
        "/pension-approvals",
        _approval(_retiree(population), contribution_months=179),
    )
    assert response.status_code == 422
    assert response.json()["error"] == "insufficient_contributions"


def test_a_normal_pension_waits_for_the_statutory_age(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    person = _retiree(population)
    early_date = (person.retirement_date - timedelta(days=40)).isoformat()

    normal = post(social, "/pension-approvals", _approval(person, retirement_date=early_date))
    early = post(
        social, "/pension-approvals", _approval(person, retirement_date=early_date, kind="early")
    )

    assert normal.status_code == 422
    assert normal.json()["error"] == "below_retirement_age"
    assert early.status_code == 200


def test_facts_that_contradict_the_id_number_are_refused(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    person = _retiree(population)
    wrong_birth = (person.birth_date + timedelta(days=1)).isoformat()

    birth = post(social, "/pension-approvals", _approval(person, birth_date=wrong_birth))
    sex = post(social, "/pension-approvals", _approval(person, sex="F"))

    assert birth.json()["error"] == "birth_date_mismatch"
    assert sex.json()["error"] == "sex_mismatch"


def test_retiree_medical_insurance_follows_the_pension(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    person = _retiree(population)
    pension = post(social, "/pension-approvals", _approval(person)).json()["number"]
    body = {"case_id": CASE, "id_number": person.id_number, "pension_number": pension}

    other = _retirees(population)[1]

    enrolled = post(social, "/retiree-medical-insurance", body)
    again = post(social, "/retiree-medical-insurance", body)
    not_theirs = post(social, "/retiree-medical-insurance", {**body, "id_number": other.id_number})

    assert enrolled.json()["number"].startswith("SSC-RMI-")
    assert again.json() == enrolled.json()
    assert not_theirs.status_code == 422
    assert not_theirs.json()["error"] == "unknown_pension"


def test_pension_income_is_registered_and_withholding_stops(
    department: Client, population: Population
) -> None:
    tax = department("tax")
    person = _retiree(population)
    assert person.employer is not None
    body = {
        "case_id": CASE,
        "id_number": person.id_number,
        "pension_number": "SSC-PEN-2026-000001",
        "monthly_pension_cny": 4_200,
    }

    registered = post(tax, "/pension-income-registrations", body)
    again = post(tax, "/pension-income-registrations", body)

    assert registered.json()["number"].startswith("TAX-PIR-")
    assert again.json() == registered.json()
    employer = one(tax, "SELECT employer FROM taxpayers WHERE id_number = ?", person.id_number)
    assert employer is None
    assert [r.fact for r in reads(tax, CASE)] == ["taxpayer_status"]


def test_senior_citizen_card_is_for_sixty_and_over(
    department: Client, population: Population
) -> None:
    civil = department("civil_affairs")
    elder = population.cohort("elderly")[0].grandfather
    young = population.family(0).father

    def card(person: Person, **changes: Any) -> Any:
        body = {
            "case_id": CASE,
            "id_number": person.id_number,
            "name": person.name,
            "birth_date": person.birth_date.isoformat(),
        }
        return post(civil, "/senior-citizen-cards", body | changes)

    issued = card(elder)
    too_young = card(young)
    sixty_one = young.birth_date + timedelta(days=61 * 366)
    valid_later = card(young, valid_from=sixty_one.isoformat())
    mismatch = card(elder, birth_date="1950-01-01")

    assert issued.json()["number"].startswith("CIV-SCC-")
    assert card(elder).json() == issued.json()
    assert too_young.status_code == 422
    assert too_young.json()["error"] == "too_young"
    assert valid_later.status_code == 200
    assert mismatch.json()["error"] == "birth_date_mismatch"
