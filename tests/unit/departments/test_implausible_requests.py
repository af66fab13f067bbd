"""Departments do not trust the orchestrator: no document or payment for what cannot be true.

A person in no register, already dead, or not of the age the request implies is refused with a
4xx answer (``DepartmentRejected`` in the activities), and the refusal names fields, never values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from departments.clock import CHINA_TZ
from departments.population import Family, Person, Population
from onething.constants import Department
from onething.identifiers import make_id_number
from tests.unit.departments.helpers import birth_certificate, child, household_registration, post
from tests.unit.departments.records import one

Client = Callable[[Department], TestClient]
CASE = "death-DTH-IMPLAUSIBLE-1"
FUTURE = "2099-01-01T08:00:00+08:00"
#: A valid ID number of a woman of 31 whom no register holds.
STRANGER = make_id_number("330782", date(1995, 3, 3), 998)


def _refused(response: httpx.Response, error: str, *values: str) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == error, body
    for value in values:
        assert value not in response.text
    detail: str = body["detail"]
    return detail


def _documents(client: TestClient) -> int:
    return int(one(client, "SELECT count(*) FROM documents"))


def _born_at(moment: date) -> str:
    return datetime(moment.year, moment.month, moment.day, 10, tzinfo=CHINA_TZ).isoformat()


def _elderly(population: Population) -> Family:
    return next(f for f in population.cohort("elderly") if f.grandmother.insurance is not None)


def _death(person: Person, **changes: Any) -> dict[str, Any]:
    return {
        "case_id": CASE,
        "id_number": person.id_number,
        "death_certificate_number": "HLT-DMC-2026-000001",
    } | changes


# --- health -----------------------------------------------------------------------------------


def test_health_refuses_a_birth_to_a_mother_in_no_register(
    department: Client, population: Population
) -> None:
    health = department("health")
    body = birth_certificate(population.family(0)) | {"mother_id_number": STRANGER}

    detail = _refused(post(health, "/birth-certificates", body), "person_not_found", STRANGER)

    assert "mother_id_number" in detail
    assert _documents(health) == 0


def test_health_refuses_a_birth_to_a_mother_who_died_before_it(
    department: Client, population: Population
) -> None:
    health = department("health")
    family = population.family(0)
    died = {
        "case_id": CASE,
        "id_number": family.mother.id_number,
        "died_at": "2026-01-05T08:00:00+08:00",
        "place": "hospital",
    }
    assert post(health, "/death-certificates", died).status_code == 200

    response = post(health, "/birth-certificates", birth_certificate(family))

    _refused(response, "person_deceased", family.mother.id_number)
    assert _documents(health) == 1


def test_health_refuses_a_mother_who_would_be_ten(
    department: Client, population: Population
) -> None:
    family = population.family(0)
    mother_at_ten = family.mother.birth_date.replace(year=family.mother.birth_date.year + 10)
    body = birth_certificate(family) | {"child": child(born_at=_born_at(mother_at_ten))}

    response = post(department("health"), "/birth-certificates", body)

    assert "mother_id_number" in _refused(response, "implausible_age", family.mother.id_number)


def test_health_refuses_a_grandmother_as_mother_and_a_man_as_mother(
    department: Client, population: Population
) -> None:
    health = department("health")
    family = next(f for f in population.cohort("elderly") if f.grandmother.age() > 61)
    as_grandmother = birth_certificate(family) | {"mother_id_number": family.grandmother.id_number}
    as_man = birth_certificate(family) | {"mother_id_number": family.father.id_number}

    _refused(post(health, "/birth-certificates", as_grandmother), "implausible_age")
    _refused(post(health, "/birth-certificates", as_man), "not_a_mother")


def test_health_refuses_a_father_over_eighty(department: Client, population: Population) -> None:
    family = next(f for f in population.cohort("elderly") if f.grandfather.age() > 81)
    body = birth_certificate(family) | {"father_id_number": family.grandfather.id_number}

    response = post(department("health"), "/birth-certificates", body)

    assert "father_id_number" in _refused(response, "implausible_age")


def test_health_refuses_a_child_born_in_the_future(
    department: Client, population: Population
) -> None:
    body = birth_certificate(population.family(0)) | {"child": child(born_at=FUTURE)}
    response = post(department("health"), "/birth-certificates", body)
    assert "child.born_at" in _refused(response, "implausible_time")


def test_health_refuses_death_certificates_that_cannot_be_true(
    department: Client, population: Population
) -> None:
    health = department("health")
    elder = _elderly(population).grandfather
    body = {"case_id": CASE, "id_number": elder.id_number, "place": "hospital"}
    before_birth = elder.birth_date - timedelta(days=2)

    future = post(health, "/death-certificates", body | {"died_at": FUTURE})
    stranger = post(
        health,
        "/death-certificates",
        body | {"id_number": STRANGER, "died_at": "2026-01-05T08:00:00+08:00"},
    )
    unborn = post(health, "/death-certificates", body | {"died_at": _born_at(before_birth)})

    _refused(future, "implausible_time", elder.id_number)
    _refused(stranger, "person_not_found", STRANGER)
    _refused(unborn, "implausible_age", elder.id_number)
    assert _documents(health) == 0


# --- police -----------------------------------------------------------------------------------


def test_police_refuse_to_cancel_the_registration_of_a_death_in_the_future(
    department: Client, population: Population
) -> None:
    police = department("police")
    elder = _elderly(population).grandfather

    future = post(police, "/household-cancellations", _death(elder, died_at=FUTURE))
    unborn = post(
        police,
        "/household-cancellations",
        _death(elder, died_at=_born_at(elder.birth_date - timedelta(days=1))),
    )

    assert "died_at" in _refused(future, "implausible_time", elder.id_number)
    _refused(unborn, "implausible_age", elder.id_number)
    assert one(police, "SELECT died_on FROM persons WHERE id_number = ?", elder.id_number) is None
    done = post(
        police, "/household-cancellations", _death(elder, died_at="2026-01-05T08:00:00+08:00")
    )
    assert done.status_code == 200


def test_police_refuse_a_birth_in_the_future_or_to_a_parent_too_old(
    department: Client, population: Population
) -> None:
    police = department("police")
    family = next(f for f in population.cohort("elderly") if f.grandfather.age() > 81)
    future = household_registration(family, born_at=FUTURE)
    too_old = household_registration(family) | {
        "household_parent_id_number": family.grandfather.id_number
    }

    _refused(post(police, "/household-registrations", future), "implausible_time")
    detail = _refused(post(police, "/household-registrations", too_old), "implausible_age")
    assert "household_parent_id_number" in detail
    assert _documents(police) == 0


# --- social security --------------------------------------------------------------------------


def test_no_maternity_benefit_for_a_mother_in_no_register_dead_or_a_man(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = next(f for f in population.families if f.mother.insurance is not None)
    body = {"case_id": "newborn-T1", "birth_certificate_number": "HLT-BMC-2026-000001"}

    stranger = post(social, "/maternity-benefits", body | {"mother_id_number": STRANGER})
    man = post(social, "/maternity-benefits", body | {"mother_id_number": family.father.id_number})
    died = _death(family.mother, died_at="2026-01-05T08:00:00+08:00")
    assert post(social, "/pension-terminations", died).status_code == 200
    dead = post(social, "/maternity-benefits", body | {"mother_id_number": family.mother.id_number})

    _refused(stranger, "person_not_found", STRANGER)
    _refused(man, "not_a_mother")
    _refused(dead, "person_deceased", family.mother.id_number)
    assert one(social, "SELECT count(*) FROM maternity_benefits") == 0


def test_no_payment_or_termination_for_a_death_social_security_has_not_recorded(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    family = _elderly(population)
    body = _death(
        family.grandfather,
        next_of_kin=[{"id_number": family.father.id_number, "relation": "child"}],
    )
    record = _death(family.grandfather)

    for path, request in (
        ("/funeral-allowances", body),
        ("/survivor-benefits", body),
        ("/medical-insurance-terminations", record),
    ):
        _refused(post(social, path, request), "death_not_recorded", family.grandfather.id_number)
    assert _documents(social) == 0


def test_social_security_refuses_deaths_that_cannot_be_true(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    elder = _elderly(population).grandfather

    future = post(social, "/pension-terminations", _death(elder, died_at=FUTURE))
    stranger = post(
        social,
        "/pension-terminations",
        _death(elder, id_number=STRANGER, died_at="2026-01-05T08:00:00+08:00"),
    )

    _refused(future, "implausible_time", elder.id_number)
    _refused(stranger, "person_not_found", STRANGER)
    assert one(social, "SELECT count(*) FROM deaths") == 0


def test_no_pension_from_2099_nor_for_a_person_in_no_register(
    department: Client, population: Population
) -> None:
    social = department("social_security")
    person = next(
        f.grandfather
        for f in population.cohort("retiring")
        if f.grandfather.insurance and f.grandfather.insurance.contribution_months >= 180
    )
    assert person.insurance is not None
    body = {
        "case_id": "retirement-PEN-9",
        "id_number": person.id_number,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "retirement_date": "2099-01-01",
        "kind": "normal",
        "contribution_months": person.insurance.contribution_months,
    }
    stranger_id = make_id_number("330782", date(1965, 3, 3), 997)

    late = post(social, "/pension-approvals", body)
    stranger = post(
        social,
        "/pension-approvals",
        body
        | {
            "id_number": stranger_id,
            "birth_date": "1965-03-03",
            "sex": "M",
            "retirement_date": "2026-03-03",
        },
    )

    assert "retirement_date" in _refused(late, "implausible_age", person.id_number)
    _refused(stranger, "person_not_found", stranger_id)
    assert _documents(social) == 0


# --- tax --------------------------------------------------------------------------------------


def test_tax_refuses_the_infant_deduction_for_a_child_not_born_yet(
    department: Client, population: Population
) -> None:
    family = population.family(0)
    body = {
        "case_id": "newborn-T0",
        "child_id_number": make_id_number("330781", date.today() + timedelta(days=40), 1),
        "parent_id_numbers": [family.father.id_number, family.mother.id_number],
    }
    response = post(department("tax"), "/infant-care-deductions", body)
    assert "child_id_number" in _refused(response, "implausible_age")


def test_tax_refuses_parents_too_young_and_pensions_of_the_young(
    department: Client, population: Population
) -> None:
    tax = department("tax")
    family = population.family(0)
    child_id = make_id_number("330781", date.today() - timedelta(days=30), 1)
    young_parent = make_id_number("330781", date.today() - timedelta(days=365 * 12), 2)
    deduction = {
        "case_id": "newborn-T0",
        "child_id_number": child_id,
        "parent_id_numbers": [family.father.id_number, young_parent],
    }
    pension = {
        "case_id": "retirement-PEN-9",
        "id_number": family.father.id_number,
        "pension_number": "SSC-PEN-2026-000001",
        "monthly_pension_cny": 3000,
    }

    detail = _refused(post(tax, "/infant-care-deductions", deduction), "implausible_age")
    assert "parent_id_numbers[1]" in detail
    _refused(post(tax, "/pension-income-registrations", pension), "implausible_age")
    assert _documents(tax) == 0
