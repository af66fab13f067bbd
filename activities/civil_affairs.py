"""Civil affairs: marriage records, read as a data query instead of a certificate."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.department_client import call_department, parse_facts
from departments.api import MarriageAnswer, MarriageQuery
from events.models import Person
from workflows.models import StepInput, StepOutput


class _ParentsFacts(BaseModel):
    mother: Person
    father: Person


@activity.defn(name="civil_affairs.parents_marriage")
async def parents_marriage(input: StepInput) -> StepOutput:
    """Read whether the parents are married to each other, so nobody shows a certificate."""
    facts = parse_facts(_ParentsFacts, input.facts)
    answer = await call_department(
        "civil_affairs",
        "/marriage-queries",
        MarriageQuery(
            case_id=input.case_id,
            requested_by="police",
            spouse_a_id_number=facts.mother.id_number,
            spouse_b_id_number=facts.father.id_number,
        ),
        MarriageAnswer,
        idempotency_key=input.idempotency_key,
    )
    return StepOutput(facts={"parents_marriage": answer.model_dump(mode="json")})
