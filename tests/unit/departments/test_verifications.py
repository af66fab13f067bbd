"""Verifications, on every department: opened, decided by a rule or an operator, listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from departments.population import Population
from events.samples import FALSE_ADDRESS
from onething.constants import DEPARTMENTS, Department
from tests.unit.departments.helpers import as_department, post
from tests.unit.departments.records import one

Client = Callable[[Department], TestClient]


def _request(kind: str, subject: dict[str, Any], *, case: str = "business-QY-1") -> dict[str, Any]:
    return {
        "case_id": case,
        "requested_by": "market_regulation",
        "kind": kind,
        "subject": subject,
    }


def _answer(answer: str = "confirmed") -> dict[str, str]:
    return {"answer": answer, "operator": "officer-0412", "reason": "visited the premises"}


def test_a_registered_address_is_confirmed_at_once(
    department: Client, population: Population
) -> None:
    police = department("police")
    body = _request("address", {"address": population.addresses[0].address})

    status = post(police, "/verifications", body)

    assert status.status_code == 200
    assert status.json()["status"] == "confirmed"
    assert status.json()["verification_id"].startswith("POL-VER-")


def test_an_unknown_address_waits_for_an_officer_and_is_listed_without_it(
    department: Client,
) -> None:
    police = department("police")
    opened = post(
        police,
        "/verifications",
        _request("address", {"address": FALSE_ADDRESS}),
        headers=as_department(police, "market_regulation"),
    )

    listed = police.get("/verifications", params={"status": "pending"})

    assert opened.json()["status"] == "pending"
    assert listed.status_code == 200
    assert listed.json() == [
        {
            "verification_id": opened.json()["verification_id"],
            "case_id": "business-QY-1",
            "kind": "address",
            "requested_by": "market_regulation",
            "status": "pending",
            "opened_at": listed.json()[0]["opened_at"],
        }
    ]
    assert "虹兴路" not in listed.text
    assert "虹兴路" not in opened.text


def test_a_death_outside_hospital_always_waits_for_an_officer(
    department: Client, population: Population
) -> None:
    police = department("police")
    deceased = population.cohort("elderly")[0].grandfather
    body = _request(
        "death_outside_hospital",
        {"deceased": {"id_number": deceased.id_number}, "place": "home"},
        case="death-DTH-1",
    )

    status = post(police, "/verifications", body).json()

    assert status["status"] == "pending"
    assert deceased.id_number not in str(status)
    stored = one(
        police, "SELECT subject FROM verifications WHERE id = ?", status["verification_id"]
    )
    assert deceased.id_number in stored


def test_an_operator_answers_once(department: Client) -> None:
    police = department("police")
    opened = post(police, "/verifications", _request("address", {"address": FALSE_ADDRESS}))
    number = opened.json()["verification_id"]
    path = f"/verifications/{number}/answer"

    confirmed = post(police, path, _answer("confirmed"))
    again = post(police, path, _answer("confirmed"))
    contrary = post(police, path, _answer("refused"))
    now = police.get(f"/verifications/{number}")

    assert confirmed.status_code == again.status_code == 200
    assert confirmed.json() == again.json()
    assert confirmed.json()["status"] == "confirmed"
    assert contrary.status_code == 409
    assert contrary.json()["error"] == "already_answered"
    assert now.json() == confirmed.json()
    assert police.get("/verifications", params={"status": "pending"}).json() == []
    assert one(police, "SELECT answered_by FROM verifications WHERE id = ?", number) == (
        "officer-0412"
    )


def test_a_verification_decided_by_rule_cannot_be_overturned(
    department: Client, population: Population
) -> None:
    police = department("police")
    body = _request("address", {"address": population.addresses[1].address})
    number = post(police, "/verifications", body).json()["verification_id"]

    refused = post(police, f"/verifications/{number}/answer", _answer("refused"))

    assert refused.status_code == 409
    assert refused.json()["error"] == "already_answered"


def test_an_unknown_verification_is_404(department: Client) -> None:
    police = department("police")
    answered = post(police, "/verifications/POL-VER-2026-999999/answer", _answer())
    shown = police.get("/verifications/POL-VER-2026-999999")
    assert answered.status_code == shown.status_code == 404
    assert answered.json()["error"] == "verification_not_found"


def test_opening_is_idempotent_by_key(department: Client) -> None:
    police = department("police")
    body = _request("address", {"address": FALSE_ADDRESS})

    first = post(police, "/verifications", body, key="business-QY-1/address_verification")
    again = post(police, "/verifications", body, key="business-QY-1/address_verification")
    other = post(police, "/verifications", body, key="business-QY-2/address_verification")

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.json()["verification_id"] != first.json()["verification_id"]


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_every_department_refuses_a_kind_it_does_not_verify(
    department: Client, name: Department
) -> None:
    response = post(department(name), "/verifications", _request("unicorns", {}))
    assert response.status_code == 422
    assert response.json()["error"] == "unknown_verification_kind"


def test_an_address_verification_needs_an_address(department: Client) -> None:
    response = post(department("police"), "/verifications", _request("address", {"street": 1}))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_subject"


def test_asking_again_gets_the_verification_as_it_stands(department: Client) -> None:
    # A case asks again after an activity retry or an operator's reset: it must learn the
    # officer's answer, not wait for a visit that already happened.
    police = department("police")
    body = _request("address", {"address": FALSE_ADDRESS})
    opened = post(police, "/verifications", body, key="business-QY-1/address_verification")
    number = opened.json()["verification_id"]
    post(police, f"/verifications/{number}/answer", _answer("refused"))

    again = post(police, "/verifications", body, key="business-QY-1/address_verification")

    assert opened.json()["status"] == "pending"
    assert again.status_code == 200
    assert again.json()["verification_id"] == number
    assert again.json()["status"] == "refused"


def _withdrawal(case: str = "business-QY-1", reason: str = "CancelledByOperator") -> dict[str, str]:
    return {"case_id": case, "reason": reason}


def test_a_stopped_case_withdraws_what_is_pending_and_says_why(department: Client) -> None:
    police = department("police")
    pending = post(police, "/verifications", _request("address", {"address": FALSE_ADDRESS}))
    other = post(
        police,
        "/verifications",
        _request("address", {"address": FALSE_ADDRESS}, case="business-QY-2"),
    )
    number = pending.json()["verification_id"]

    withdrawn = post(police, "/verifications/withdraw", _withdrawal())
    again = post(police, "/verifications/withdraw", _withdrawal())
    shown = police.get(f"/verifications/{number}").json()
    answered = post(police, f"/verifications/{number}/answer", _answer())

    assert withdrawn.status_code == 200
    assert withdrawn.json() == {"case_id": "business-QY-1", "withdrawn": [number]}
    assert again.json()["withdrawn"] == []
    assert shown["status"] == "withdrawn"
    assert "CancelledByOperator" in shown["detail"]
    assert one(police, "SELECT reason FROM verifications WHERE id = ?", number) == (
        "CancelledByOperator"
    )
    assert (
        police.get("/verifications", params={"status": "withdrawn"}).json()[0]["verification_id"]
        == number
    )
    pending_now = police.get("/verifications", params={"status": "pending"}).json()
    assert [v["verification_id"] for v in pending_now] == [other.json()["verification_id"]]
    assert answered.status_code == 409
    assert answered.json()["error"] == "already_answered"


def test_a_withdrawal_leaves_answered_verifications_as_they_were(
    department: Client, population: Population
) -> None:
    police = department("police")
    body = _request("address", {"address": population.addresses[2].address})
    number = post(police, "/verifications", body).json()["verification_id"]

    withdrawn = post(police, "/verifications/withdraw", _withdrawal(reason="VerificationRefused"))

    assert withdrawn.json()["withdrawn"] == []
    assert police.get(f"/verifications/{number}").json()["status"] == "confirmed"


def test_a_withdrawal_needs_a_reason(department: Client) -> None:
    response = post(department("police"), "/verifications/withdraw", _withdrawal(reason=""))
    assert response.status_code == 422


def test_an_officer_sees_the_subject_and_the_read_is_logged(
    department: Client, population: Population
) -> None:
    police = department("police")
    deceased = population.cohort("elderly")[0].grandfather
    subject = {
        "deceased": {"id_number": deceased.id_number, "name": deceased.name},
        "place": "home",
    }
    opened = post(
        police, "/verifications", _request("death_outside_hospital", subject, case="death-DTH-7")
    )
    number = opened.json()["verification_id"]

    shown = police.get(
        f"/verifications/{number}/subject", headers={"X-Onething-Officer": "wang-0571"}
    )
    unnamed = police.get(f"/verifications/{number}/subject")
    missing = police.get(
        "/verifications/POL-VER-2026-999999/subject", headers={"X-Onething-Officer": "wang"}
    )
    log = police.post("/access-log/query", json={"id_number": deceased.id_number}).json()

    assert shown.status_code == 200
    assert shown.json() == {
        "verification_id": number,
        "case_id": "death-DTH-7",
        "kind": "death_outside_hospital",
        "subject": subject,
    }
    assert unnamed.status_code == 422
    assert missing.status_code == 404
    assert [(r["case_id"], r["fact"], r["purpose"]) for r in log["reads"]] == [
        (
            "death-DTH-7",
            "verification:death_outside_hospital",
            "death_outside_hospital verification by officer wang-0571",
        )
    ]
