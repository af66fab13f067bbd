"""The human resources and social security bureau: insurance, cards, contributions, pensions,
benefits, survivors' payments and employers' accounts."""

from __future__ import annotations

import json
import sqlite3
from functools import partial
from typing import Final

from fastapi import APIRouter, Response

from departments.api import (
    ContributionQuery,
    ContributionRecord,
    DeathRecordRequest,
    EmployerRegistrationRequest,
    EnrollmentRequest,
    IssuedDocument,
    MaternityBenefit,
    MaternityBenefitRequest,
    Payment,
    PensionApproval,
    PensionApprovalRequest,
    PensionTermination,
    PensionTerminationRequest,
    Relation,
    RetireeMedicalInsuranceRequest,
    SurvivorBenefit,
    SurvivorPaymentRequest,
)
from departments.audit import Read, record_reads
from departments.clock import age_on, in_china, now_in_china
from departments.documents import find_document, issue_document
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import run_once
from departments.population import (
    Person,
    earliest_retirement_date,
    statutory_retirement_date,
)
from departments.refusals import (
    checked_age,
    checked_birth_date,
    checked_id_number,
    checked_not_in_future,
    checked_uscc,
    living_resident,
    refuse,
)
from departments.residents import SCHEMA as RESIDENTS_SCHEMA
from departments.residents import record_death, seed_residents
from departments.scope_guard import Scope
from departments.service import DepartmentService, PopulationSource
from departments.store import Store
from events.plausibility import MAX_AGE, MAX_RETIREMENT_AGE

MEDICAL_INSURANCE_ENROLLMENT: Final = "medical_insurance_enrollment"
SOCIAL_SECURITY_CARD: Final = "social_security_card"
MATERNITY_BENEFIT: Final = "maternity_benefit"
PENSION_APPROVAL: Final = "pension_approval"
RETIREE_MEDICAL_INSURANCE: Final = "retiree_medical_insurance"
PENSION_TERMINATION: Final = "pension_termination"
FUNERAL_ALLOWANCE: Final = "funeral_allowance"
SURVIVOR_BENEFIT: Final = "survivor_benefit"
MEDICAL_INSURANCE_TERMINATION: Final = "medical_insurance_termination"
EMPLOYER_REGISTRATION: Final = "employer_social_security_registration"
#: Zhejiang's paid maternity leave: 98 national days plus 60 provincial days.
MATERNITY_LEAVE_DAYS: Final = 158
#: A basic pension needs 15 years of contributions (the minimum rises only from 2030).
MIN_CONTRIBUTION_MONTHS: Final = 180
#: The provincial average wage the basic pension is computed from (simulated).
AVERAGE_WAGE_CNY: Final = 7_000
#: Employees pay 8% of their wage into their individual pension account.
INDIVIDUAL_ACCOUNT_RATE: Final = 0.08
#: Months over which the individual account is paid out, by age at retirement (national table).
PAYOUT_MONTHS: Final = {50: 195, 55: 170, 60: 139, 61: 132, 62: 125, 63: 117}
#: The funeral allowance (丧葬补助金) paid on an insured person's death (simulated flat amount).
FUNERAL_ALLOWANCE_CNY: Final = 5_000
#: The survivor benefit (抚恤金): months of the deceased's pension, or wage if not yet retired.
SURVIVOR_BENEFIT_MONTHS: Final = 10

SCHEMA: Final = (
    RESIDENTS_SCHEMA
    + """
CREATE TABLE IF NOT EXISTS insured (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scheme TEXT NOT NULL CHECK (scheme IN ('employee', 'resident')),
    employer TEXT,
    monthly_wage_cny INTEGER,
    insured_since TEXT NOT NULL,
    contribution_months INTEGER NOT NULL,
    ended_on TEXT
);
CREATE TABLE IF NOT EXISTS cards (
    id_number TEXT PRIMARY KEY,
    card_number TEXT NOT NULL UNIQUE,
    bank_account TEXT,
    number TEXT UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS contributions (
    id_number TEXT NOT NULL REFERENCES insured (id_number),
    employer TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT
);
CREATE INDEX IF NOT EXISTS contributions_by_person ON contributions (id_number);
CREATE TABLE IF NOT EXISTS pensions (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE,
    monthly_cny INTEGER NOT NULL,
    since TEXT NOT NULL,
    ended_on TEXT
);
CREATE TABLE IF NOT EXISTS pension_applications (
    number TEXT PRIMARY KEY REFERENCES documents (number),
    case_id TEXT NOT NULL,
    id_number TEXT NOT NULL REFERENCES insured (id_number),
    retirement_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('normal', 'early')),
    open INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS pension_applications_by_person ON pension_applications (id_number);
CREATE TABLE IF NOT EXISTS retiree_medical (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    pension_number TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deaths (
    id_number TEXT PRIMARY KEY,
    died_at TEXT NOT NULL,
    death_certificate_number TEXT NOT NULL,
    termination_number TEXT REFERENCES documents (number),
    open_case_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS medical_terminations (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS survivor_payments (
    deceased_id_number TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('funeral_allowance', 'survivor_benefit')),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    recipient_id_number TEXT NOT NULL,
    relation TEXT NOT NULL,
    amount_cny INTEGER NOT NULL,
    bank_account TEXT NOT NULL,
    PRIMARY KEY (deceased_id_number, kind)
);
CREATE TABLE IF NOT EXISTS employers (
    uscc TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    name TEXT NOT NULL,
    employees INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS medical_enrollments (
    id_number TEXT PRIMARY KEY REFERENCES insured (id_number),
    number TEXT NOT NULL UNIQUE REFERENCES documents (number)
);
CREATE TABLE IF NOT EXISTS maternity_benefits (
    birth_certificate_number TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE REFERENCES documents (number),
    mother_id_number TEXT NOT NULL,
    amount_cny INTEGER NOT NULL,
    bank_account TEXT NOT NULL
);
"""
)

_PURPOSE_MATERNITY: Final = "newborn: decide and pay the maternity benefit"
_PURPOSE_CONTRIBUTIONS: Final = "retirement: count the contributions a pension rests on"
_PURPOSE_PENSION: Final = "retirement: compute the basic pension"
_PURPOSE_SURVIVORS: Final = "death: pay the survivors to the next of kin's card account"


def seed(conn: sqlite3.Connection, source: PopulationSource) -> None:
    """Register residents, and insured persons with their cards, contributions and pensions."""
    seed_residents(conn, source.load())
    insured = [p for p in source.load().people() if p.insurance is not None]
    conn.executemany(
        "INSERT INTO insured (id_number, name, scheme, employer, monthly_wage_cny, "
        "insured_since, contribution_months) VALUES (?, ?, 'employee', ?, ?, ?, ?)",
        [_insured_row(p) for p in insured],
    )
    conn.executemany(
        "INSERT INTO cards (id_number, card_number, bank_account) VALUES (?, ?, ?)",
        [
            (p.id_number, p.insurance.card_number, p.insurance.bank_account)
            for p in insured
            if p.insurance is not None
        ],
    )
    conn.executemany(
        "INSERT INTO contributions (id_number, employer, start, end) VALUES (?, ?, ?, ?)",
        [
            (p.id_number, e.employer, e.start.isoformat(), e.end.isoformat() if e.end else None)
            for p in insured
            for e in p.employment
        ],
    )
    conn.executemany(
        "INSERT INTO pensions (id_number, number, monthly_cny, since) VALUES (?, ?, ?, ?)",
        [
            (p.id_number, p.pension.number, p.pension.monthly_cny, p.pension.since.isoformat())
            for p in insured
            if p.pension is not None
        ],
    )


def _insured_row(person: Person) -> tuple[object, ...]:
    insurance = person.insurance
    assert insurance is not None
    return (
        person.id_number,
        person.name,
        person.employer,
        insurance.monthly_wage_cny,
        insurance.insured_since.isoformat(),
        insurance.contribution_months,
    )


def enroll_in_medical_insurance(
    conn: sqlite3.Connection, body: EnrollmentRequest
) -> IssuedDocument:
    """Enroll a person (a newborn) in residents' basic medical insurance.

    Enrolling the same person again returns the first enrollment.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``already_insured`` (insured as an employee).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM medical_enrollments WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], MEDICAL_INSURANCE_ENROLLMENT)
    if conn.execute("SELECT 1 FROM insured WHERE id_number = ?", (id_number,)).fetchone():
        raise refuse("already_insured", "id_number is already covered by employee insurance")
    today = now_in_china().date().isoformat()
    conn.execute(
        "INSERT INTO insured (id_number, name, scheme, insured_since, contribution_months) "
        "VALUES (?, ?, 'resident', ?, 0)",
        (id_number, body.name, today),
    )
    document = issue_document(
        conn,
        department="social_security",
        kind=MEDICAL_INSURANCE_ENROLLMENT,
        code="MIE",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"scheme": "resident", "since": today},
    )
    conn.execute(
        "INSERT INTO medical_enrollments (id_number, number) VALUES (?, ?)",
        (id_number, document.number),
    )
    return document


def issue_card(conn: sqlite3.Connection, body: EnrollmentRequest) -> IssuedDocument:
    """Issue a social security card (without a bank account until the holder links one).

    Asking again for a card this service issued returns it.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``card_already_held`` (a card issued before
            this service kept documents, i.e. from the seeded register).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    held = conn.execute("SELECT number FROM cards WHERE id_number = ?", (id_number,)).fetchone()
    if held is not None:
        if held["number"] is None:
            raise refuse("card_already_held", "id_number already holds a social security card")
        return _existing(conn, held["number"], SOCIAL_SECURITY_CARD)
    (serial,) = conn.execute(
        "INSERT INTO counters (prefix, last) VALUES ('card', 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last"
    ).fetchone()
    card_number = f"C{serial:08d}"
    document = issue_document(
        conn,
        department="social_security",
        kind=SOCIAL_SECURITY_CARD,
        code="CRD",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"card_number": card_number},
    )
    conn.execute(
        "INSERT INTO cards (id_number, card_number, number) VALUES (?, ?, ?)",
        (id_number, card_number, document.number),
    )
    return document


def decide_maternity_benefit(
    conn: sqlite3.Connection, body: MaternityBenefitRequest, *, caller: str
) -> MaternityBenefit:
    """Pay the maternity benefit if the mother is insured as an employee with a card account.

    The amount is her insured monthly wage / 30 x 158 days. One birth gets one benefit: asking
    again returns the first.

    Raises:
        DepartmentError: ``invalid_id_number``, ``benefit_already_paid`` (to another mother
            for the same birth certificate), ``person_not_found`` or ``person_deceased`` (the
            mother is not a living resident) or ``not_a_mother`` (a man's ID number).
    """
    mother = checked_id_number(body.mother_id_number, field="mother_id_number")
    if living_resident(conn, mother, field="mother_id_number").sex != "F":
        raise refuse("not_a_mother", "mother_id_number is not a woman's")
    earlier = conn.execute(
        "SELECT b.number, b.mother_id_number, b.amount_cny, b.bank_account, d.issued_at "
        "FROM maternity_benefits b JOIN documents d ON d.number = b.number "
        "WHERE b.birth_certificate_number = ?",
        (body.birth_certificate_number,),
    ).fetchone()
    if earlier is not None:
        if earlier["mother_id_number"] != mother:
            raise refuse(
                "benefit_already_paid",
                "birth_certificate_number already had a benefit paid to another person",
            )
        return MaternityBenefit.model_validate(
            {
                "eligible": True,
                "number": earlier["number"],
                "issued_at": earlier["issued_at"],
                "amount_cny": earlier["amount_cny"],
                "paid_to_account": mask_account(earlier["bank_account"]),
            }
        )
    record_reads(conn, [Read(body.case_id, caller, "insurance_status", mother, _PURPOSE_MATERNITY)])
    insured = conn.execute(
        "SELECT i.monthly_wage_cny, c.bank_account FROM insured i "
        "JOIN cards c ON c.id_number = i.id_number "
        "WHERE i.id_number = ? AND i.scheme = 'employee' AND c.bank_account IS NOT NULL",
        (mother,),
    ).fetchone()
    if insured is None:
        return MaternityBenefit(eligible=False)
    amount = round(insured["monthly_wage_cny"] / 30 * MATERNITY_LEAVE_DAYS)
    document = issue_document(
        conn,
        department="social_security",
        kind=MATERNITY_BENEFIT,
        code="MAT",
        case_id=body.case_id,
        subject_id_number=mother,
        details={"birth_certificate_number": body.birth_certificate_number, "amount_cny": amount},
    )
    conn.execute(
        "INSERT INTO maternity_benefits (birth_certificate_number, number, mother_id_number, "
        "amount_cny, bank_account) VALUES (?, ?, ?, ?, ?)",
        (body.birth_certificate_number, document.number, mother, amount, insured["bank_account"]),
    )
    return MaternityBenefit(
        eligible=True,
        number=document.number,
        issued_at=document.issued_at,
        amount_cny=amount,
        paid_to_account=mask_account(insured["bank_account"]),
    )


def contribution_record(
    conn: sqlite3.Connection, body: ContributionQuery, *, caller: str
) -> ContributionRecord:
    """A person's contribution months and employers, with the read logged.

    A person never insured has zero months and no employer.

    Raises:
        DepartmentError: ``invalid_id_number``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    asked_by = caller
    record_reads(
        conn,
        [Read(body.case_id, asked_by, "contribution_record", id_number, _PURPOSE_CONTRIBUTIONS)],
    )
    insured = conn.execute(
        "SELECT insured_since, contribution_months FROM insured WHERE id_number = ?",
        (id_number,),
    ).fetchone()
    if insured is None:
        return ContributionRecord(
            contribution_months=0, employers=0, last_employer=None, insured_since=None
        )
    periods = conn.execute(
        "SELECT employer FROM contributions WHERE id_number = ? ORDER BY start", (id_number,)
    ).fetchall()
    return ContributionRecord.model_validate(
        {
            "contribution_months": insured["contribution_months"],
            "employers": len({p["employer"] for p in periods}),
            "last_employer": periods[-1]["employer"] if periods else None,
            "insured_since": insured["insured_since"],
        }
    )


def approve_pension(
    conn: sqlite3.Connection, body: PensionApprovalRequest, *, caller: str
) -> PensionApproval:
    """Approve the basic old-age pension from the retirement date; record the case with it.

    The monthly pension follows the national formula: a basic part of 1% of the mean of the
    average wage and the person's wage per contribution year, plus the individual account
    (8% of the wage per month) spread over the payout months for the retirement age.
    The same case asking again gets its approval back.

    Raises:
        DepartmentError: ``invalid_id_number``, ``birth_date_mismatch``, ``sex_mismatch``,
            ``person_not_found``, ``person_deceased``, ``already_pensioner``,
            ``insufficient_contributions``, ``below_retirement_age`` or ``implausible_age``
            (older than 70 on the retirement date: no retirement is that late).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    born = checked_birth_date(id_number, body.birth_date, field="birth_date")
    if ("M" if int(id_number[16]) % 2 else "F") != body.sex:
        raise refuse("sex_mismatch", "sex differs from the sex in id_number")
    if born >= now_in_china().date():
        raise refuse("below_retirement_age", "birth_date is not in the past")
    earlier = conn.execute(
        "SELECT a.number, d.issued_at, p.monthly_cny FROM pension_applications a "
        "JOIN documents d ON d.number = a.number JOIN pensions p ON p.number = a.number "
        "WHERE a.case_id = ? AND a.id_number = ?",
        (body.case_id, id_number),
    ).fetchone()
    if earlier is not None:
        return PensionApproval.model_validate(
            {
                "number": earlier["number"],
                "issued_at": earlier["issued_at"],
                "monthly_pension_cny": earlier["monthly_cny"],
            }
        )
    if _is_deceased(conn, id_number):
        raise refuse("person_deceased", "id_number is recorded as deceased")
    living_resident(conn, id_number, field="id_number")
    checked_age(
        born,
        body.retirement_date,
        field="id_number",
        youngest=0,
        oldest=MAX_RETIREMENT_AGE,
        what="retire on retirement_date",
    )
    if conn.execute(
        "SELECT 1 FROM pensions WHERE id_number = ? AND ended_on IS NULL", (id_number,)
    ).fetchone():
        raise refuse("already_pensioner", "id_number already has a pension approved")
    record_reads(
        conn, [Read(body.case_id, caller, "insurance_record", id_number, _PURPOSE_PENSION)]
    )
    insured = conn.execute(
        "SELECT monthly_wage_cny FROM insured WHERE id_number = ? AND scheme = 'employee'",
        (id_number,),
    ).fetchone()
    if insured is None or body.contribution_months < MIN_CONTRIBUTION_MONTHS:
        raise refuse(
            "insufficient_contributions",
            f"a basic pension needs {MIN_CONTRIBUTION_MONTHS} months of contributions",
        )
    earliest = (
        statutory_retirement_date(born, body.sex)
        if body.kind == "normal"
        else earliest_retirement_date(born, body.sex)
    )
    if body.retirement_date < earliest:
        raise refuse(
            "below_retirement_age",
            f"retirement_date is before the earliest date of a {body.kind} retirement",
        )
    monthly = monthly_pension(
        insured["monthly_wage_cny"] or AVERAGE_WAGE_CNY,
        body.contribution_months,
        age_on(born, body.retirement_date),
    )
    document = issue_document(
        conn,
        department="social_security",
        kind=PENSION_APPROVAL,
        code="PEN",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "since": body.retirement_date.isoformat(),
            "kind": body.kind,
            "contribution_months": body.contribution_months,
            "monthly_cny": monthly,
        },
    )
    conn.execute(
        "INSERT INTO pensions (id_number, number, monthly_cny, since) VALUES (?, ?, ?, ?)",
        (id_number, document.number, monthly, body.retirement_date.isoformat()),
    )
    conn.execute(
        "INSERT INTO pension_applications (number, case_id, id_number, retirement_date, kind) "
        "VALUES (?, ?, ?, ?, ?)",
        (document.number, body.case_id, id_number, body.retirement_date.isoformat(), body.kind),
    )
    return PensionApproval(
        number=document.number, issued_at=document.issued_at, monthly_pension_cny=monthly
    )


def monthly_pension(wage_cny: int, contribution_months: int, age: int) -> int:
    """The basic pension per month (see :func:`approve_pension`)."""
    basic = (AVERAGE_WAGE_CNY + wage_cny) / 2 * (contribution_months / 12) / 100
    payout = PAYOUT_MONTHS[max(a for a in PAYOUT_MONTHS if a <= max(age, min(PAYOUT_MONTHS)))]
    account = wage_cny * INDIVIDUAL_ACCOUNT_RATE * contribution_months / payout
    return round(basic + account)


def enroll_retiree(
    conn: sqlite3.Connection, body: RetireeMedicalInsuranceRequest
) -> IssuedDocument:
    """Continue a new pensioner's medical insurance as a retiree (no more contributions).

    A person is enrolled once: asking again returns the first enrollment.

    Raises:
        DepartmentError: ``invalid_id_number`` or ``unknown_pension`` (not this person's
            pension being paid).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM retiree_medical WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], RETIREE_MEDICAL_INSURANCE)
    pension = conn.execute(
        "SELECT since FROM pensions WHERE id_number = ? AND number = ? AND ended_on IS NULL",
        (id_number, body.pension_number),
    ).fetchone()
    if pension is None:
        raise refuse("unknown_pension", "pension_number is not a pension of id_number")
    document = issue_document(
        conn,
        department="social_security",
        kind=RETIREE_MEDICAL_INSURANCE,
        code="RMI",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={"pension_number": body.pension_number, "since": pension["since"]},
    )
    conn.execute(
        "INSERT INTO retiree_medical (id_number, number, pension_number) VALUES (?, ?, ?)",
        (id_number, document.number, body.pension_number),
    )
    return document


def terminate_pension(
    conn: sqlite3.Connection, body: PensionTerminationRequest
) -> PensionTermination:
    """Record a death: stop the pension, if one is paid, and close open pension applications.

    The retirement cases whose applications were open are returned so that the death case can
    see to them. A death is recorded once: asking again returns the first answer.

    Raises:
        DepartmentError: ``invalid_id_number``, ``implausible_time`` (a death in the future),
            ``person_not_found``, ``person_deceased`` (dead before) or ``implausible_age``
            (a death before the birth).
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT termination_number, open_case_ids FROM deaths WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _termination(conn, earlier["termination_number"], earlier["open_case_ids"])
    died_at = in_china(checked_not_in_future(body.died_at, field="died_at", now=now_in_china()))
    deceased = living_resident(conn, id_number, field="id_number", alive_on=died_at.date())
    checked_age(
        deceased.birth_date, died_at, field="id_number", youngest=0, oldest=MAX_AGE, what="die"
    )
    record_death(conn, id_number, died_at.date())
    open_cases = [
        row["case_id"]
        for row in conn.execute(
            "SELECT a.case_id FROM pension_applications a JOIN documents d ON d.number = a.number "
            "WHERE a.id_number = ? AND a.open = 1 AND d.revoked_at IS NULL ORDER BY d.issued_at",
            (id_number,),
        )
    ]
    conn.execute("UPDATE pension_applications SET open = 0 WHERE id_number = ?", (id_number,))
    pension = conn.execute(
        "SELECT number FROM pensions WHERE id_number = ? AND ended_on IS NULL", (id_number,)
    ).fetchone()
    number = None
    if pension is not None:
        document = issue_document(
            conn,
            department="social_security",
            kind=PENSION_TERMINATION,
            code="PTM",
            case_id=body.case_id,
            subject_id_number=id_number,
            details={
                "pension_number": pension["number"],
                "death_certificate_number": body.death_certificate_number,
                "last_month": f"{died_at:%Y-%m}",
            },
        )
        number = document.number
        conn.execute(
            "UPDATE pensions SET ended_on = ? WHERE id_number = ?",
            (died_at.date().isoformat(), id_number),
        )
    cases = json.dumps(list(dict.fromkeys(open_cases)))
    conn.execute(
        "INSERT INTO deaths (id_number, died_at, death_certificate_number, termination_number, "
        "open_case_ids) VALUES (?, ?, ?, ?, ?)",
        (id_number, died_at.isoformat(), body.death_certificate_number, number, cases),
    )
    return _termination(conn, number, cases)


def _termination(
    conn: sqlite3.Connection, number: str | None, open_case_ids: str
) -> PensionTermination:
    cases = json.loads(open_case_ids)
    if number is None:
        return PensionTermination(was_pensioner=False, open_case_ids=cases)
    document = _existing(conn, number, PENSION_TERMINATION)
    return PensionTermination(
        was_pensioner=True,
        number=document.number,
        issued_at=document.issued_at,
        open_case_ids=cases,
    )


def terminate_medical_insurance(
    conn: sqlite3.Connection, body: DeathRecordRequest
) -> IssuedDocument:
    """End a deceased person's medical insurance (the personal account goes to the heirs).

    A person's insurance ends once: asking again returns the first termination.

    Raises:
        DepartmentError: ``invalid_id_number``, ``death_not_recorded`` or ``not_insured``.
    """
    id_number = checked_id_number(body.id_number, field="id_number")
    earlier = conn.execute(
        "SELECT number FROM medical_terminations WHERE id_number = ?", (id_number,)
    ).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], MEDICAL_INSURANCE_TERMINATION)
    _require_recorded_death(conn, id_number)
    insured = conn.execute(
        "SELECT scheme FROM insured WHERE id_number = ?", (id_number,)
    ).fetchone()
    if insured is None:
        raise refuse("not_insured", "id_number holds no medical insurance to end")
    document = issue_document(
        conn,
        department="social_security",
        kind=MEDICAL_INSURANCE_TERMINATION,
        code="MIT",
        case_id=body.case_id,
        subject_id_number=id_number,
        details={
            "scheme": insured["scheme"],
            "death_certificate_number": body.death_certificate_number,
        },
    )
    conn.execute(
        "UPDATE insured SET ended_on = ? WHERE id_number = ?",
        (document.issued_at.date().isoformat(), id_number),
    )
    conn.execute(
        "INSERT INTO medical_terminations (id_number, number) VALUES (?, ?)",
        (id_number, document.number),
    )
    return document


def pay_funeral_allowance(
    conn: sqlite3.Connection, body: SurvivorPaymentRequest, *, caller: str
) -> Payment:
    """Pay the funeral allowance to the first next of kin with a card account.

    A death gets one allowance: asking again returns the first payment.

    Raises:
        DepartmentError: ``invalid_id_number``, ``death_not_recorded`` or ``no_payee``.
    """
    deceased = checked_id_number(body.id_number, field="id_number")
    earlier = _earlier_payment(conn, deceased, FUNERAL_ALLOWANCE)
    if earlier is not None:
        return earlier
    _require_recorded_death(conn, deceased)
    payee, relation, account = _payee(conn, body, caller=caller)
    return _pay(
        conn,
        body,
        kind=FUNERAL_ALLOWANCE,
        code="FNA",
        amount=FUNERAL_ALLOWANCE_CNY,
        payee=(payee, relation, account),
    )


def decide_survivor_benefit(
    conn: sqlite3.Connection, body: SurvivorPaymentRequest, *, caller: str
) -> SurvivorBenefit:
    """Pay the survivor benefit when the deceased was insured as an employee.

    The amount is :data:`SURVIVOR_BENEFIT_MONTHS` months of the deceased's pension (of the
    insured wage if not yet retired), paid to the first next of kin with a card account.
    A death gets one benefit: asking again returns the first.

    Raises:
        DepartmentError: ``invalid_id_number``, ``death_not_recorded`` or ``no_payee``.
    """
    deceased = checked_id_number(body.id_number, field="id_number")
    earlier = _earlier_payment(conn, deceased, SURVIVOR_BENEFIT)
    if earlier is None:
        _require_recorded_death(conn, deceased)
        record_reads(
            conn, [Read(body.case_id, caller, "insurance_status", deceased, _PURPOSE_SURVIVORS)]
        )
        insured = conn.execute(
            "SELECT i.monthly_wage_cny, p.monthly_cny FROM insured i "
            "LEFT JOIN pensions p ON p.id_number = i.id_number "
            "WHERE i.id_number = ? AND i.scheme = 'employee'",
            (deceased,),
        ).fetchone()
        if insured is None:
            return SurvivorBenefit(eligible=False)
        base = insured["monthly_cny"] or insured["monthly_wage_cny"] or AVERAGE_WAGE_CNY
        earlier = _pay(
            conn,
            body,
            kind=SURVIVOR_BENEFIT,
            code="SVB",
            amount=base * SURVIVOR_BENEFIT_MONTHS,
            payee=_payee(conn, body, caller=caller),
        )
    return SurvivorBenefit(
        eligible=True,
        number=earlier.number,
        issued_at=earlier.issued_at,
        amount_cny=earlier.amount_cny,
        paid_to_account=earlier.paid_to_account,
        recipient_relation=earlier.recipient_relation,
    )


def _payee(
    conn: sqlite3.Connection, body: SurvivorPaymentRequest, *, caller: str
) -> tuple[str, Relation, str]:
    """The first next of kin whose card has a bank account: ID number, relation, account."""
    for i, kin in enumerate(body.next_of_kin):
        id_number = checked_id_number(kin.id_number, field=f"next_of_kin[{i}].id_number")
        record_reads(
            conn, [Read(body.case_id, caller, "card_account", id_number, _PURPOSE_SURVIVORS)]
        )
        card = conn.execute(
            "SELECT bank_account FROM cards WHERE id_number = ? AND bank_account IS NOT NULL",
            (id_number,),
        ).fetchone()
        if card is not None:
            return id_number, kin.relation, card["bank_account"]
    raise refuse("no_payee", "no person in next_of_kin has a social security card account")


def _pay(
    conn: sqlite3.Connection,
    body: SurvivorPaymentRequest,
    *,
    kind: str,
    code: str,
    amount: int,
    payee: tuple[str, Relation, str],
) -> Payment:
    recipient, relation, account = payee
    deceased = checked_id_number(body.id_number, field="id_number")
    document = issue_document(
        conn,
        department="social_security",
        kind=kind,
        code=code,
        case_id=body.case_id,
        subject_id_number=deceased,
        details={
            "death_certificate_number": body.death_certificate_number,
            "amount_cny": amount,
            "recipient_id_number": recipient,
            "recipient_relation": relation,
        },
    )
    conn.execute(
        "INSERT INTO survivor_payments (deceased_id_number, kind, number, recipient_id_number, "
        "relation, amount_cny, bank_account) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (deceased, kind, document.number, recipient, relation, amount, account),
    )
    return Payment(
        number=document.number,
        issued_at=document.issued_at,
        amount_cny=amount,
        paid_to_account=mask_account(account),
        recipient_relation=relation,
    )


def _earlier_payment(conn: sqlite3.Connection, deceased: str, kind: str) -> Payment | None:
    row = conn.execute(
        "SELECT s.number, d.issued_at, s.amount_cny, s.bank_account, s.relation "
        "FROM survivor_payments s JOIN documents d ON d.number = s.number "
        "WHERE s.deceased_id_number = ? AND s.kind = ?",
        (deceased, kind),
    ).fetchone()
    if row is None:
        return None
    return Payment.model_validate(
        {
            "number": row["number"],
            "issued_at": row["issued_at"],
            "amount_cny": row["amount_cny"],
            "paid_to_account": mask_account(row["bank_account"]),
            "recipient_relation": row["relation"],
        }
    )


def register_employer(
    conn: sqlite3.Connection, body: EmployerRegistrationRequest
) -> IssuedDocument:
    """Open a new company's employer account for its employees' social insurance.

    A company registers once: asking again returns the first registration.

    Raises:
        DepartmentError: ``invalid_uscc``.
    """
    uscc = checked_uscc(body.uscc, field="uscc")
    earlier = conn.execute("SELECT number FROM employers WHERE uscc = ?", (uscc,)).fetchone()
    if earlier is not None:
        return _existing(conn, earlier["number"], EMPLOYER_REGISTRATION)
    document = issue_document(
        conn,
        department="social_security",
        kind=EMPLOYER_REGISTRATION,
        code="EMP",
        case_id=body.case_id,
        subject_id_number=None,
        details={"uscc": uscc, "company_name": body.company_name, "employees": body.employees},
    )
    conn.execute(
        "INSERT INTO employers (uscc, number, name, employees) VALUES (?, ?, ?, ?)",
        (uscc, document.number, body.company_name, body.employees),
    )
    return document


def _require_recorded_death(conn: sqlite3.Connection, id_number: str) -> None:
    """Social security acts on a death only once its pension termination recorded it."""
    if not _is_deceased(conn, id_number):
        raise refuse(
            "death_not_recorded",
            "id_number has no death recorded here: send the pension termination first",
        )


def _is_deceased(conn: sqlite3.Connection, id_number: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM deaths WHERE id_number = ?", (id_number,)).fetchone()
        is not None
    )


def mask_account(account: str) -> str:
    """A bank account as it may be shown: ``6222 **** **** 1234``."""
    return f"{account[:4]} **** **** {account[-4:]}"


def _existing(conn: sqlite3.Connection, number: str, kind: str) -> IssuedDocument:
    found = find_document(conn, number, kind=kind)
    assert found is not None, "a recorded number always has its document"
    return found


def routes(store: Store) -> APIRouter:
    """Enrollments, cards, benefits, pensions, survivors' payments and employers."""
    router = APIRouter(tags=["social_security"])

    @router.post("/medical-insurance-enrollments", response_model=IssuedDocument)
    async def medical_insurance_enrollments(
        body: EnrollmentRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(enroll_in_medical_insurance, body=body)
        scope = "/medical-insurance-enrollments"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/social-security-cards", response_model=IssuedDocument)
    async def social_security_cards(body: EnrollmentRequest, key: IdempotencyKey) -> Response:
        handler = partial(issue_card, body=body)
        return respond(
            run_once(store, scope="/social-security-cards", key=key, body=body, handler=handler)
        )

    @router.post("/maternity-benefits", response_model=MaternityBenefit)
    async def maternity_benefits(
        body: MaternityBenefitRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(decide_maternity_benefit, body=body, caller=caller)
        return respond(
            run_once(store, scope="/maternity-benefits", key=key, body=body, handler=handler)
        )

    @router.post("/contribution-records", response_model=ContributionRecord)
    async def contribution_records(
        body: ContributionQuery, key: IdempotencyKey, caller: Caller, guard: Scope
    ) -> Response:
        guard.require_person(store, body, caller, "contribution_record")
        handler = partial(contribution_record, body=body, caller=caller)
        return respond(
            run_once(store, scope="/contribution-records", key=key, body=body, handler=handler)
        )

    @router.post("/pension-approvals", response_model=PensionApproval)
    async def pension_approvals(
        body: PensionApprovalRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(approve_pension, body=body, caller=caller)
        return respond(
            run_once(store, scope="/pension-approvals", key=key, body=body, handler=handler)
        )

    @router.post("/retiree-medical-insurance", response_model=IssuedDocument)
    async def retiree_medical_insurance(
        body: RetireeMedicalInsuranceRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(enroll_retiree, body=body)
        scope = "/retiree-medical-insurance"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/pension-terminations", response_model=PensionTermination)
    async def pension_terminations(
        body: PensionTerminationRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(terminate_pension, body=body)
        return respond(
            run_once(store, scope="/pension-terminations", key=key, body=body, handler=handler)
        )

    @router.post("/medical-insurance-terminations", response_model=IssuedDocument)
    async def medical_insurance_terminations(
        body: DeathRecordRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(terminate_medical_insurance, body=body)
        scope = "/medical-insurance-terminations"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/funeral-allowances", response_model=Payment)
    async def funeral_allowances(
        body: SurvivorPaymentRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(pay_funeral_allowance, body=body, caller=caller)
        return respond(
            run_once(store, scope="/funeral-allowances", key=key, body=body, handler=handler)
        )

    @router.post("/survivor-benefits", response_model=SurvivorBenefit)
    async def survivor_benefits(
        body: SurvivorPaymentRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(decide_survivor_benefit, body=body, caller=caller)
        return respond(
            run_once(store, scope="/survivor-benefits", key=key, body=body, handler=handler)
        )

    @router.post("/employer-registrations", response_model=IssuedDocument)
    async def employer_registrations(
        body: EmployerRegistrationRequest, key: IdempotencyKey
    ) -> Response:
        handler = partial(register_employer, body=body)
        return respond(
            run_once(store, scope="/employer-registrations", key=key, body=body, handler=handler)
        )

    return router


SERVICE: Final = DepartmentService(
    department="social_security", schema=SCHEMA, seed=seed, routes=routes
)
