"""Pydantic models of the CloudEvents in the public contract (version 1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from events import plausibility
from onething.constants import (
    EVENT_TYPE_BIRTH,
    EVENT_TYPE_BUSINESS,
    EVENT_TYPE_DEATH,
    EVENT_TYPE_RETIREMENT,
    SUBJECT_PATTERN,
)
from onething.identifiers import validate_id_number

IdNumber = Annotated[
    str,
    AfterValidator(validate_id_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{17}[0-9X]$",
            "description": "Resident ID number; its check digit (GB 11643-1999) is verified.",
        }
    ),
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Subject = Annotated[str, StringConstraints(pattern=SUBJECT_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _implausible(error: plausibility.Implausible) -> PydanticCustomError:
    """An error of type ``implausible``: the bridge dead-letters it as an implausible event."""
    return PydanticCustomError("implausible", str(error))


class Person(_Model):
    """A person named in an event: a verified ID number and a name."""

    id_number: IdNumber
    name: PersonName


class Hospital(_Model):
    """The hospital that reports a birth."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
    name: Text


class Child(_Model):
    """The newborn child as the hospital recorded it."""

    name: PersonName
    sex: Literal["F", "M"]
    born_at: AwareDatetime
    weight_g: int = Field(ge=300, le=8000)

    @field_validator("born_at")
    @classmethod
    def _born_by_now(cls, born_at: datetime, info: ValidationInfo) -> datetime:
        clock = plausibility.clock_in(info.context)
        if clock is not None:
            try:
                plausibility.not_in_future(born_at, field="born_at", clock=clock)
            except plausibility.Implausible as err:
                raise _implausible(err) from None
        return born_at


class BirthData(_Model):
    """``data`` of ``onething.birth.registered``."""

    hospital: Hospital
    child: Child
    mother: Person
    father: Person | None = None
    household_parent: Literal["mother", "father"]

    @model_validator(mode="after")
    def _parents_of_an_age(self, info: ValidationInfo) -> Self:
        if plausibility.clock_in(info.context) is not None:
            try:
                born_at = self.child.born_at
                plausibility.parent_age(self.mother.id_number, born_at, parent="mother")
                if self.father is not None:
                    plausibility.parent_age(self.father.id_number, born_at, parent="father")
            except plausibility.Implausible as err:
                raise _implausible(err) from None
        return self


class Informant(Person):
    """The person who reports a death, and their relation to the deceased."""

    relation: Text


class DeathData(_Model):
    """``data`` of ``onething.death.registered``."""

    deceased: Person
    died_at: AwareDatetime
    place: Literal["hospital", "home", "other"]
    informant: Informant

    @model_validator(mode="after")
    def _a_death_that_could_be(self, info: ValidationInfo) -> Self:
        clock = plausibility.clock_in(info.context)
        if clock is not None:
            try:
                plausibility.not_in_future(self.died_at, field="died_at", clock=clock)
                plausibility.death_after_birth(
                    self.deceased.id_number, self.died_at, person="deceased"
                )
                plausibility.death_after_birth(
                    self.informant.id_number, self.died_at, person="informant"
                )
            except plausibility.Implausible as err:
                raise _implausible(err) from None
        return self


class RetirementData(_Model):
    """``data`` of ``onething.retirement.due``."""

    person: Person
    retirement_date: date
    kind: Literal["normal", "early"]

    @model_validator(mode="after")
    def _of_retirement_age(self, info: ValidationInfo) -> Self:
        if plausibility.clock_in(info.context) is not None:
            try:
                plausibility.retirement_age(self.person.id_number, self.retirement_date, self.kind)
            except plausibility.Implausible as err:
                raise _implausible(err) from None
        return self


class Company(_Model):
    """The company an applicant wants to open."""

    name: Text
    kind: Text
    registered_capital_cny: int = Field(ge=0)
    address: Text
    business_scope: Text


class BusinessData(_Model):
    """``data`` of ``onething.business.submitted``."""

    company: Company
    legal_representative: Person
    address_pledge: bool
    employees: int = Field(ge=0, le=1_000_000)


class CloudEventBase(_Model):
    """The CloudEvents 1.0 attributes every event carries, in either content mode."""

    specversion: Literal["1.0"]
    id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    subject: Subject
    time: AwareDatetime
    #: Optional in CloudEvents; when given, the contract allows only JSON.
    datacontenttype: Literal["application/json"] = "application/json"

    @field_validator("time")
    @classmethod
    def _sent_by_now(cls, time: datetime, info: ValidationInfo) -> datetime:
        clock = plausibility.clock_in(info.context)
        if clock is not None:
            try:
                plausibility.not_in_future(time, field="time", clock=clock)
            except plausibility.Implausible as err:
                raise _implausible(err) from None
        return time


class BirthEvent(CloudEventBase):
    """A hospital registered a birth: starts a newborn case."""

    type: Literal["onething.birth.registered"]
    data: BirthData


class DeathEvent(CloudEventBase):
    """A death was registered: starts a death case."""

    type: Literal["onething.death.registered"]
    data: DeathData


class RetirementEvent(CloudEventBase):
    """A person reaches retirement: starts a retirement case."""

    type: Literal["onething.retirement.due"]
    data: RetirementData


class BusinessEvent(CloudEventBase):
    """An application to open a business: starts a business case."""

    type: Literal["onething.business.submitted"]
    data: BusinessData


InputEvent = Annotated[
    BirthEvent | DeathEvent | RetirementEvent | BusinessEvent, Field(discriminator="type")
]

EVENT_MODELS: dict[str, type[CloudEventBase]] = {
    EVENT_TYPE_BIRTH: BirthEvent,
    EVENT_TYPE_DEATH: DeathEvent,
    EVENT_TYPE_RETIREMENT: RetirementEvent,
    EVENT_TYPE_BUSINESS: BusinessEvent,
}


class EventMeta(_Model):
    """The attributes of the event that started a case, without its data."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime


class OutEvent(_Model):
    """A CloudEvent that onething publishes (case updates), in structured content mode."""

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = "urn:onething"
    type: str
    subject: str
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
