"""Departments check the case, not only the token: issuing needs the open case's scope."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from departments.population import Population
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER, scope_header, sign_scope
from onething.settings import Settings
from tests.unit.departments.helpers import as_department, post

Client = Callable[[Department], TestClient]


def _scope(settings: Settings, case: str, people: list[str], **kwargs: datetime) -> str:
    return scope_header(sign_scope(settings, case, people, **kwargs))


def _logged(settings: Settings, department: Department, person: str) -> list[tuple[str, str]]:
    with sqlite3.connect(settings.department_db(department)) as conn:
        rows = conn.execute(
            "SELECT fact, purpose FROM access_log WHERE subject_id_number = ?", (person,)
        ).fetchall()
    return [(fact, purpose) for fact, purpose in rows]


def _documents(settings: Settings, department: Department) -> int:
    with sqlite3.connect(settings.department_db(department)) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    return count


def test_a_payment_without_a_scope_is_refused_and_logged_like_a_read(
    department: Client, population: Population, settings: Settings
) -> None:
    # The probe: social security's own token, no scope, an invented case and certificate.
    social = department("social_security")
    man = population.family(3).grandfather.id_number
    body = {
        "case_id": "newborn-INVENTED-1",
        "mother_id_number": man,
        "birth_certificate_number": "HLT-BC-2026-999999",
    }

    paid = social.post(
        "/maternity-benefits", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )

    assert paid.status_code == 403
    assert paid.json() == {
        "error": "outside_case_scope",
        "detail": "the call carries no case scope",
    }
    assert man not in paid.text
    assert _logged(settings, "social_security", man) == [
        ("issue maternity-benefits", "REFUSED: the call carries no case scope")
    ]
    assert _documents(settings, "social_security") == 0


def test_an_issuing_call_for_someone_its_scope_does_not_name_is_refused(
    department: Client, population: Population, settings: Settings
) -> None:
    social = department("social_security")
    mother, stranger = population.family(1).mother.id_number, population.family(2).mother.id_number
    scope = _scope(settings, "newborn-T-9", [mother])
    body = {
        "case_id": "newborn-T-9",
        "mother_id_number": stranger,
        "birth_certificate_number": "HLT-BC-2026-000009",
    }

    paid = post(social, "/maternity-benefits", body, headers={SCOPE_HEADER: scope})

    assert paid.status_code == 403
    assert paid.json()["detail"] == "the case does not concern the person asked about"


def test_a_closed_cases_scope_opens_nothing(
    department: Client, population: Population, settings: Settings
) -> None:
    social = department("social_security")
    person = population.family(5).grandfather.id_number
    case = "retirement-PEN-T-5"
    scope = {SCOPE_HEADER: _scope(settings, case, [person])}
    query = {"case_id": case, "requested_by": "social_security", "id_number": person}
    before = post(social, "/contribution-records", query, headers=scope)

    closed = post(social, "/case-closures", {"case_id": case})
    again = post(social, "/case-closures", {"case_id": case})
    after = post(social, "/contribution-records", query, headers=scope)
    issuing = post(
        social, "/retiree-medical-insurance", {"case_id": case, "id_number": person}, headers=scope
    )

    assert before.status_code == 200
    assert (closed.status_code, again.status_code) == (200, 200)
    assert after.status_code == 403
    assert after.json()["detail"] == "the case is closed"
    assert issuing.status_code == 403
    assert issuing.json()["detail"] == "the case is closed"
    assert ("contribution_record", "REFUSED: the case is closed") in _logged(
        settings, "social_security", person
    )


def test_an_expired_scope_opens_nothing(
    department: Client, population: Population, settings: Settings
) -> None:
    police = department("police")
    person = population.family(6).father.id_number
    signed_long_ago = datetime.now(UTC) - settings.case_scope_lifetime - timedelta(minutes=1)
    scope = _scope(settings, "death-T-6", [person], now=signed_long_ago)
    query = {"case_id": "death-T-6", "requested_by": "police", "id_number": person}

    answer = post(police, "/identity-records", query, headers={SCOPE_HEADER: scope})

    assert answer.status_code == 403
    assert answer.json()["detail"] == "the case scope has expired"


def test_an_expiry_cannot_be_pushed_back(
    department: Client, population: Population, settings: Settings
) -> None:
    police = department("police")
    person = population.family(6).mother.id_number
    signed = sign_scope(settings, "death-T-7", [person])
    later = signed.model_copy(update={"expires_at": signed.expires_at + timedelta(days=365)})  # type: ignore[operator]
    query = {"case_id": "death-T-7", "requested_by": "police", "id_number": person}

    answer = post(police, "/identity-records", query, headers={SCOPE_HEADER: scope_header(later)})

    assert answer.status_code == 403
    assert answer.json()["detail"] == "the case scope's signature is wrong"


@pytest.mark.parametrize("asker", ["police", "tax"])
def test_only_the_department_itself_is_told_a_case_closed(
    department: Client, asker: Department
) -> None:
    social = department("social_security")

    told = post(social, "/case-closures", {"case_id": "x-1"}, headers=as_department(social, asker))

    assert told.status_code == 401


def test_a_request_answered_before_the_case_closed_is_replayed_never_a_new_one(
    department: Client, population: Population, settings: Settings
) -> None:
    # A reset case runs its steps again with the same keys: it gets the same answers.
    social = department("social_security")
    person = population.family(7).mother.id_number
    case = "newborn-T-7"
    scope = {SCOPE_HEADER: _scope(settings, case, [person])}
    query = {"case_id": case, "requested_by": "social_security", "id_number": person}
    issuing = {
        "case_id": case,
        "mother_id_number": person,
        "birth_certificate_number": "HLT-BC-2026-000007",
    }
    first = post(social, "/contribution-records", query, key=f"{case}/q", headers=scope)
    issued = post(social, "/maternity-benefits", issuing, key=f"{case}/i", headers=scope)
    post(social, "/case-closures", {"case_id": case})

    replayed = post(social, "/contribution-records", query, key=f"{case}/q", headers=scope)
    reissued = post(social, "/maternity-benefits", issuing, key=f"{case}/i", headers=scope)
    new = post(social, "/contribution-records", query, key=f"{case}/other", headers=scope)
    unscoped = post(
        social, "/maternity-benefits", issuing, key=f"{case}/i", headers={SCOPE_HEADER: ""}
    )

    assert first.status_code == 200
    assert issued.status_code == 200
    assert (replayed.status_code, replayed.json()) == (200, first.json())
    assert (reissued.status_code, reissued.json()) == (200, issued.json())
    assert new.status_code == 403
    assert unscoped.status_code == 403
