"""Which workflow and input model serve each bundle."""

from __future__ import annotations

from typing import Final

from onething.constants import Bundle
from workflows.business import BusinessCase
from workflows.case_workflow import CaseWorkflow
from workflows.death import DeathCase
from workflows.models import BusinessInput, CaseInput, DeathInput, NewbornInput, RetirementInput
from workflows.newborn import NewbornCase
from workflows.retirement import RetirementCase

WORKFLOWS: Final[dict[Bundle, tuple[type[CaseWorkflow], type[CaseInput]]]] = {
    "newborn": (NewbornCase, NewbornInput),
    "retirement": (RetirementCase, RetirementInput),
    "death": (DeathCase, DeathInput),
    "business": (BusinessCase, BusinessInput),
}
