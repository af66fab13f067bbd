"""The business bundle's endpoints: addresses, pledges, license, seal, tax, social security."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from departments.population import Person, Population
from events.samples import FALSE_ADDRESS
from onething.constants import Department
from onething.identifiers import validate_uscc
from tests.unit.departments.helpers import post
from tests.unit.departments.records import one, reads

Client = Callable[[Department], TestClient]
CASE = "business-QY-330700-2026-00000001"


def _company(population: Population, **changes: Any) -> dict[str, Any]:
    return {
        "name": "兰溪恒达五金制品有限公司",
        "kind": "有限责任公司",
        "registered_capital_cny": 500_000,
        "address": population.addresses[0].address,
        "business_scope": "五金制品的制造与销售",
    } | changes


def _license(
    founder: Person, company: dict[str, Any], *, basis: str = "commitment", case: str = CASE
) -> dict[str, Any]:
    return {
        "case_id": case,
        "company": company,
        "legal_representative_id_number": founder.id_number,
        "address_basis": basis,
    }


def _credit(founder: Person, case: str = CASE) -> dict[str, Any]:
    return {
        "case_id": case,
        "id_number": founder.id_number,
        "reason": "the address pledged under commitment does not exist",
        "revoked_documents": ["MKT-BLC-2026-000001"],
    }


def test_police_hold_the_standard_address_registry(
    department: Client, population: Population
) -> None:
    police = department("police")
    household = population.family(0).households[0].address

    def exists(address: str) -> bool:
        body = {"case_id": CASE, "requested_by": "market_regulation", "address": address}
        answer: bool = post(police, "/address-checks", body).json()["exists"]
        return answer

    assert exists(population.addresses[5].address)
    assert exists(household)
    assert not exists(FALSE_ADDRESS)
    assert one(police, "SELECT count(*) FROM addresses WHERE address LIKE '%虹兴路%'") == 0
    assert reads(police, CASE) == []


def test_pledge_eligibility_reads_the_credit_records(
    department: Client, population: Population
) -> None:
    market = department("market_regulation")
    founder = population.founders[0]
    query = {"case_id": CASE, "requested_by": "market_regulation", "id_number": founder.id_number}

    before = post(market, "/pledge-eligibility", query).json()
    record = post(market, "/credit-records", _credit(founder), key="c1").json()
    replayed = post(market, "/credit-records", _credit(founder)).json()
    after = post(market, "/pledge-eligibility", query).json()

    assert before == {"may_pledge": True, "credit_records": 0}
    assert record["number"].startswith("MKT-CRR-")
    assert replayed == record
    assert after == {"may_pledge": False, "credit_records": 1}
    assert [r.fact for r in reads(market, CASE)] == ["credit_records", "credit_records"]


def test_a_license_gets_a_valid_credit_code_of_the_district(
    department: Client, population: Population
) -> None:
    market = department("market_regulation")
    founder = population.founders[0]
    registered = population.addresses[0]

    first = post(market, "/business-licenses", _license(founder, _company(population))).json()
    same_case = post(market, "/business-licenses", _license(founder, _company(population))).json()
    second = post(
        market,
        "/business-licenses",
        _license(founder, _company(population, name="兰溪隆盛纺织有限公司"), case="business-2"),
    ).json()

    assert first["number"].startswith("MKT-BLC-")
    assert validate_uscc(first["uscc"]) == first["uscc"]
    assert first["uscc"][2:8] == registered.region
    assert same_case == first
    assert second["uscc"] != first["uscc"]


def test_a_false_address_still_names_its_district(
    department: Client, population: Population
) -> None:
    company = _company(population, address=FALSE_ADDRESS)
    license_ = post(
        department("market_regulation"),
        "/business-licenses",
        _license(population.founders[0], company),
    ).json()
    assert license_["uscc"][2:8] == "330781"


def test_a_name_in_use_is_refused_until_its_license_is_revoked(
    department: Client, population: Population
) -> None:
    market = department("market_regulation")
    founder, other = population.founders[0], population.founders[1]
    first = post(market, "/business-licenses", _license(founder, _company(population))).json()

    taken = post(
        market, "/business-licenses", _license(other, _company(population), case="business-2")
    )
    post(
        market,
        "/revocations",
        {"case_id": CASE, "document_number": first["number"], "reason": "FalsePledge"},
    )
    freed = post(
        market, "/business-licenses", _license(other, _company(population), case="business-3")
    )

    assert taken.status_code == 422
    assert taken.json()["error"] == "name_taken"
    assert freed.status_code == 200


def test_a_broken_pledge_bars_the_next_commitment_but_not_a_verification(
    department: Client, population: Population
) -> None:
    market = department("market_regulation")
    founder = population.founders[0]
    post(market, "/credit-records", _credit(founder, case="business-old"))

    pledged = post(market, "/business-licenses", _license(founder, _company(population)))
    verified = post(
        market, "/business-licenses", _license(founder, _company(population), basis="verification")
    )

    assert pledged.status_code == 422
    assert pledged.json()["error"] == "pledge_not_allowed"
    assert verified.status_code == 200


def test_a_deceased_representative_is_refused(department: Client, population: Population) -> None:
    body = _license(population.founders[0], _company(population)) | {
        "legal_representative_alive": False
    }
    response = post(department("market_regulation"), "/business-licenses", body)
    assert response.json()["error"] == "representative_deceased"


@pytest.mark.parametrize(
    ("name", "path", "prefix"),
    [
        ("police", "/seal-registrations", "POL-SEA-"),
        ("tax", "/tax-registrations", "TAX-TRG-"),
        ("social_security", "/employer-registrations", "SSC-EMP-"),
    ],
)
def test_registrations_on_the_license_are_issued_once_and_revocable(
    department: Client, population: Population, name: Department, path: str, prefix: str
) -> None:
    market, client = department("market_regulation"), department(name)
    founder = population.founders[0]
    uscc = post(market, "/business-licenses", _license(founder, _company(population))).json()[
        "uscc"
    ]
    body: dict[str, Any] = {
        "case_id": CASE,
        "uscc": uscc,
        "company_name": "兰溪恒达五金制品有限公司",
    }
    body |= (
        {"employees": 12}
        if name == "social_security"
        else {"legal_representative_id_number": founder.id_number}
    )

    issued = post(client, path, body)
    again = post(client, path, body)
    invalid = post(client, path, {**body, "uscc": uscc[:-1] + ("0" if uscc[-1] != "0" else "1")})
    revoked = post(
        client,
        "/revocations",
        {"case_id": CASE, "document_number": issued.json()["number"], "reason": "FalsePledge"},
    )

    assert issued.json()["number"].startswith(prefix)
    assert again.json() == issued.json()
    assert invalid.status_code == 422
    assert invalid.json()["error"] == "invalid_uscc"
    assert revoked.status_code == 200
