"""Names fixed by the public contract: topics, task queues, search attributes, departments."""

from __future__ import annotations

from typing import Final, Literal, get_args

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


SA_BUNDLE: Final = SearchAttributeKey.for_keyword("Bundle")
SA_CASE_STATUS: Final = SearchAttributeKey.for_keyword("CaseStatus")
SA_WAITING_ON: Final = SearchAttributeKey.for_keyword_list("WaitingOn")
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
