"""Request builders for the department tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient

from departments.population import Family
from departments.scope_guard import people_acted_on
from onething.constants import Department
from onething.crypto.scope import SCOPE_HEADER, scope_header, sign_scope
from onething.crypto.tokens import department_token

BORN_AT = "2026-11-20T23:30:00+08:00"


def scope_for(client: TestClient, body: dict[str, Any], path: str = "") -> str:
    """A valid scope header for a call: its case may act on the people in its body."""
    app: Any = client.app
    people = people_acted_on(path, body)
    return scope_header(sign_scope(app.state.settings, body["case_id"], people))


def post(
    client: TestClient,
    path: str,
    body: dict[str, Any],
    *,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST with an Idempotency-Key (a fresh one unless given) and its case's scope."""
    all_headers = {"Idempotency-Key": key or uuid.uuid4().hex, **(headers or {})}
    if SCOPE_HEADER not in all_headers and "case_id" in body:
        all_headers[SCOPE_HEADER] = scope_for(client, body, path)
    response: httpx.Response = client.post(path, json=body, headers=all_headers)
    return response


def child(*, name: str = "王小明", sex: str = "M", born_at: str = BORN_AT) -> dict[str, Any]:
    """The newborn as a hospital records it."""
    return {"name": name, "sex": sex, "born_at": born_at, "weight_g": 3350}


def birth_certificate(family: Family, *, hospital: str = "330781-MCH") -> dict[str, Any]:
    """A ``BirthCertificateRequest`` for a child of ``family``."""
    return {
        "case_id": f"newborn-T{family.index}",
        "hospital_code": hospital,
        "child": child(),
        "mother_id_number": family.mother.id_number,
        "father_id_number": family.father.id_number,
    }


def household_registration(
    family: Family, *, certificate: str = "HLT-BMC-2026-000001", **child_fields: Any
) -> dict[str, Any]:
    """A ``HouseholdRegistrationRequest`` entering a child of ``family`` in the father's home."""
    return {
        "case_id": f"newborn-T{family.index}",
        "birth_certificate_number": certificate,
        "child": child(**child_fields),
        "household_parent_id_number": family.father.id_number,
        "other_parent_id_number": family.mother.id_number,
        "marriage_number": family.marriage.number,
    }


def as_department(client: TestClient, name: Department) -> dict[str, str]:
    """The header that makes a call to ``client``'s department as department ``name``."""
    app: Any = client.app
    return {"Authorization": f"Bearer {department_token(app.state.settings, name)}"}
