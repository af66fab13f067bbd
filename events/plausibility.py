"""Whether an event could be true: no time in the future, and people of an age for what they do.

Each rule is a small pure function that raises :class:`Implausible` with a message naming the
fields it compared, never their values. The event models run them only when they are validated
at the edge, with an :class:`EdgeClock` in the validation context (see :func:`clock_in`): a case
that already holds an event never re-judges it, so a workflow replaying its input on another day
(or in the sandbox, which has no clock) sees what the bridge saw.

The thresholds, and why:

- A time may lie at most the configured clock skew (``ONETHING_CLOCK_SKEW``, default 5 minutes)
  after the moment the bridge reads the event: hospitals' clocks drift, nothing else is early.
- Parents: a mother aged :data:`MIN_PARENT_AGE` to :data:`MAX_MOTHER_AGE` at the birth, a father
  aged :data:`MIN_PARENT_AGE` to :data:`MAX_FATHER_AGE` (the ages are whole years on the child's
  birth date in China, computed from the birth date in the parent's ID number). Fourteen is the
  age below which the criminal law presumes no consent; births to mothers over sixty, or to
  fathers over eighty, are reported so rarely that an event claiming one is more likely wrong.
- Death: not before the deceased was born, nor after the age of :data:`MAX_AGE`; the informant
  was born by the day of the death.
- Retirement, on the retirement date: under the 2025 reform the statutory age is 60 to 63 for
  men and 50/55 to 55/58 for women, and early retirement comes at most three years before it;
  the older rules still in force let people in arduous posts or with a disability retire from
  45 (women) or 50 (men). So a ``normal`` retirement must be at :data:`MIN_NORMAL_RETIREMENT_AGE`
  (women workers born before 1975) or later, an ``early`` one at
  :data:`MIN_EARLY_RETIREMENT_AGE` or later, and neither after :data:`MAX_RETIREMENT_AGE`: seven
  years past the highest statutory age a retirement is no longer "due".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final, Literal

#: Ages in whole years; see the module docstring for why each is where it is.
MIN_PARENT_AGE: Final = 14
MAX_MOTHER_AGE: Final = 60
MAX_FATHER_AGE: Final = 80
MAX_AGE: Final = 130
MIN_NORMAL_RETIREMENT_AGE: Final = 50
MIN_EARLY_RETIREMENT_AGE: Final = 45
MAX_RETIREMENT_AGE: Final = 70
#: The key of the :class:`EdgeClock` in a pydantic validation context.
CONTEXT_KEY: Final = "edge_clock"

_CHINA: Final = timezone(timedelta(hours=8), "CST")


class Implausible(ValueError):
    """The event cannot be true; the message names fields, never values."""


@dataclass(frozen=True)
class EdgeClock:
    """The moment an event is judged at, and how far a sender's clock may run ahead.

    Attributes:
        now: The time the event is read (aware).
        skew: How far after ``now`` a time in an event may lie.
    """

    now: datetime
    skew: timedelta

    @property
    def latest(self) -> datetime:
        """The latest time an event may name."""
        return self.now + self.skew


def clock_in(context: object) -> EdgeClock | None:
    """The edge clock of a validation context, or None when the models are not at the edge."""
    if isinstance(context, Mapping):
        clock = context.get(CONTEXT_KEY)
        if isinstance(clock, EdgeClock):
            return clock
    return None


def birth_date_in(id_number: str) -> date:
    """The birth date a valid resident ID number encodes."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_in(id_number: str) -> Literal["F", "M"]:
    """The sex a valid resident ID number encodes (the 17th digit is odd for men)."""
    return "M" if int(id_number[16]) % 2 else "F"


def age_on(birth: date, on: date) -> int:
    """Age in whole years on a day; negative before the birth."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def china_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in China, where every reported event takes place."""
    return moment.astimezone(_CHINA).date()


def not_in_future(moment: datetime, *, field: str, clock: EdgeClock) -> None:
    """``moment`` is no later than the clock's latest time.

    Raises:
        Implausible: naming ``field``.
    """
    if moment > clock.latest:
        raise Implausible(f"{field} is in the future (beyond the allowed clock skew)")


def parent_age(
    id_number: str, child_born: datetime, *, parent: Literal["mother", "father"]
) -> None:
    """The parent was of an age to be a parent when the child was born.

    Raises:
        Implausible: naming the parent and ``child.born_at``.
    """
    oldest = MAX_MOTHER_AGE if parent == "mother" else MAX_FATHER_AGE
    age = age_on(birth_date_in(id_number), china_date(child_born))
    if age < 0:
        raise Implausible(f"child.born_at is before the birth date in {parent}.id_number")
    if not MIN_PARENT_AGE <= age <= oldest:
        raise Implausible(
            f"{parent}.id_number gives an age at child.born_at outside "
            f"{MIN_PARENT_AGE}-{oldest}, the ages of a {parent}"
        )


def death_after_birth(id_number: str, died_at: datetime, *, person: str) -> None:
    """The person was born by the day of the death, and not implausibly long before it.

    Raises:
        Implausible: naming ``person`` and ``died_at``.
    """
    age = age_on(birth_date_in(id_number), china_date(died_at))
    if age < 0:
        raise Implausible(f"died_at is before the birth date in {person}.id_number")
    if age > MAX_AGE:
        raise Implausible(f"{person}.id_number gives an age at died_at above {MAX_AGE}")


def retirement_age(id_number: str, retirement_date: date, kind: Literal["normal", "early"]) -> None:
    """The person is of an age to retire on ``retirement_date`` in the way ``kind`` says.

    Raises:
        Implausible: naming ``retirement_date`` and ``person.id_number``.
    """
    youngest = MIN_NORMAL_RETIREMENT_AGE if kind == "normal" else MIN_EARLY_RETIREMENT_AGE
    age = age_on(birth_date_in(id_number), retirement_date)
    if not youngest <= age <= MAX_RETIREMENT_AGE:
        raise Implausible(
            f"person.id_number gives an age at retirement_date outside "
            f"{youngest}-{MAX_RETIREMENT_AGE}, the ages of a {kind} retirement"
        )
