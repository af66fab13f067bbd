"""The health commission: hospitals, birth and death medical certificates, first vaccinations."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    BirthCertificateRequest,
    DeathCertificateRequest,
    IssuedDocument,
    VaccinationRecordRequest,
)
from departments.clock import china_date, in_china, now_in_china
from departments.documents import find_document, issue_document
from departments.http import IdempotencyKey, respond
from departments.idempotency import run_once
from departments.jinhua import HOSPITALS
from departments.refusals import (
    checked_age,
    checked_id_number,
    checked_not_in_future,
    living_resident,
    refuse,
)
from departments.residents import SCHEMA as RESIDENTS_SCHEMA
from departments.residents import record_death, seed_residents
from departments.service import DepartmentService, PopulationSource
from departments.store import Store
from events.plausibility import (
    MAX_AGE,
    MAX_FATHER_AGE,
    MAX_MOTHER_AGE,
    MIN_PARENT_AGE,
    birth_date_in,
)

BIRTH_CERTIFICATE: Final = "birth_medical_certificate"
VACCINATION_RECORD: Final = "vaccination_record"
DEATH_CERTIFICATE: Final = "death_medical_certificate"
#: Given to every newborn within 24 hours of birth: hepatitis B (first dose) and BCG.
BIRTH_VACCINES: Final = ("HepB-1", "BCG")

SCHEMA: Final = (
    RESIDENTS_SCHEMA
    + """
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
CREATE TABLE IF NOT EXISTS death_certificates (
    id_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    case_id TEXT NOT NULL,
    died_at TEXT NOT NULL,
    place TEXT NOT NULL CHECK (place IN ('hospital', 'home', 'other')),
    verification_id TEXT
);
"""
)


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register Jinhua's hospitals and its residents (the mothers and the deceased)."""
    conn.executemany(
        "INSERT INTO hospitals (code, name, region) VALUES (?, ?, ?)",
        [(h.code, h.name, h.region) for h in HOSPITALS],
    )
    seed_residents(conn, source.load())


def issue_birth_certificate(
    conn: sqlite3.Connection, body: BirthCertificateRequest
) -> IssuedDocument:
    """Issue the birth medical certificate of a child born in a known hospital.

    The mother must be a woman of the residents register, alive when the child was born and
    aged 14 to 60 then; a father named must have been aged 14 to 80.

    Raises:
        DepartmentError: ``unknown_hospital``, ``invalid_id_number``, ``implausible_time``
            (born in the future), ``person_not_found`` or ``person_deceased`` (the mother),
            ``not_a_mother`` (a man's ID number) or ``implausible_age``.
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
    born_at = checked_not_in_future(body.child.born_at, field="child.born_at", now=now_in_china())
    _check_parents(conn, mother, father, born_at)
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


def _check_parents(
    conn: sqlite3.Connection, mother: str, father: str | None, born_at: datetime
) -> None:
    resident = living_resident(conn, mother, field="mother_id_number", alive_on=china_date(born_at))
    if resident.sex != "F":
        raise refuse("not_a_mother", "mother_id_number is not a woman's")
    checked_age(
        resident.birth_date,
        born_at,
        field="mother_id_number",
        youngest=MIN_PARENT_AGE,
        oldest=MAX_MOTHER_AGE,
        what="give birth at child.born_at",
    )
    if father is not None:
        checked_age(
            birth_date_in(father),
            born_at,
            field="father_id_number",
            youngest=MIN_PARENT_AGE,
            oldest=MAX_FATHER_AGE,
            what="father a child born at child.born_at",
        )


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


def issue_death_certificate(
    conn: sqlite3.Connection, body: DeathCertificateRequest
) -> IssuedDocument:
    """Issue the medical certificate of death (死亡医学证明).

    A death outside hospital is certified only on a police verification that an officer
    confirmed it. A person's death is certified once: the same case asking again gets the first
    certificate.

    Raises:
        DepartmentError: ``invalid_id_number``, ``verification_required``,
            ``death_already_certified`` (for another case), ``implausible_time`` (a death in
            the future), ``person_not_found``, ``person_deceased`` (dead before) or
            ``implausible_age`` (a death before the birth, or past the oldest age).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    if body.place != "hospital" and not body.verification_id:
        raise refuse(
            "verification_required",
            "a death outside hospital needs verification_id: police must confirm it first",
        )
    earlier = conn.execute(
        "SELECT number, case_id FROM death_certificates WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        if earlier["case_id"] != body.case_id:
            raise refuse(
                "death_already_certified", "id_number already has a medical certificate of death"
            )
        found = find_document(conn, earlier["number"], kind=DEATH_CERTIFICATE)
        assert found is not None, "a death certificate always has its document"
        return found
    died_at = in_china(checked_not_in_future(body.died_at, field="died_at", now=now_in_china()))
    deceased = living_resident(conn, id_number, field="id_number", alive_on=died_at.date())
    checked_age(
        deceased.birth_date, died_at, field="id_number", youngest=0, oldest=MAX_AGE, what="die"
    )
    document = issue_document(
        conn,
        department="health",
        kind=DEATH_CERTIFICATE,
        code="DMC",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "died_at": died_at.isoformat(),
            "place": body.place,
            "verification_id": body.verification_id,
        },
    )
    conn.execute(
        "INSERT INTO death_certificates (id_number, number, case_id, died_at, place, "
        "verification_id) VALUES (?, ?, ?, ?, ?, ?)",
        (
            id_number,
            document.number,
            body.case_id,
            died_at.isoformat(),
            body.place,
            body.verification_id,
        ),
    )
    record_death(conn, id_number, died_at.date())
    return document


def routes(store: Store) -> APIRouter:
    """Birth and death certificates and vaccination records."""
    router = APIRouter(tags=["health"])

    @router.post("/birth-certificates", response_model=IssuedDocument)
    async def birth_certificates(body: BirthCertificateRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_birth_certificate, body=body)
        return respond(
            run_once(store, scope="/birth-certificates", key=key, body=body, handler=handler)
        )

    @router.post("/vaccination-records", response_model=IssuedDocument)
    async def vaccination_records(body: VaccinationRecordRequest, key: IdempotencyKey) -> Response:
        handler = partial(record_vaccinations, body=body)
        return respond(
            run_once(store, scope="/vaccination-records", key=key, body=body, handler=handler)
        )

    @router.post("/death-certificates", response_model=IssuedDocument)
    async def death_certificates(body: DeathCertificateRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_death_certificate, body=body)
        return respond(
            run_once(store, scope="/death-certificates", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(department="health", schema=SCHEMA, seed=seed, routes=routes)
