"""Names fixed by the public contract: topics, task queues, search attributes, departments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal, get_args

if TYPE_CHECKING:
    from temporalio.common import SearchAttributeKey

Department = Literal[
    "health", "police", "social_security", "tax", "market_regulation", "civil_affairs"
]
DEPARTMENTS: Final[tuple[Department, ...]] = get_args(Department)

Bundle = Literal["newborn", "retirement", "death", "business"]
BUNDLES: Final[tuple[Bundle, ...]] = get_args(Bundle)

#: ``cancelled``: an operator stopped the case; ``revoked``: a pledge it acted on was false.
CaseStatus = Literal[
    "running",
    "waiting-department",
    "waiting-citizen",
    "completed",
    "rejected",
    "revoked",
    "failed",
    "cancelled",
]

TOPIC_BIRTHS: Final = "hospital.births"
TOPIC_DEATHS: Final = "hospital.deaths"
TOPIC_RETIREMENTS: Final = "socialsecurity.retirements"
TOPIC_BUSINESS: Final = "market.business-applications"
TOPIC_CASE_UPDATES: Final = "onething.case-updates"
TOPIC_DEAD_LETTERS: Final = "onething.dead-letters"

EVENT_TYPE_BIRTH: Final = "onething.birth.registered"
EVENT_TYPE_DEATH: Final = "onething.death.registered"
EVENT_TYPE_RETIREMENT: Final = "onething.retirement.due"
EVENT_TYPE_BUSINESS: Final = "onething.business.submitted"

#: Input topic and bundle of every event type that starts a case.
EVENT_TYPES: Final[dict[str, tuple[str, Bundle]]] = {
    EVENT_TYPE_BIRTH: (TOPIC_BIRTHS, "newborn"),
    EVENT_TYPE_DEATH: (TOPIC_DEATHS, "death"),
    EVENT_TYPE_RETIREMENT: (TOPIC_RETIREMENTS, "retirement"),
    EVENT_TYPE_BUSINESS: (TOPIC_BUSINESS, "business"),
}
INPUT_TOPICS: Final[tuple[str, ...]] = tuple(topic for topic, _ in EVENT_TYPES.values())
ALL_TOPICS: Final[tuple[str, ...]] = (*INPUT_TOPICS, TOPIC_CASE_UPDATES, TOPIC_DEAD_LETTERS)
TOPIC_PARTITIONS: Final = 4

BRIDGE_GROUP_ID: Final = "onething-bridge"
ORCHESTRATOR_TASK_QUEUE: Final = "onething"


def department_task_queue(department: Department) -> str:
    """The task queue on which a department's activities run, beside its own system."""
    return f"onething-{department}"


if TYPE_CHECKING:
    SA_BUNDLE: SearchAttributeKey[str]
    SA_CASE_STATUS: SearchAttributeKey[str]
    SA_WAITING_ON: SearchAttributeKey[Sequence[str]]
SEARCH_ATTRIBUTES: Final[dict[str, str]] = {
    "Bundle": "Keyword",
    "CaseStatus": "Keyword",
    "WaitingOn": "KeywordList",
}

#: The memo key under which a case keeps its flags (``workflows.models.CaseFlags``).
MEMO_FLAGS: Final = "flags"

#: The fact holding a case's signed scope; data-query steps need it to ask about people.
CASE_SCOPE: Final = "case_scope"

SUBJECT_PATTERN: Final = r"^[A-Za-z0-9._-]{1,64}$"


def case_id(bundle: Bundle, subject: str) -> str:
    """The workflow ID of a case: ``<bundle>-<subject>`` (the subject is never personal data)."""
    return f"{bundle}-{subject}"


def __getattr__(name: str) -> object:
    """The search attribute keys ``SA_*``, made on first use.

    Importing the Temporal SDK takes a large part of a second; commands that never talk to
    Temporal (``--help``, ``sample-event``, ``catalogue``) should not pay for it.
    """
    if name not in ("SA_BUNDLE", "SA_CASE_STATUS", "SA_WAITING_ON"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from temporalio.common import SearchAttributeKey

    keys: dict[str, object] = {
        "SA_BUNDLE": SearchAttributeKey.for_keyword("Bundle"),
        "SA_CASE_STATUS": SearchAttributeKey.for_keyword("CaseStatus"),
        "SA_WAITING_ON": SearchAttributeKey.for_keyword_list("WaitingOn"),
    }
    globals().update(keys)
    return keys[name]
