"""Models in and out of every case workflow and step activity, and the case view."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from events.models import BirthData, BusinessData, DeathData, EventMeta, RetirementData
from onething.constants import Bundle, CaseStatus, Department

FactSource = Literal["event"] | Department
#: How a fact reached the case: supplied by the citizen (the trigger event), issued by a
#: department as part of a step, or read from another department's data.
FactWay = Literal["citizen", "issued", "data_query", "department_verification", "commitment"]
#: ``not_run``: the case stopped (cancelled, rejected, revoked) before the step ran or finished.
StepState = Literal["pending", "running", "done", "skipped", "failed", "not_run"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Document(_Model):
    """A document a department issued for a case (``revoked_at`` once it was revoked)."""

    kind: str
    department: Department
    number: str
    issued_at: datetime
    revoked_at: datetime | None = None


class FactRecord(_Model):
    """Where a fact of a case came from (its value stays inside the workflow)."""

    name: str
    source: FactSource
    way: FactWay
    step: str | None = None
    at: datetime


class RetryView(_Model):
    """A department call of a case that keeps failing (the department is down or slow).

    ``error_type`` and ``error_message`` are the last failure's (they hold no personal data);
    ``next_try_at`` is when the case tries again. Once the call succeeds ``ongoing`` is false and
    the record stays, so the step shows what it took.
    """

    step: str
    department: Department
    attempts: int
    error_type: str
    error_message: str
    first_failed_at: datetime
    next_try_at: datetime
    ongoing: bool = True


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
    retry: RetryView | None = None


class CaseFailure(_Model):
    """Why a case was rejected or failed: a searchable type, a message without personal data."""

    step: str
    type: str
    message: str


class WaitView(_Model):
    """A department verification the case is waiting on: a person at ``provider`` must answer."""

    step: str
    provider: Department
    kind: str
    verification_id: str
    opened_at: datetime
    deadline: datetime
    breached: bool = False


class CheckView(_Model):
    """A pledge the case acted on, to be checked against the records at ``due_at``.

    ``withdrawn``: the case stopped before the check was due, so it will not be made.
    """

    step: str
    department: Department
    due_at: datetime
    outcome: Literal["pending", "true", "false", "withdrawn"] = "pending"


class DeadlineMissed(_Model):
    """A deadline the case passed: a verification's (``step``), or the case's SLA (no step)."""

    at: datetime
    deadline: datetime
    step: str | None = None
    provider: Department | None = None


class CaseFlags(_Model):
    """What ``onething cases`` shows and filters on beyond the status (the case's memo)."""

    overdue: bool = False
    pledge_check_due: datetime | None = None


class MaterialView(_Model):
    """A material the citizen would once have brought, and how this case did without it."""

    id: str
    name_zh: str
    name_en: str
    way: Literal["cancelled", "commitment", "data_query", "department_verification"]
    held_by: str
    step: str | None = None
    applies: bool = True


class CorrectionView(_Model):
    """A later event for this case's key, and what became of it."""

    event_id: str
    received_at: datetime
    outcome: Literal["duplicate", "applied", "rejected"]
    fields: list[str] = Field(default_factory=list)
    reason: str = ""


class OperatorAction(_Model):
    """An operator's action on a case, with who took it and why."""

    at: datetime
    operator: str
    action: str
    step: str | None = None
    reason: str


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
    waits: list[WaitView] = Field(default_factory=list)
    retrying: list[RetryView] = Field(default_factory=list)
    checks: list[CheckView] = Field(default_factory=list)
    actions: list[OperatorAction] = Field(default_factory=list)
    materials: list[MaterialView] = Field(default_factory=list)
    corrections: list[CorrectionView] = Field(default_factory=list)
    asked: list[str] = Field(default_factory=list)
    sla_deadline: datetime | None = None
    sla_breached: bool = False
    deadlines_missed: list[DeadlineMissed] = Field(default_factory=list)
    #: Every step is done, so every document is out; only a pledge check is still to come.
    pledge_check_pending: bool = False
    pledge_check_due: datetime | None = None
    #: When the last step finished: the case's duration to its last document.
    steps_done_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failure: CaseFailure | None = None


class CaseOptions(_Model):
    """Deadlines a case runs with, set from settings by whoever starts it."""

    sla: timedelta = timedelta(days=2)
    verification_deadline: timedelta = timedelta(days=3)
    pledge_check_after: timedelta = timedelta(days=7)
    #: How long a case that cannot go on (a failed step, a missing fact) waits for an operator.
    operator_hold: timedelta = timedelta(days=3)
    #: The first pause before a department that keeps failing is tried again (it doubles).
    retry_backoff: timedelta = timedelta(seconds=5)
    #: The engine changes the case takes without a patch marker (see workflows/changes.py).
    #: Empty for cases started before changes were named here: those ask ``workflow.patched``.
    changes: tuple[str, ...] = ()


class CaseScope(_Model):
    """Whom a case concerns: the ID numbers its event names, signed by the bridge.

    Departments answer a case's queries only about these people (see onething/crypto/scope.py).
    """

    case_id: str
    id_numbers: list[str]
    signature: str
    #: When the scope stops opening anything; None on scopes signed before scopes expired.
    expires_at: AwareDatetime | None = None


class CaseInput(_Model):
    """What every case starts from: the trigger event's attributes and its validated data."""

    case_id: str
    event: EventMeta
    options: CaseOptions = Field(default_factory=CaseOptions)
    scope: CaseScope | None = None


class NewbornInput(CaseInput):
    """Input of the newborn case: a hospital's birth event."""

    data: BirthData


class RetirementInput(CaseInput):
    """Input of the retirement case."""

    data: RetirementData


class DeathInput(CaseInput):
    """Input of the death case."""

    data: DeathData


class BusinessInput(CaseInput):
    """Input of the business-opening case."""

    data: BusinessData


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
    way: FactWay | None = None


class CaseUpdateInput(_Model):
    """Input of the activity that publishes a case update on ``onething.case-updates``."""

    type: str
    case_id: str
    bundle: Bundle
    status: CaseStatus
    documents: list[Document]
    time: datetime
    sequence: int = 0


class Published(_Model):
    """Where a published event landed."""

    topic: str
    partition: int
    offset: int


class VerificationAnswerRequest(_Model):
    """Update ``answer_verification``: a person at the provider answers a pending verification."""

    step: str
    answer: Literal["confirmed", "refused"]
    operator: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class CancelRequest(_Model):
    """Update ``cancel``: an operator ends the case and revokes what it obtained."""

    operator: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class ActionAccepted(_Model):
    """The answer to an operator's update."""

    case_id: str
    action: str
    status: CaseStatus


class SubjectDeceased(_Model):
    """Signal ``subject_deceased``: the person this case is about has died."""

    death_case_id: str


class EventReceived(_Model):
    """Update ``receive_event``: another event arrived for this case's key (sent by the bridge)."""

    event: EventMeta
    data: dict[str, Any]
    #: The case's scope re-signed for the corrected event's people; replaces the old one if
    #: the correction is applied.
    scope: CaseScope | None = None


class EventVerdict(_Model):
    """What the case made of another event for its key."""

    case_id: str
    outcome: Literal["duplicate", "applied", "rejected"]
    fields: list[str] = Field(default_factory=list)
    reason: str = ""


class AskCitizenRequest(_Model):
    """Update ``ask_citizen``: ask the citizen, once ever, for a fact no department holds."""

    fact: str = Field(min_length=1, max_length=64)
    operator: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class SupplyFactRequest(_Model):
    """Update ``supply_fact``: the citizen's answer to an ask, entered by an operator."""

    fact: str = Field(min_length=1, max_length=64)
    value: Any
    operator: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class RetryStepRequest(_Model):
    """Update ``retry_step``: run a failed step again after the fault was fixed."""

    step: str = Field(min_length=1, max_length=64)
    operator: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
