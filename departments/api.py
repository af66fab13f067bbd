"""The HTTP interface of the department services: request and response bodies.

Every write is a ``POST`` carrying an ``Idempotency-Key`` header: the same key with the same body
returns the first answer again and issues nothing new; the same key with another body is a 409.
Personal data travels only in bodies, never in paths or query strings, so it never reaches an
access log. Errors are ``{"error": <type>, "detail": <text without personal data>}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

#: Bounds that keep money and counts inside SQLite's 64-bit integers.
MAX_AMOUNT_CNY: Final = 10**15
MAX_COUNT: Final = 10_000_000


def _plausible(moment: datetime) -> datetime:
    # Far-off years overflow when converted to China time; no register holds them anyway.
    if not 1900 <= moment.year <= 2200:
        raise ValueError("the year must be between 1900 and 2200")
    return moment


#: A moment a register can record (a death, say): years 1900 to 2200.
Moment = Annotated[datetime, AfterValidator(_plausible)]


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


class CaseClosure(CaseRef):
    """``POST /case-closures``: the case closed; its scope opens nothing here any more."""


class PersonQuery(CaseRef):
    """A data query about one person; the department records the read in its access log."""

    requested_by: str
    id_number: str


Sex = Literal["F", "M"]
DeathPlace = Literal["hospital", "home", "other"]
Relation = Literal["spouse", "child", "parent"]


# --- every department: verifications and revocations --------------------------------------------

VerificationState = Literal["confirmed", "refused", "pending", "withdrawn"]


class VerificationRequest(CaseRef):
    """``POST /verifications``: ask a department to confirm something only it can.

    ``subject`` is what to check (e.g. ``{"address": ...}``); it may hold personal data, so it
    stays in the department's database and is never returned or listed.
    """

    requested_by: str
    kind: str = Field(min_length=1, max_length=64)
    subject: dict[str, Any]


class VerificationStatus(_Body):
    """Where a verification stands; ``detail`` holds no personal data."""

    verification_id: str
    status: VerificationState
    detail: str


class VerificationAnswer(_Body):
    """``POST /verifications/{verification_id}/answer``: an operator's decision."""

    answer: Literal["confirmed", "refused"]
    operator: str = Field(min_length=1, max_length=200)
    reason: str = Field(max_length=2000)


class VerificationWithdrawal(CaseRef):
    """``POST /verifications/withdraw``: the case stopped; its pending verifications are moot.

    ``reason`` is the searchable type of why the case stopped (e.g. ``CancelledByOperator``),
    never personal data.
    """

    reason: str = Field(min_length=1, max_length=200)


class VerificationsWithdrawn(_Body):
    """The verifications of a case that a withdrawal closed (none when nothing was pending)."""

    case_id: str
    withdrawn: list[str]


class VerificationSubject(_Body):
    """``GET /verifications/{verification_id}/subject``: what an officer must check, and only that.

    For the providing department's own officers (through the workbench); each read is logged.
    """

    verification_id: str
    case_id: str
    kind: str
    subject: dict[str, Any]


class VerificationSummary(_Body):
    """A verification as ``GET /verifications`` lists it for operators (no personal data)."""

    verification_id: str
    case_id: str
    kind: str
    requested_by: str
    status: VerificationState
    opened_at: datetime


class RevocationRequest(CaseRef):
    """``POST /revocations``: withdraw a document this department issued."""

    document_number: str
    reason: str = Field(min_length=1, max_length=500)


class Revocation(_Body):
    """A revoked document and when it was (first) revoked."""

    document_number: str
    revoked_at: datetime


class AccessLogQuery(_Body):
    """``POST /access-log/query``: whose reads to list (in the body, never in the URL)."""

    id_number: str = Field(max_length=32)


class AccessRecord(_Body):
    """One read of the person's data: for which case, who asked, who holds it, what and why."""

    case_id: str
    requested_by: str
    held_by: str
    fact: str
    purpose: str
    at: datetime


class AccessLog(_Body):
    """The reads of one person's data this department recorded, newest first."""

    reads: list[AccessRecord]


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
    """``POST /vaccination-records`` (health): the newborn's first vaccinations (HepB, BCG).

    ``child_id_number`` links the record to the child's ID number (sent by cases started after
    that change; older cases leave it out).
    """

    birth_certificate_number: str
    born_at: datetime
    child_id_number: str | None = None


class DeathCertificateRequest(CaseRef):
    """``POST /death-certificates`` (health): the medical certificate of death.

    A death outside hospital needs ``verification_id``: the police verification that an
    officer confirmed it.
    """

    id_number: str
    died_at: Moment
    place: DeathPlace
    verification_id: str | None = None


class DeathRecordRequest(CaseRef):
    """A department closes its records of a deceased person, on the death certificate.

    ``POST /household-cancellations`` (police), ``POST /medical-insurance-terminations``
    (social_security) and ``POST /deceased-tax-settlements`` (tax).

    ``died_at`` is sent by cases started after police began checking it (older cases leave it
    out); police refuse a death dated in the future or before the person's birth.
    """

    id_number: str
    death_certificate_number: str
    died_at: Moment | None = None


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


class SeniorCitizenCardRequest(CaseRef):
    """``POST /senior-citizen-cards`` (civil_affairs): the card for residents aged 60 or more.

    The holder must be 60 on ``valid_from`` (today when None): a card can be prepared ahead of
    the day it takes effect, such as a retirement date.
    """

    id_number: str
    name: str
    birth_date: date
    valid_from: date | None = None


class FuneralRegistrationRequest(CaseRef):
    """``POST /funeral-registrations`` (civil_affairs): cremation and funeral registration."""

    id_number: str
    death_certificate_number: str
    informant_id_number: str


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


class IdentityQuery(PersonQuery):
    """``POST /identity-records`` (police): a person's identity as the register holds it."""


class IdentityRecord(_Body):
    """What the household register says about a person."""

    birth_date: date
    sex: Sex
    alive: bool
    household_number: str


class NextOfKinQuery(PersonQuery):
    """``POST /next-of-kin`` (police): the living spouse, children and parents of a person."""


class Relative(_Body):
    """A relative as the household register records them."""

    id_number: str
    name: str
    relation: Relation


class NextOfKin(_Body):
    """The living relatives: spouse first, then children, then parents."""

    relatives: list[Relative]


class AddressCheckRequest(CaseRef):
    """``POST /address-checks`` (police): is an address in the standard address registry?"""

    requested_by: str
    address: str = Field(min_length=1, max_length=256)


class AddressCheck(_Body):
    """Whether the address exists in the standard address registry."""

    exists: bool


class CompanyRegistrationRequest(CaseRef):
    """``POST /seal-registrations`` (police) and ``POST /tax-registrations`` (tax)."""

    uscc: str
    company_name: str = Field(min_length=1, max_length=256)
    legal_representative_id_number: str


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


class ContributionQuery(PersonQuery):
    """``POST /contribution-records`` (social_security): a person's insured career."""


class ContributionRecord(_Body):
    """A person's contributions; zeros and None for a person never insured."""

    contribution_months: int
    employers: int
    last_employer: str | None
    insured_since: date | None


class PensionApprovalRequest(CaseRef):
    """``POST /pension-approvals`` (social_security): approve the basic old-age pension."""

    id_number: str
    birth_date: date
    sex: Sex
    retirement_date: date
    kind: Literal["normal", "early"]
    contribution_months: int = Field(ge=0, le=1_200)


class PensionApproval(IssuedDocument):
    """The approval; its ``number`` is the pension's number."""

    monthly_pension_cny: int


class RetireeMedicalInsuranceRequest(CaseRef):
    """``POST /retiree-medical-insurance`` (social_security): medical insurance as a retiree."""

    id_number: str
    pension_number: str


class PensionTerminationRequest(CaseRef):
    """``POST /pension-terminations`` (social_security): stop a deceased person's pension."""

    id_number: str
    died_at: Moment
    death_certificate_number: str


class PensionTermination(_Body):
    """The termination, if a pension was paid, and the retirement cases still open.

    ``open_case_ids`` are the cases whose pension application for the deceased was still open;
    the termination closes them.
    """

    was_pensioner: bool
    number: str | None = None
    issued_at: datetime | None = None
    open_case_ids: list[str] = Field(default_factory=list)


class Kin(_Body):
    """A next of kin as a payment request names them: who, and how related."""

    id_number: str
    relation: Relation


class SurvivorPaymentRequest(CaseRef):
    """``POST /funeral-allowances`` and ``POST /survivor-benefits`` (social_security).

    The payment goes to the account on the card of the first of ``next_of_kin`` who has one.
    """

    id_number: str
    death_certificate_number: str
    next_of_kin: list[Kin]


class Payment(IssuedDocument):
    """A payment made: the amount, the masked account and how the payee is related."""

    amount_cny: int
    paid_to_account: str
    recipient_relation: Relation


class SurvivorBenefit(_Body):
    """The survivor benefit, or ``eligible`` false when the deceased was not insured."""

    eligible: bool
    number: str | None = None
    issued_at: datetime | None = None
    amount_cny: int = 0
    paid_to_account: str | None = None
    recipient_relation: Relation | None = None


class EmployerRegistrationRequest(CaseRef):
    """``POST /employer-registrations`` (social_security): a new employer's insurance account."""

    uscc: str
    company_name: str = Field(min_length=1, max_length=256)
    employees: int = Field(ge=0, le=MAX_COUNT)


# --- tax ----------------------------------------------------------------------------------------


class InfantCareDeductionRequest(CaseRef):
    """``POST /infant-care-deductions`` (tax): the parents' deduction for a child under 3."""

    child_id_number: str
    parent_id_numbers: list[str]


class PensionIncomeRequest(CaseRef):
    """``POST /pension-income-registrations`` (tax): register a pension as exempt income."""

    id_number: str
    pension_number: str
    monthly_pension_cny: int = Field(ge=0, le=MAX_AMOUNT_CNY)


# --- market regulation --------------------------------------------------------------------------


class PledgeEligibilityQuery(PersonQuery):
    """``POST /pledge-eligibility``: may this person still sign a commitment (承诺)?"""


class PledgeEligibility(_Body):
    """``may_pledge`` is false once a person broke a commitment (a credit record)."""

    may_pledge: bool
    credit_records: int


class CreditRecordRequest(CaseRef):
    """``POST /credit-records``: record a broken commitment and what it revoked."""

    id_number: str
    reason: str = Field(min_length=1, max_length=500)
    revoked_documents: list[str]


class CreditRecord(_Body):
    """A credit record's number and when it was recorded."""

    number: str
    recorded_at: datetime


class CompanyRecord(_Body):
    """A company as the applicant described it."""

    name: str = Field(min_length=1, max_length=256)
    kind: str = Field(min_length=1, max_length=64)
    registered_capital_cny: int = Field(ge=0, le=MAX_AMOUNT_CNY)
    address: str = Field(min_length=1, max_length=256)
    business_scope: str = Field(min_length=1, max_length=1000)


class BusinessLicenseRequest(CaseRef):
    """``POST /business-licenses``: register a company.

    ``address_basis`` says why the address is accepted: the applicant's ``commitment``
    (checked afterwards) or a police ``verification`` before the license.
    ``legal_representative_alive`` is what police's register says (a data query).
    """

    company: CompanyRecord
    legal_representative_id_number: str
    address_basis: Literal["commitment", "verification"]
    legal_representative_alive: bool = True


class BusinessLicense(IssuedDocument):
    """The license and the company's new unified social credit code."""

    uscc: str
