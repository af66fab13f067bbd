"""Models in and out of every case workflow and step activity, and the case view."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from events.models import BirthData, EventMeta
from onething.constants import Bundle, CaseStatus, Department

FactSource = Literal["event"] | Department
#: How a fact reached the case: supplied by the citizen (the trigger event), issued by a
#: department as part of a step, or read from another department's data.
FactWay = Literal["citizen", "issued", "data_query", "department_verification", "commitment"]
StepState = Literal["pending", "running", "done", "skipped", "failed"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Document(_Model):
    """A document a department issued for a case."""

    kind: str
    department: Department
    number: str
    issued_at: datetime


class FactRecord(_Model):
    """Where a fact of a case came from (its value stays inside the workflow)."""

    name: str
    source: FactSource
    way: FactWay
    step: str | None = None
    at: datetime


class StepView(_Model):
    """The state of one step of a case."""

    name: str
    department: Department
    state: StepState
    needs: list[str]
    gives: list[str]
    started_at: datetime | None = None
    finished_at: datetime | None = None
    note: str | None = None


class CaseFailure(_Model):
    """Why a case was rejected or failed: a searchable type, a message without personal data."""

    step: str
    type: str
    message: str


class CaseView(_Model):
    """The public view of a case: the ``status`` query and the workflow result."""

    case_id: str
    bundle: Bundle
    status: CaseStatus
    documents: list[Document] = Field(default_factory=list)
    citizen_inputs: list[str] = Field(default_factory=list)
    steps: list[StepView] = Field(default_factory=list)
    facts: list[FactRecord] = Field(default_factory=list)
    waiting_on: list[Department] = Field(default_factory=list)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failure: CaseFailure | None = None


class CaseInput(_Model):
    """What every case starts from: the trigger event's attributes and its validated data."""

    case_id: str
    event: EventMeta


class NewbornInput(CaseInput):
    """Input of the newborn case: a hospital's birth event."""

    data: BirthData


class StepInput(_Model):
    """Input of every step activity: only the facts the step declared it needs."""

    case_id: str
    bundle: Bundle
    step: str
    facts: dict[str, Any]

    @property
    def idempotency_key(self) -> str:
        """The key that makes a retried step issue nothing twice at the department."""
        return f"{self.case_id}/{self.step}"


class StepOutput(_Model):
    """Output of every step activity: the facts it gives and the documents it issued."""

    facts: dict[str, Any] = Field(default_factory=dict)
    documents: list[Document] = Field(default_factory=list)
    skipped: str | None = None


class CaseUpdateInput(_Model):
    """Input of the activity that publishes a case update on ``onething.case-updates``."""

    type: str
    case_id: str
    bundle: Bundle
    status: CaseStatus
    documents: list[Document]
    time: datetime


class Published(_Model):
    """Where a published event landed."""

    topic: str
    partition: int
    offset: int
