"""The demo: one case of every bundle, end to end, on a running stack."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from events.kafka import new_producer
from events.publisher import publish_lines
from events.samples import sample_event
from onething.constants import EVENT_TYPES, Bundle, case_id
from onething.settings import Settings
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from workflows.models import CaseView

#: The documents each bundle's demo case must hold when it completes.
EXPECTED_DOCUMENTS: dict[Bundle, frozenset[str]] = {
    "newborn": frozenset(
        {
            "birth_medical_certificate",
            "vaccination_record",
            "household_registration",
            "medical_insurance_enrollment",
            "social_security_card",
            "infant_care_tax_deduction",
        }
    ),
    "retirement": frozenset(
        {
            "pension_approval",
            "retiree_medical_insurance",
            "pension_income_registration",
            "senior_citizen_card",
        }
    ),
    "death": frozenset(
        {
            "death_medical_certificate",
            "household_cancellation",
            "funeral_registration",
            "funeral_allowance",
            "medical_insurance_termination",
            "deceased_tax_settlement",
        }
    ),
    "business": frozenset(
        {
            "business_license",
            "seal_registration",
            "tax_registration",
            "employer_social_security_registration",
        }
    ),
}
DEMO_BUNDLES: tuple[Bundle, ...] = tuple(EXPECTED_DOCUMENTS)


@dataclass(frozen=True)
class DemoCase:
    """One demo case and whether it ended as expected."""

    view: CaseView
    missing: frozenset[str]

    @property
    def ok(self) -> bool:
        """Completed, with every document the contract requires."""
        return self.view.status == "completed" and not self.missing


async def run_demo(
    settings: Settings, *, seed: int = 1, timeout_s: float = 180.0
) -> list[DemoCase]:
    """Publish one sample event per bundle and wait for every case to close."""
    events = [sample_event(bundle, seed) for bundle in DEMO_BUNDLES]
    producer = new_producer(settings)
    await producer.start()
    try:
        await publish_lines(producer, [json.dumps(e, ensure_ascii=False) for e in events])
    finally:
        await producer.stop()
    client = await connect_temporal(settings)
    case_ids = [case_id(EVENT_TYPES[e["type"]][1], e["subject"]) for e in events]
    views = await asyncio.gather(
        *(wait_for_case(client, cid, timeout_s=timeout_s) for cid in case_ids)
    )
    return [
        DemoCase(
            view=view,
            missing=EXPECTED_DOCUMENTS[view.bundle] - {d.kind for d in view.documents},
        )
        for view in views
    ]
