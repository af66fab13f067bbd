"""Which activities each department's worker hosts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from activities import civil_affairs, health, police, social_security, tax
from onething.constants import Department

DEPARTMENT_ACTIVITIES: Final[dict[Department, list[Callable[..., Any]]]] = {
    "health": [health.birth_medical_certificate, health.vaccination_record],
    "police": [police.household_registration],
    "civil_affairs": [civil_affairs.parents_marriage],
    "social_security": [
        social_security.medical_insurance_enrollment,
        social_security.social_security_card,
        social_security.maternity_benefit,
    ],
    "tax": [tax.infant_care_deduction],
    "market_regulation": [],
}
