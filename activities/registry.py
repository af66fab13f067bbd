"""Which activities each department's worker hosts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from activities import (
    civil_affairs,
    health,
    market_regulation,
    police,
    revocations,
    social_security,
    tax,
    verifications,
)
from onething.constants import Department

#: Every department opens and answers verifications and revokes what it issued.
COMMON_ACTIVITIES: Final[tuple[Callable[..., Any], ...]] = (
    verifications.open_verification,
    verifications.record_verification_answer,
    verifications.withdraw_verifications,
    revocations.revoke_document,
)

DEPARTMENT_ACTIVITIES: Final[dict[Department, list[Callable[..., Any]]]] = {
    "health": [
        *COMMON_ACTIVITIES,
        health.birth_medical_certificate,
        health.vaccination_record,
        health.death_medical_certificate,
    ],
    "police": [
        *COMMON_ACTIVITIES,
        police.household_registration,
        police.identity_record,
        police.representative_identity,
        police.next_of_kin,
        police.household_cancellation,
        police.address_check,
        police.seal_registration,
    ],
    "civil_affairs": [
        *COMMON_ACTIVITIES,
        civil_affairs.parents_marriage,
        civil_affairs.senior_citizen_card,
        civil_affairs.funeral_registration,
    ],
    "social_security": [
        *COMMON_ACTIVITIES,
        social_security.medical_insurance_enrollment,
        social_security.social_security_card,
        social_security.maternity_benefit,
        social_security.contribution_record,
        social_security.pension_approval,
        social_security.retiree_medical_insurance,
        social_security.pension_termination,
        social_security.funeral_allowance,
        social_security.survivor_benefit,
        social_security.medical_insurance_termination,
        social_security.employer_registration,
    ],
    "tax": [
        *COMMON_ACTIVITIES,
        tax.infant_care_deduction,
        tax.pension_income_registration,
        tax.deceased_tax_settlement,
        tax.tax_registration,
    ],
    "market_regulation": [
        *COMMON_ACTIVITIES,
        market_regulation.pledge_eligibility,
        market_regulation.business_license,
        market_regulation.credit_record,
    ],
}
