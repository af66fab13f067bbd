"""Refusals a department answers with, and the checks that raise them.

Every refusal has a searchable ``error`` type and a ``detail`` that names fields, never values:
ID numbers and names must not reach error bodies or logs.
"""

from __future__ import annotations

from datetime import date

from departments.api import ErrorBody
from onething.identifiers import IdentifierError, validate_id_number, validate_uscc


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
