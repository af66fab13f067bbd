"""Refusals a department answers with, and the checks that raise them.

Every refusal has a searchable ``error`` type and a ``detail`` that names fields, never values:
ID numbers and names must not reach error bodies or logs.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from departments.api import ErrorBody
from departments.clock import china_date
from departments.residents import Resident, find_resident
from events.plausibility import age_on
from onething.identifiers import IdentifierError, validate_id_number, validate_uscc
from onething.settings import get_settings


class DepartmentError(Exception):
    """A refusal: the HTTP status, a searchable error type and a detail without personal data.

    Args:
        status: The HTTP status (422 for permanent refusals about the request's content).
        error: The searchable type, e.g. ``person_not_found``.
        detail: What went wrong, naming fields but never their values.
    """

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail

    def body(self) -> ErrorBody:
        """The error as the JSON body of a response."""
        return ErrorBody(error=self.error, detail=self.detail)


def refuse(error: str, detail: str) -> DepartmentError:
    """A permanent refusal (422): retrying the same request can never succeed."""
    return DepartmentError(422, error, detail)


def person_not_found(field: str) -> DepartmentError:
    """The person named by ``field`` is not in this department's records."""
    return refuse("person_not_found", f"no person in the register matches {field}")


def checked_id_number(value: str, *, field: str) -> str:
    """Return the normalised ID number in ``value``.

    Raises:
        DepartmentError: ``invalid_id_number`` naming ``field`` (not the value).
    """
    try:
        return validate_id_number(value)
    except IdentifierError:
        raise refuse("invalid_id_number", f"{field} is not a valid resident ID number") from None


def checked_uscc(value: str, *, field: str) -> str:
    """Return the normalised unified social credit code in ``value``.

    Raises:
        DepartmentError: ``invalid_uscc`` naming ``field`` (not the value).
    """
    try:
        return validate_uscc(value)
    except IdentifierError:
        raise refuse("invalid_uscc", f"{field} is not a valid unified social credit code") from None


def birth_date_in(id_number: str) -> date:
    """The birth date a valid resident ID number encodes."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def checked_birth_date(id_number: str, birth_date: date, *, field: str) -> date:
    """Return ``birth_date`` if it is the one the ID number encodes.

    Raises:
        DepartmentError: ``birth_date_mismatch`` naming ``field``.
    """
    if birth_date_in(id_number) != birth_date:
        raise refuse("birth_date_mismatch", f"{field} differs from the birth date in id_number")
    return birth_date


def living_resident(
    conn: sqlite3.Connection, id_number: str, *, field: str, alive_on: date | None = None
) -> Resident:
    """The resident ``id_number`` names, alive on ``alive_on`` (today when None).

    Raises:
        DepartmentError: ``person_not_found`` (not in the residents register) or
            ``person_deceased`` (recorded dead before that day) naming ``field``.
    """
    resident = find_resident(conn, id_number)
    if resident is None:
        raise person_not_found(field)
    if resident.died_on is not None and (alive_on is None or resident.died_on < alive_on):
        raise refuse("person_deceased", f"{field} is recorded as deceased")
    return resident


def checked_not_in_future(moment: datetime, *, field: str, now: datetime) -> datetime:
    """Return ``moment`` if it is no later than ``now`` plus the allowed clock skew.

    Raises:
        DepartmentError: ``implausible_time`` naming ``field``.
    """
    if moment > now + get_settings().clock_skew:
        raise refuse("implausible_time", f"{field} is in the future")
    return moment


def checked_age(
    birth: date, on: datetime | date, *, field: str, youngest: int, oldest: int, what: str
) -> int:
    """Return the age on ``on`` (a day in China) if it lies from ``youngest`` to ``oldest``.

    Args:
        birth: The birth date of the person ``field`` names.
        on: When the request says the person did ``what``.
        field: The request field naming the person.
        youngest: The youngest plausible age, included.
        oldest: The oldest plausible age, included.
        what: What the person is said to do, e.g. ``"be the mother"``.

    Raises:
        DepartmentError: ``implausible_age`` naming ``field`` and the allowed range.
    """
    day = china_date(on) if isinstance(on, datetime) else on
    age = age_on(birth, day)
    if not youngest <= age <= oldest:
        raise refuse(
            "implausible_age",
            f"{field} gives an age outside {youngest}-{oldest} to {what}",
        )
    return age
