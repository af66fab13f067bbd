"""The newborn "one thing": one birth at the hospital sets every document going.

The family used to bring 14 materials to four offices over a week; here the hospital's event is
all the citizen supplies, and the departments pass the rest between themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import civil_affairs, health, police, social_security, tax
    from onething.constants import CASE_SCOPE
    from workflows.case_workflow import CaseWorkflow
    from workflows.changes import VACCINATION_RECORD_UNDER_ID_NUMBER
    from workflows.models import CaseView, NewbornInput
    from workflows.steps import Patch, Step


def _no_father(facts: Mapping[str, Any]) -> str | None:
    if facts.get("father") is None:
        return "no father named: the child is registered with the mother alone"
    return None


NEWBORN_STEPS: tuple[Step, ...] = (
    Step(
        name="birth_medical_certificate",
        department="health",
        activity=health.birth_medical_certificate,
        needs=("hospital", "child", "mother", "father"),
        gives=("birth_certificate_number",),
    ),
    Step(
        name="vaccination_record",
        department="health",
        activity=health.vaccination_record,
        needs=("child", "birth_certificate_number"),
        # Since 2026-11 the record is opened under the child's ID number, so the vaccination
        # platform links it to the child for life; cases already running keep the old order.
        patch=Patch(
            id=VACCINATION_RECORD_UNDER_ID_NUMBER,
            needs=("child", "birth_certificate_number", "child_id_number"),
        ),
    ),
    Step(
        name="parents_marriage",
        department="civil_affairs",
        activity=civil_affairs.parents_marriage,
        needs=("mother", "father", CASE_SCOPE),
        gives=("parents_marriage",),
        way="data_query",
        skip=_no_father,
    ),
    Step(
        name="household_registration",
        department="police",
        activity=police.household_registration,
        needs=(
            "birth_certificate_number",
            "child",
            "mother",
            "father",
            "household_parent",
            "parents_marriage",
        ),
        gives=("child_id_number", "household_number"),
    ),
    Step(
        name="medical_insurance_enrollment",
        department="social_security",
        activity=social_security.medical_insurance_enrollment,
        needs=("child_id_number", "child"),
    ),
    Step(
        name="social_security_card",
        department="social_security",
        activity=social_security.social_security_card,
        needs=("child_id_number", "child"),
    ),
    Step(
        name="maternity_benefit",
        department="social_security",
        activity=social_security.maternity_benefit,
        needs=("mother", "birth_certificate_number"),
    ),
    Step(
        name="infant_care_tax_deduction",
        department="tax",
        activity=tax.infant_care_deduction,
        needs=("child_id_number", "mother", "father"),
    ),
)


@workflow.defn(name="newborn")
class NewbornCase(CaseWorkflow):
    """A newborn case, started by ``onething.birth.registered``."""

    bundle = "newborn"
    steps = NEWBORN_STEPS

    @workflow.init
    def __init__(self, input: NewbornInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: NewbornInput) -> CaseView:
        """Obtain every newborn document from the hospital's event alone."""
        return await self.run_case()
