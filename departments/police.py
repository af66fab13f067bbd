"""The public security bureau: the household register (hukou), persons and family relations,
the standard address registry, and the registration of company seals."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    AddressCheck,
    AddressCheckRequest,
    CompanyRegistrationRequest,
    DeathRecordRequest,
    HouseholdRegistration,
    HouseholdRegistrationRequest,
    IdentityQuery,
    IdentityRecord,
    IssuedDocument,
    NextOfKin,
    NextOfKinQuery,
    Relative,
    VerificationRequest,
)
from departments.audit import Read, record_reads
from departments.clock import china_date, now_in_china
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.population import Family, business_addresses
from departments.refusals import (
    DepartmentError,
    checked_age,
    checked_id_number,
    checked_not_in_future,
    checked_uscc,
    person_not_found,
    refuse,
)
from departments.scope_guard import Scope
from departments.service import DepartmentService, PopulationSource
from departments.store import Store
from departments.verifications import Decision, VerificationRule
from events.plausibility import MAX_AGE, MAX_FATHER_AGE, MIN_PARENT_AGE, birth_date_in
from onething.identifiers import make_id_number

HOUSEHOLD_REGISTRATION: Final = "household_registration"
HOUSEHOLD_CANCELLATION: Final = "household_cancellation"
SEAL_REGISTRATION: Final = "seal_registration"

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS households (
    number TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS persons (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    birth_date TEXT NOT NULL,
    household_number TEXT NOT NULL REFERENCES households (number),
    phone TEXT,
    died_on TEXT
);
CREATE INDEX IF NOT EXISTS persons_by_household ON persons (household_number);
CREATE TABLE IF NOT EXISTS relations (
    id_number TEXT NOT NULL REFERENCES persons (id_number),
    relative_id_number TEXT NOT NULL REFERENCES persons (id_number),
    kind TEXT NOT NULL CHECK (kind IN ('parent', 'child', 'spouse')),
    PRIMARY KEY (id_number, relative_id_number, kind)
);
CREATE TABLE IF NOT EXISTS birth_registrations (
    birth_certificate_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    child_id_number TEXT NOT NULL REFERENCES persons (id_number),
    household_number TEXT NOT NULL REFERENCES households (number),
    request_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS household_cancellations (
    id_number TEXT PRIMARY KEY REFERENCES persons (id_number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    death_certificate_number TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS addresses (
    address TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    use TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seal_registrations (
    uscc TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    company_name TEXT NOT NULL,
    legal_representative_id_number TEXT NOT NULL
);
"""

_PURPOSE_BIRTH: Final = "newborn: register the child in a parent's household"
_PURPOSE_IDENTITY: Final = "confirm a person's identity, age and that they are alive"
_PURPOSE_KIN: Final = "death: find the next of kin of the deceased"
#: The order next of kin are listed in: the spouse first, as the usual payee and informant.
_RELATION_ORDER: Final = {"spouse": 0, "child": 1, "parent": 2}
_sequences = random.Random()


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register every person of the population, their households and family relations."""
    families = source.load().families
    conn.executemany(
        "INSERT INTO households (number, region, address) VALUES (?, ?, ?)",
        [(h.number, h.region, h.address) for f in families for h in f.households],
    )
    conn.executemany(
        "INSERT INTO persons (id_number, name, sex, birth_date, household_number, phone) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (p.id_number, p.name, p.sex, p.birth_date.isoformat(), p.household_number, p.phone)
            for f in families
            for p in f.members
        ],
    )
    conn.executemany(
        "INSERT INTO relations (id_number, relative_id_number, kind) VALUES (?, ?, ?)",
        [relation for f in families for relation in _relations(f)],
    )
    conn.executemany(
        "INSERT INTO addresses (address, region, use) VALUES (?, ?, ?)",
        [(a.address, a.region, a.use) for a in business_addresses(source.seed)],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO addresses (address, region, use) VALUES (?, ?, 'residential')",
        [(h.address, h.region) for f in families for h in f.households],
    )


def _relations(family: Family) -> Iterator[tuple[str, str, str]]:
    """Rows ``(person, relative, kind)``: the relative is the person's parent, child or spouse."""
    father, mother = family.father.id_number, family.mother.id_number
    grandfather, grandmother = family.grandfather.id_number, family.grandmother.id_number
    for elder in (grandfather, grandmother):
        yield father, elder, "parent"
        yield elder, father, "child"
    for a, b in ((father, mother), (grandfather, grandmother)):
        yield a, b, "spouse"
        yield b, a, "spouse"


def register_birth(
    conn: sqlite3.Connection, body: HouseholdRegistrationRequest, *, caller: str
) -> HouseholdRegistration:
    """Enter a newborn in a parent's household and give the child a new ID number.

    The child's ID number has the household's region, the birth date in China and a sequence
    number of the child's sex that no one born there that day holds yet. A birth certificate
    registers one child once: asking again with the same child returns the first registration.

    Both parents must have been 14 to 80 years old when the child was born (the mother's
    tighter bounds are health's to check on the birth certificate).

    Raises:
        DepartmentError: ``invalid_id_number``, ``person_not_found`` (the household parent is
            not registered or has died), ``birth_already_registered`` (with another child),
            ``implausible_time`` (born in the future) or ``implausible_age`` (a parent's age).
    """
    parent_id = checked_id_number(
        body.household_parent_id_number, field="household_parent_id_number"
    )
    other_id = (
        checked_id_number(body.other_parent_id_number, field="other_parent_id_number")
        if body.other_parent_id_number
        else None
    )
    fingerprint = _child_fingerprint(body, parent_id)
    earlier = _earlier_registration(conn, body.birth_certificate_number, fingerprint)
    if earlier is not None:
        return earlier
    born_at = checked_not_in_future(body.child.born_at, field="child.born_at", now=now_in_china())
    for field, id_number in (
        ("household_parent_id_number", parent_id),
        ("other_parent_id_number", other_id),
    ):
        if id_number is not None:
            checked_age(
                birth_date_in(id_number),
                born_at,
                field=field,
                youngest=MIN_PARENT_AGE,
                oldest=MAX_FATHER_AGE,
                what="be a parent of a child born at child.born_at",
            )
    parent = conn.execute(
        "SELECT p.household_number, h.region FROM persons p "
        "JOIN households h ON h.number = p.household_number "
        "WHERE p.id_number = ? AND p.died_on IS NULL",
        (parent_id,),
    ).fetchone()
    if parent is None:
        raise person_not_found("household_parent_id_number")
    parents = [parent_id]
    if other_id is not None and other_id != parent_id and _is_registered(conn, other_id):
        parents.append(other_id)
    record_reads(
        conn,
        [
            Read(body.case_id, caller, fact, id_number, _PURPOSE_BIRTH)
            for id_number, fact in zip(parents, ("household_membership", "identity"), strict=False)
        ],
    )
    born_on = china_date(body.child.born_at)
    child_id = _new_id_number(conn, parent["region"], born_on, male=body.child.sex == "M")
    conn.execute(
        "INSERT INTO persons (id_number, name, sex, birth_date, household_number) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            child_id,
            body.child.name,
            body.child.sex,
            born_on.isoformat(),
            parent["household_number"],
        ),
    )
    conn.executemany(
        "INSERT INTO relations (id_number, relative_id_number, kind) VALUES (?, ?, ?)",
        [row for p in parents for row in ((child_id, p, "parent"), (p, child_id, "child"))],
    )
    document = issue_document(
        conn,
        department="police",
        kind=HOUSEHOLD_REGISTRATION,
        code="HHR",
        case_id=body.case_id,
        subject_id_number=child_id,
        details={
            "birth_certificate_number": body.birth_certificate_number,
            "household_number": parent["household_number"],
            "parents": parents,
            "marriage_number": body.marriage_number,
        },
    )
    conn.execute(
        "INSERT INTO birth_registrations (birth_certificate_number, number, child_id_number, "
        "household_number, request_hash) VALUES (?, ?, ?, ?, ?)",
        (
            body.birth_certificate_number,
            document.number,
            child_id,
            parent["household_number"],
            fingerprint,
        ),
    )
    return HouseholdRegistration(
        number=document.number,
        issued_at=document.issued_at,
        child_id_number=child_id,
        household_number=parent["household_number"],
    )


def _child_fingerprint(body: HouseholdRegistrationRequest, parent_id: str) -> str:
    child = body.child
    return f"{child.name}|{child.sex}|{china_date(child.born_at).isoformat()}|{parent_id}"


def _earlier_registration(
    conn: sqlite3.Connection, birth_certificate_number: str, fingerprint: str
) -> HouseholdRegistration | None:
    row = conn.execute(
        "SELECT r.number, r.child_id_number, r.household_number, r.request_hash, d.issued_at "
        "FROM birth_registrations r JOIN documents d ON d.number = r.number "
        "WHERE r.birth_certificate_number = ?",
        (birth_certificate_number,),
    ).fetchone()
    if row is None:
        return None
    if row["request_hash"] != fingerprint:
        raise refuse(
            "birth_already_registered",
            "birth_certificate_number was already used to register another child",
        )
    return HouseholdRegistration.model_validate(
        {
            "number": row["number"],
            "issued_at": row["issued_at"],
            "child_id_number": row["child_id_number"],
            "household_number": row["household_number"],
        }
    )


def _is_registered(conn: sqlite3.Connection, id_number: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM persons WHERE id_number = ?", (id_number,)).fetchone()
        is not None
    )


def _new_id_number(conn: sqlite3.Connection, region: str, born_on: date, *, male: bool) -> str:
    prefix = f"{region}{born_on:%Y%m%d}"
    taken = {
        int(row[0][14:17])
        for row in conn.execute(
            "SELECT id_number FROM persons WHERE id_number BETWEEN ? AND ?",
            (prefix + "000", prefix + "999X"),
        )
    }
    free = [n for n in range(1 if male else 2, 1000, 2) if n not in taken]
    if not free:
        raise DepartmentError(
            422, "id_sequence_exhausted", "no sequence number is free for this region and date"
        )
    return make_id_number(region, born_on, _sequences.choice(free))


def identity_record(
    conn: sqlite3.Connection, body: IdentityQuery, *, caller: str
) -> IdentityRecord:
    """Read a person's birth date, sex, household and whether they are alive, and log the read.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``person_not_found``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    row = conn.execute(
        "SELECT birth_date, sex, household_number, died_on FROM persons WHERE id_number = ?",
        (id_number,),
    ).fetchone()
    if row is None:
        raise person_not_found("id_number")
    asked_by = caller
    record_reads(conn, [Read(body.case_id, asked_by, "identity", id_number, _PURPOSE_IDENTITY)])
    return IdentityRecord.model_validate(
        {
            "birth_date": row["birth_date"],
            "sex": row["sex"],
            "alive": row["died_on"] is None,
            "household_number": row["household_number"],
        }
    )


def next_of_kin(conn: sqlite3.Connection, body: NextOfKinQuery, *, caller: str) -> NextOfKin:
    """The living spouse, children and parents of a person, each read logged.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``person_not_found``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    if not _is_registered(conn, id_number):
        raise person_not_found("id_number")
    rows = conn.execute(
        "SELECT p.id_number, p.name, r.kind, p.birth_date FROM relations r "
        "JOIN persons p ON p.id_number = r.relative_id_number "
        "WHERE r.id_number = ? AND p.died_on IS NULL",
        (id_number,),
    ).fetchall()
    ordered = sorted(rows, key=lambda r: (_RELATION_ORDER[r["kind"]], r["birth_date"]))
    asked_by = caller
    record_reads(
        conn,
        [
            Read(body.case_id, asked_by, "next_of_kin", r["id_number"], _PURPOSE_KIN)
            for r in ordered
        ],
    )
    return NextOfKin(
        relatives=[
            Relative(id_number=r["id_number"], name=r["name"], relation=r["kind"]) for r in ordered
        ]
    )


def cancel_household_registration(
    conn: sqlite3.Connection, body: DeathRecordRequest
) -> IssuedDocument:
    """Cancel a deceased person's household registration and record the death.

    A person's registration is cancelled once: asking again returns the first cancellation.
    A time of death, when the request gives one, must be past and after the person's birth.

    Raises:
        DepartmentError: ``invalid_id_number``, ``person_not_found``, ``implausible_time``
            (a death in the future) or ``implausible_age`` (a death before the birth).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM household_cancellations WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        found = find_document(conn, earlier["number"], kind=HOUSEHOLD_CANCELLATION)
        assert found is not None, "a cancellation always has its document"
        return found
    person = conn.execute(
        "SELECT household_number, birth_date FROM persons WHERE id_number = ?", (id_number,)
    ).fetchone()
    if person is None:
        raise person_not_found("id_number")
    if body.died_at is not None:
        died_at = checked_not_in_future(body.died_at, field="died_at", now=now_in_china())
        checked_age(
            date.fromisoformat(person["birth_date"]),
            died_at,
            field="id_number",
            youngest=0,
            oldest=MAX_AGE,
            what="die at died_at",
        )
    document = issue_document(
        conn,
        department="police",
        kind=HOUSEHOLD_CANCELLATION,
        code="HHC",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "death_certificate_number": body.death_certificate_number,
            "household_number": person["household_number"],
        },
    )
    conn.execute(
        "UPDATE persons SET died_on = ? WHERE id_number = ?",
        (document.issued_at.date().isoformat(), id_number),
    )
    conn.execute(
        "INSERT INTO household_cancellations (id_number, number, death_certificate_number) "
        "VALUES (?, ?, ?)",
        (id_number, document.number, body.death_certificate_number),
    )
    return document


def address_known(conn: sqlite3.Connection, address: str) -> bool:
    """Whether ``address`` is in the standard address registry (spaces around it ignored)."""
    row = conn.execute("SELECT 1 FROM addresses WHERE address = ?", (address.strip(),)).fetchone()
    return row is not None


def check_address(conn: sqlite3.Connection, body: AddressCheckRequest) -> AddressCheck:
    """Say whether an address exists (an address is not personal data: no read is logged)."""
    return AddressCheck(exists=address_known(conn, body.address))


def register_seal(conn: sqlite3.Connection, body: CompanyRegistrationRequest) -> IssuedDocument:
    """Register the company's official seal for engraving (公章刻制备案).

    A company registers its seal once: asking again returns the first registration.

    Raises:
        DepartmentError: ``invalid_uscc`` or ``invalid_id_number``.
    """
    uscc = checked_uscc(body.uscc, field="uscc")
    representative = checked_id_number(
        body.legal_representative_id_number, field="legal_representative_id_number"
    )
    earlier = conn.execute(
        "SELECT number FROM seal_registrations WHERE uscc = ?", (uscc,)
    ).fetchone()
    if earlier is not None:
        found = find_document(conn, earlier["number"], kind=SEAL_REGISTRATION)
        assert found is not None, "a seal registration always has its document"
        return found
    document = issue_document(
        conn,
        department="police",
        kind=SEAL_REGISTRATION,
        code="SEA",
        case_id=body.case_id,
        subject_id_number=representative,
        details={"uscc": uscc, "company_name": body.company_name, "seals": ["company"]},
    )
    conn.execute(
        "INSERT INTO seal_registrations (uscc, number, company_name, "
        "legal_representative_id_number) VALUES (?, ?, ?, ?)",
        (uscc, document.number, body.company_name, representative),
    )
    return document


def _death_outside_hospital(_: sqlite3.Connection, __: VerificationRequest) -> Decision:
    # No record can show a death at home happened: an officer has to see for themselves.
    return Decision("pending", "an officer must confirm a death outside hospital")


def _address(conn: sqlite3.Connection, body: VerificationRequest) -> Decision:
    address = body.subject.get("address")
    if not isinstance(address, str) or not address.strip():
        raise refuse("invalid_subject", "subject.address must be a non-empty string")
    if address_known(conn, address):
        return Decision("confirmed", "the address is in the standard address registry")
    return Decision("pending", "the address is not in the registry: an officer must visit it")


VERIFICATIONS: Final[dict[str, VerificationRule]] = {
    "death_outside_hospital": _death_outside_hospital,
    "address": _address,
}


def routes(store: Store) -> APIRouter:
    """Household registrations and cancellations, identity, next of kin, addresses, seals."""
    router = APIRouter(tags=["police"])

    @router.post("/household-registrations", response_model=HouseholdRegistration)
    async def household_registrations(
        body: HouseholdRegistrationRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(register_birth, body=body, caller=caller)
        return respond(
            run_once(store, scope="/household-registrations", key=key, body=body, handler=handler)
        )

    @router.post("/identity-records", response_model=IdentityRecord)
    async def identity_records(
        body: IdentityQuery, key: IdempotencyKey, caller: Caller, guard: Scope
    ) -> Response:
        guard.require_person(store, body, caller, "identity_record")
        handler = partial(identity_record, body=body, caller=caller)
        return respond(
            run_once(store, scope="/identity-records", key=key, body=body, handler=handler)
        )

    @router.post("/next-of-kin", response_model=NextOfKin)
    async def next_of_kin_route(
        body: NextOfKinQuery, key: IdempotencyKey, caller: Caller, guard: Scope
    ) -> Response:
        guard.require_person(store, body, caller, "relations")
        handler = partial(next_of_kin, body=body, caller=caller)
        return respond(run_once(store, scope="/next-of-kin", key=key, body=body, handler=handler))

    @router.post("/household-cancellations", response_model=IssuedDocument)
    async def household_cancellations(body: DeathRecordRequest, key: IdempotencyKey) -> Response:
        handler = partial(cancel_household_registration, body=body)
        scope = "/household-cancellations"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/address-checks", response_model=AddressCheck)
    async def address_checks(body: AddressCheckRequest, key: IdempotencyKey) -> Response:
        handler = partial(check_address, body=body)
        return respond(
            run_once(store, scope="/address-checks", key=key, body=body, handler=handler)
        )

    @router.post("/seal-registrations", response_model=IssuedDocument)
    async def seal_registrations(body: CompanyRegistrationRequest, key: IdempotencyKey) -> Response:
        handler = partial(register_seal, body=body)
        return respond(
            run_once(store, scope="/seal-registrations", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="police", schema=SCHEMA, seed=seed, routes=routes, verifications=VERIFICATIONS
)
