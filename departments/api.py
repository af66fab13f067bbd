"""The HTTP interface of the department services: request and response bodies.

Every write is a ``POST`` carrying an ``Idempotency-Key`` header: the same key with the same body
returns the first answer again and issues nothing new; the same key with another body is a 409.
Personal data travels only in bodies, never in paths or query strings, so it never reaches an
access log. Errors are ``{"error": <type>, "detail": <text without personal data>}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseRef(_Body):
    """Which case a request serves; departments record it beside every read and write."""

    case_id: str


class IssuedDocument(_Body):
    """A document a department issued."""

    number: str
    issued_at: datetime


class ErrorBody(_Body):
    """A refusal or failure; ``error`` is a searchable type, ``detail`` holds no personal data."""

    error: str
    detail: str


class Health(_Body):
    """``GET /health``."""

    status: Literal["ok"]
    department: str


class Faults(_Body):
    """``PUT /admin/faults``: added latency and the share of requests answered 503."""

    latency_ms: int = 0
    error_rate: float = 0.0


# --- health -------------------------------------------------------------------------------------


class ChildRecord(_Body):
    """The newborn as the hospital recorded it."""

    name: str
    sex: Literal["F", "M"]
    born_at: datetime
    weight_g: int


class BirthCertificateRequest(CaseRef):
    """``POST /birth-certificates`` (health): the birth medical certificate."""

    hospital_code: str
    child: ChildRecord
    mother_id_number: str
    father_id_number: str | None


class VaccinationRecordRequest(CaseRef):
    """``POST /vaccination-records`` (health): the newborn's first vaccinations (HepB, BCG)."""

    birth_certificate_number: str
    born_at: datetime


# --- civil affairs ------------------------------------------------------------------------------


class MarriageQuery(CaseRef):
    """``POST /marriage-queries`` (civil_affairs): are these two people married to each other?"""

    requested_by: str
    spouse_a_id_number: str
    spouse_b_id_number: str


class MarriageAnswer(_Body):
    """The answer to a marriage query."""

    married: bool
    marriage_number: str | None


# --- police -------------------------------------------------------------------------------------


class HouseholdRegistrationRequest(CaseRef):
    """``POST /household-registrations`` (police): enter the child in a parent's household."""

    birth_certificate_number: str
    child: ChildRecord
    household_parent_id_number: str
    other_parent_id_number: str | None
    marriage_number: str | None


class HouseholdRegistration(IssuedDocument):
    """The registration, the child's new ID number, and the household it joined."""

    child_id_number: str
    household_number: str


# --- social security ----------------------------------------------------------------------------


class EnrollmentRequest(CaseRef):
    """``POST /medical-insurance-enrollments`` and ``POST /social-security-cards``."""

    id_number: str
    name: str


class MaternityBenefitRequest(CaseRef):
    """``POST /maternity-benefits``: paid to the account on the mother's social security card."""

    mother_id_number: str
    birth_certificate_number: str


class MaternityBenefit(_Body):
    """The benefit, or why none is due (``eligible`` false: the mother is not insured)."""

    eligible: bool
    number: str | None = None
    issued_at: datetime | None = None
    amount_cny: int = 0
    paid_to_account: str | None = None


# --- tax ----------------------------------------------------------------------------------------


class InfantCareDeductionRequest(CaseRef):
    """``POST /infant-care-deductions`` (tax): the parents' deduction for a child under 3."""

    child_id_number: str
    parent_id_numbers: list[str]
