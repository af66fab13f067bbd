"""The death bundle's endpoints: certificate, next of kin, household, funeral, pension, benefits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from departments.population import Family, Person, Population
from onething.constants import Department
from tests.unit.departments.helpers import as_department, post
from tests.unit.departments.records import one, reads

Client = Callable[[Department], TestClient]
CASE = "death-DTH-330702-CH-00000001"
DIED_AT = "2026-03-14T05:20:00+08:00"
CERTIFICATE = "HLT-DMC-2026-000001"


def _elderly(population: Population, *, pensioner: bool = True) -> Family:
    return next(
        f
        for f in population.cohort("elderly")
        if (f.grandfather.pension is not None) == pensioner and f.grandmother.insurance is not None
    )


def _record(person: Person, **changes: Any) -> dict[str, Any]:
    return {
        "case_id": CASE,
        "id_number": person.id_number,
        "death_certificate_number": CERTIFICATE,
    } | changes


def _recorded_dead(social: TestClient, *people: Person) -> None:
    """Social security records each death (its pension termination) before acting on it."""
    for person in people:
        response = post(social, "/pension-terminations", _record(person, died_at=DIED_AT))
        assert response.status_code == 200, response.text


def _kin(*people: tuple[Person, str]) -> list[dict[str, str]]:
    return [{"id_number": p.id_number, "relation": relation} for p, relation in people]


def test_a_death_in_hospital_is_certified_once_per_person(
    department: Client, population: Population
) -> None:
    health = department("health")
    deceased = _elderly(population).grandfather
    body = {
        "case_id": CASE,
        "id_number": deceased.id_number,
        "died_at": DIED_AT,
        "place": "hospital",
    }

    issued = post(health, "/death-certificates", body)
    again = post(health, "/death-certificates", body)
    other_case = post(health, "/death-certificates", {**body, "case_id": "death-OTHER"})

    assert issued.json()["number"].startswith("HLT-DMC-")
    assert again.json() == issued.json()
    assert other_case.status_code == 422
    assert other_case.json()["error"] == "death_already_certified"


def test_a_death_at_home_needs_a_verification(department: Client, population: Population) -> None:
    health = department("health")
    deceased = _elderly(population).grandfather
    body = {"case_id": CASE, "id_number": deceased.id_number, "died_at": DIED_AT, "place": "home"}

    unverified = post(health, "/death-certificates", body)
    verified = post(health, "/death-certificates", {**body, "verification_id": "POL-VER-2026-1"})

    assert unverified.status_code == 422
    assert unverified.json()["error"] == "verification_required"
    assert verified.status_code == 200


def test_a_death_time_far_off_is_an_invalid_request(
    department: Client, population: Population
) -> None:
    body = {
        "case_id": CASE,
        "id_number": _elderly(population).grandfather.id_number,
        "died_at": "0001-01-01T00:00:00-12:00",
        "place": "hospital",
    }
    response = post(department("health"), "/death-certificates", body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_next_of_kin_are_the_living_spouse_then_children_each_read_logged(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = _elderly(population)
    query = {"case_id": CASE, "requested_by": "social_security", "id_number": ""}

    kin = post(
        police,
        "/next-of-kin",
        {**query, "id_number": family.grandfather.id_number},
        headers=as_department(police, "social_security"),
    )

    assert kin.json() == {
        "relatives": [
            {
                "id_number": family.grandmother.id_number,
                "name": family.grandmother.name,
                "relation": "spouse",
            },
            {"id_number": family.father.id_number, "name": family.father.name, "relation": "child"},
        ]
    }
    logged = reads(police, CASE)
    assert [(r.fact, r.subject_id_number) for r in logged] == [
        ("next_of_kin", family.grandmother.id_number),
        ("next_of_kin", family.father.id_number),
    ]
    assert {r.requested_by for r in logged} == {"social_security"}


def test_household_cancellation_records_the_death(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = _elderly(population)
    deceased = family.grandfather

    cancelled = post(police, "/household-cancellations", _record(deceased))
    again = post(police, "/household-cancellations", _record(deceased))
    identity = post(
        police,
        "/identity-records",
        {"case_id": CASE, "requested_by": "police", "id_number": deceased.id_number},
    )
    kin = post(
        police,
        "/next-of-kin",
        {"case_id": CASE, "requested_by": "police", "id_number": family.father.id_number},
    )

    assert cancelled.json()["number"].startswith("POL-HHC-")
    assert again.json() == cancelled.json()
    assert identity.json()["alive"] is False
    assert deceased.id_number not in {r["id_number"] for r in kin.json()["relatives"]}


def test_funeral_registration_ends_the_marriage(department: Client, population: Population) -> None:
    civil = department("civil_affairs")
    family = _elderly(population)
    body = _record(family.grandfather, informant_id_number=family.father.id_number)

    registered = post(civil, "/funeral-registrations", body)
    self_reported = post(
        civil,
        "/funeral-registrations",
        {**body, "informant_id_number": family.grandfather.id_number},
    )

    assert registered.json()["number"].startswith("CIV-FUN-")
    dissolved = one(
        civil,
        "SELECT dissolved_on FROM marriages WHERE number = ?",
        family.elders_marriage.number,
    )
    assert dissolved is not None
    assert self_reported.json()["error"] == "invalid_informant"


def test_pension_termination_stops_a_pension_and_closes_open_retirements(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    pensioner = _elderly(population).grandfather
    assert pensioner.pension is not None
    retiring = next(
        f.grandfather
        for f in population.cohort("retiring")
        if f.grandfather.insurance and f.grandfather.insurance.contribution_months >= 180
    )
    assert retiring.insurance is not None
    post(
        social,
        "/pension-approvals",
        {
            "case_id": "retirement-PEN-1",
            "id_number": retiring.id_number,
            "birth_date": retiring.birth_date.isoformat(),
            "sex": "M",
            "retirement_date": retiring.retirement_date.isoformat(),
            "kind": "normal",
            "contribution_months": retiring.insurance.contribution_months,
        },
    )

    paid = post(social, "/pension-terminations", _record(pensioner, died_at=DIED_AT)).json()
    retiree = post(social, "/pension-terminations", _record(retiring, died_at=DIED_AT)).json()
    replayed = post(social, "/pension-terminations", _record(retiring, died_at=DIED_AT)).json()
    nobody = post(
        social, "/pension-terminations", _record(population.family(0).father, died_at=DIED_AT)
    ).json()
    afterwards = post(
        social,
        "/pension-approvals",
        {
            "case_id": "retirement-PEN-2",
            "id_number": retiring.id_number,
            "birth_date": retiring.birth_date.isoformat(),
            "sex": "M",
            "retirement_date": retiring.retirement_date.isoformat(),
            "kind": "normal",
            "contribution_months": 200,
        },
    )

    assert paid["was_pensioner"] is True
    assert paid["number"].startswith("SSC-PTM-")
    assert paid["open_case_ids"] == []
    assert retiree["open_case_ids"] == ["retirement-PEN-1"]
    assert replayed == retiree
    assert nobody == {
        "was_pensioner": False,
        "number": None,
        "issued_at": None,
        "open_case_ids": [],
    }
    assert afterwards.json()["error"] == "person_deceased"


def test_funeral_allowance_is_paid_to_the_first_kin_with_a_card(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = _elderly(population)
    stranger = next(f.mother for f in population.families if f.mother.insurance is None)
    widow = family.grandmother
    assert widow.insurance is not None
    body = _record(family.grandfather, next_of_kin=_kin((stranger, "child"), (widow, "spouse")))
    _recorded_dead(social, family.grandfather)

    paid = post(
        social, "/funeral-allowances", body, headers={"X-Onething-Department": "social_security"}
    )
    again = post(social, "/funeral-allowances", body)

    payment = paid.json()
    assert payment["number"].startswith("SSC-FNA-")
    assert payment["recipient_relation"] == "spouse"
    assert re.fullmatch(r"\d{4} \*{4} \*{4} \d{4}", payment["paid_to_account"])
    assert payment["paid_to_account"].endswith(widow.insurance.bank_account[-4:])
    assert widow.insurance.bank_account not in paid.text
    assert again.json() == payment
    assert [r.subject_id_number for r in reads(social, CASE)] == [
        stranger.id_number,
        widow.id_number,
    ]


def test_funeral_allowance_needs_a_payee(department: Client, population: Population) -> None:
    family = _elderly(population)
    social = department("social_security")
    _recorded_dead(social, family.grandfather)
    response = post(
        social,
        "/funeral-allowances",
        _record(family.grandfather, next_of_kin=[]),
    )
    assert response.status_code == 422
    assert response.json()["error"] == "no_payee"


def test_survivor_benefit_is_ten_months_of_the_pension(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = _elderly(population)
    pension = family.grandfather.pension
    assert pension is not None
    kin = _kin((family.grandmother, "spouse"), (family.father, "child"))
    uninsured = next(f.mother for f in population.families if f.mother.insurance is None)
    _recorded_dead(social, family.grandfather, uninsured)

    benefit = post(social, "/survivor-benefits", _record(family.grandfather, next_of_kin=kin))
    none_due = post(social, "/survivor-benefits", _record(uninsured, next_of_kin=kin))

    assert benefit.json()["eligible"] is True
    assert benefit.json()["number"].startswith("SSC-SVB-")
    assert benefit.json()["amount_cny"] == pension.monthly_cny * 10
    assert benefit.json()["recipient_relation"] == "spouse"
    assert none_due.json()["eligible"] is False
    assert none_due.json()["number"] is None


def test_medical_insurance_ends_once(department: Client, population: Population) -> None:
    social = department("social_security")
    family = _elderly(population)
    uninsured = next(f.mother for f in population.families if f.mother.insurance is None)
    _recorded_dead(social, family.grandfather, uninsured)

    ended = post(social, "/medical-insurance-terminations", _record(family.grandfather))
    again = post(social, "/medical-insurance-terminations", _record(family.grandfather))
    nothing = post(social, "/medical-insurance-terminations", _record(uninsured))

    assert ended.json()["number"].startswith("SSC-MIT-")
    assert again.json() == ended.json()
    assert nothing.json()["error"] == "not_insured"


def test_deceased_tax_is_settled_and_the_taxpayer_closed(
    department: Client, population: Population
) -> None:
    tax = department("tax")
    worker = next(p for p in population.people() if p.employer is not None)

    settled = post(tax, "/deceased-tax-settlements", _record(worker))
    again = post(tax, "/deceased-tax-settlements", _record(worker))

    assert settled.json()["number"].startswith("TAX-DTS-")
    assert again.json() == settled.json()
    closed = one(tax, "SELECT closed_on FROM taxpayers WHERE id_number = ?", worker.id_number)
    assert closed is not None
