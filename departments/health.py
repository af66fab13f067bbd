"""The health commission: hospitals, birth medical certificates and first vaccinations."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import BirthCertificateRequest, IssuedDocument, VaccinationRecordRequest
from departments.clock import china_date, in_china
from departments.documents import find_document, issue_document
from departments.http import IdempotencyKey, respond
from departments.idempotency import run_once
from departments.jinhua import HOSPITALS
from departments.refusals import checked_id_number, refuse
from departments.service import DepartmentService, PopulationSource
from departments.store import Store

BIRTH_CERTIFICATE: Final = "birth_medical_certificate"
VACCINATION_RECORD: Final = "vaccination_record"
#: Given to every newborn within 24 hours of birth: hepatitis B (first dose) and BCG.
BIRTH_VACCINES: Final = ("HepB-1", "BCG")

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS hospitals (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS birth_certificates (
    number TEXT PRIMARY KEY REFERENCES documents (number),
    hospital_code TEXT NOT NULL REFERENCES hospitals (code),
    mother_id_number TEXT NOT NULL,
    father_id_number TEXT,
    child_name TEXT NOT NULL,
    child_sex TEXT NOT NULL,
    born_at TEXT NOT NULL,
    weight_g INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS vaccination_records (
    birth_certificate_number TEXT PRIMARY KEY REFERENCES birth_certificates (number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
"""


def seed(conn: sqlite3.Connection, _: PopulationSource) -> None:
    """Register Jinhua's hospitals (health holds no persons)."""
    conn.executemany(
        "INSERT INTO hospitals (code, name, region) VALUES (?, ?, ?)",
        [(h.code, h.name, h.region) for h in HOSPITALS],
    )


def issue_birth_certificate(
    conn: sqlite3.Connection, body: BirthCertificateRequest
) -> IssuedDocument:
    """Issue the birth medical certificate of a child born in a known hospital.

    Raises:
        DepartmentError: ``unknown_hospital`` or ``invalid_id_number``.
    """
    known = conn.execute("SELECT 1 FROM hospitals WHERE code = ?", (body.hospital_code,)).fetchone()
    if known is None:
        raise refuse("unknown_hospital", "hospital_code names no hospital in the register")
    mother = checked_id_number(body.mother_id_number, field="mother_id_number")
    father = (
        checked_id_number(body.father_id_number, field="father_id_number")
        if body.father_id_number
        else None
    )
    document = issue_document(
        conn,
        department="health",
        kind=BIRTH_CERTIFICATE,
        code="BMC",
        case_id=body.case_id,
        subject_id_number=mother,
        details=body.model_dump(mode="json"),
    )
    conn.execute(
        "INSERT INTO birth_certificates (number, hospital_code, mother_id_number, "
        "father_id_number, child_name, child_sex, born_at, weight_g) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            document.number,
            body.hospital_code,
            mother,
            father,
            body.child.name,
            body.child.sex,
            body.child.born_at.isoformat(),
            body.child.weight_g,
        ),
    )
    return document


def record_vaccinations(conn: sqlite3.Connection, body: VaccinationRecordRequest) -> IssuedDocument:
    """Record the birth vaccinations of a child whose birth certificate health issued.

    A birth has one vaccination record: asking again returns the first one.

    Raises:
        DepartmentError: ``unknown_birth_certificate`` or ``birth_time_mismatch``.
    """
    certificate = conn.execute(
        "SELECT born_at FROM birth_certificates WHERE number = ?",
        (body.birth_certificate_number,),
    ).fetchone()
    if certificate is None:
        raise refuse(
            "unknown_birth_certificate",
            "birth_certificate_number names no birth certificate health issued",
        )
    if in_china(datetime.fromisoformat(certificate["born_at"])) != in_china(body.born_at):
        raise refuse("birth_time_mismatch", "born_at differs from the birth certificate")
    existing = conn.execute(
        "SELECT number FROM vaccination_records WHERE birth_certificate_number = ?",
        (body.birth_certificate_number,),
    ).fetchone()
    if existing is not None:
        found = find_document(conn, existing["number"], kind=VACCINATION_RECORD)
        assert found is not None, "a vaccination record always has its document"
        return found
    document = issue_document(
        conn,
        department="health",
        kind=VACCINATION_RECORD,
        code="VAC",
        case_id=body.case_id,
        subject_id_number=None,
        details={
            "birth_certificate_number": body.birth_certificate_number,
            "vaccines": list(BIRTH_VACCINES),
            "given_on": china_date(body.born_at).isoformat(),
        },
    )
    conn.execute(
        "INSERT INTO vaccination_records (birth_certificate_number, number) VALUES (?, ?)",
        (body.birth_certificate_number, document.number),
    )
    return document


def routes(store: Store) -> APIRouter:
    """``POST /birth-certificates`` and ``POST /vaccination-records``."""
    router = APIRouter(tags=["health"])

    @router.post("/birth-certificates", response_model=IssuedDocument)
    def birth_certificates(body: BirthCertificateRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_birth_certificate, body=body)
        return respond(
            run_once(store, scope="/birth-certificates", key=key, body=body, handler=handler)
        )

    @router.post("/vaccination-records", response_model=IssuedDocument)
    def vaccination_records(body: VaccinationRecordRequest, key: IdempotencyKey) -> Response:
        handler = partial(record_vaccinations, body=body)
        return respond(
            run_once(store, scope="/vaccination-records", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(department="health", schema=SCHEMA, seed=seed, routes=routes)
