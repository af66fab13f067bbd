"""The affairs after a death, as one thing: certificate, household, funeral, pension, benefits, tax.

Next of kin are read from police data, so nobody proves "my mother is my mother". A death outside a
hospital is verified by police before anything else. A retirement still open for the deceased is
told, so it issues nothing more to the dead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import civil_affairs, health, police, social_security, tax
    from onething.constants import CASE_SCOPE
    from workflows.case_workflow import CaseWorkflow
    from workflows.models import CaseView, DeathInput
    from workflows.steps import AnyStep, NotifyCases, Step, Verification


def _in_hospital(facts: Mapping[str, Any]) -> str | None:
    if facts["place"] == "hospital":
        return "died in hospital: the hospital's record stands, no police verification needed"
    return None


def _death_subject(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"deceased": facts["deceased"], "died_at": facts["died_at"], "place": facts["place"]}


DEATH_STEPS: tuple[AnyStep, ...] = (
    Verification(
        name="death_verification",
        department="health",
        provider="police",
        kind="death_outside_hospital",
        needs=("deceased", "died_at", "place"),
        gives=("death_verification",),
        subject=_death_subject,
        skip=_in_hospital,
    ),
    Step(
        name="death_medical_certificate",
        department="health",
        activity=health.death_medical_certificate,
        needs=("deceased", "died_at", "place", "death_verification"),
        gives=("death_certificate_number",),
    ),
    Step(
        name="next_of_kin",
        department="police",
        activity=police.next_of_kin,
        needs=("deceased", CASE_SCOPE),
        gives=("next_of_kin",),
        way="data_query",
    ),
    Step(
        name="household_cancellation",
        department="police",
        activity=police.household_cancellation,
        needs=("deceased", "death_certificate_number"),
    ),
    Step(
        name="funeral_registration",
        department="civil_affairs",
        activity=civil_affairs.funeral_registration,
        needs=("deceased", "death_certificate_number", "informant"),
    ),
    Step(
        name="pension_termination",
        department="social_security",
        activity=social_security.pension_termination,
        needs=("deceased", "died_at", "death_certificate_number"),
        gives=("open_case_ids",),
    ),
    NotifyCases(
        name="notify_open_cases",
        department="social_security",
        needs=("open_case_ids",),
    ),
    Step(
        name="funeral_allowance",
        department="social_security",
        activity=social_security.funeral_allowance,
        needs=("deceased", "death_certificate_number", "next_of_kin"),
    ),
    Step(
        name="survivor_benefit",
        department="social_security",
        activity=social_security.survivor_benefit,
        needs=("deceased", "death_certificate_number", "next_of_kin"),
    ),
    Step(
        name="medical_insurance_termination",
        department="social_security",
        activity=social_security.medical_insurance_termination,
        needs=("deceased", "death_certificate_number"),
    ),
    Step(
        name="deceased_tax_settlement",
        department="tax",
        activity=tax.deceased_tax_settlement,
        needs=("deceased", "death_certificate_number"),
    ),
)


@workflow.defn(name="death")
class DeathCase(CaseWorkflow):
    """A death case, started by ``onething.death.registered``."""

    bundle = "death"
    steps = DEATH_STEPS

    @workflow.init
    def __init__(self, input: DeathInput) -> None:
        """Build the case from its input."""
        self.open_case(input, input.data.model_dump(mode="json"))

    @workflow.run
    async def run(self, input: DeathInput) -> CaseView:
        """Settle the affairs after a death without asking the family for proofs."""
        return await self.run_case()
