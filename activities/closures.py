"""Telling the departments that a case closed, so its scope opens nothing there any more.

Sent when the orchestrator publishes a case's final update, to every department whose service
token this process holds, without holding up the case: a department that misses the news still
refuses the scope once it expires (``ONETHING_CASE_SCOPE_LIFETIME``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from temporalio.exceptions import ApplicationError

from activities.department_client import call_department
from departments.api import CaseClosure
from onething.constants import DEPARTMENTS, CaseStatus, Department
from onething.crypto.scope import CLOSURE_PATH
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import department_token
from onething.settings import Settings, get_settings

#: Statuses after which a case never acts again.
FINAL_STATUSES: Final[frozenset[CaseStatus]] = frozenset(
    {"completed", "rejected", "revoked", "failed"}
)
log = logging.getLogger(__name__)
#: Announcements still being sent (held so the event loop does not drop them).
_sending: set[asyncio.Task[None]] = set()


async def announce_closure(case_id: str, *, settings: Settings | None = None) -> None:
    """Tell every department whose token this process holds that ``case_id`` closed.

    A department that cannot be told is logged (without personal data) and skipped.
    """
    settings = settings or get_settings()
    told = [d for d in DEPARTMENTS if _holds_token(settings, d)]
    answers = await asyncio.gather(
        *(
            call_department(
                department,
                CLOSURE_PATH,
                CaseClosure(case_id=case_id),
                CaseClosure,
                idempotency_key=f"{case_id}/closed",
                settings=settings,
            )
            for department in told
        ),
        return_exceptions=True,
    )
    for department, answer in zip(told, answers, strict=True):
        if isinstance(answer, ApplicationError):
            log.warning("%s not told that %s closed: %s", department, case_id, answer.type)
        elif isinstance(answer, BaseException):
            log.warning("%s not told that %s closed: %s", department, case_id, type(answer))


def announce_closure_soon(case_id: str) -> None:
    """Start :func:`announce_closure` in the background of the running event loop."""
    task = asyncio.get_running_loop().create_task(announce_closure(case_id))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


def _holds_token(settings: Settings, department: Department) -> bool:
    try:
        department_token(settings, department)
    except SecretConfigError:
        return False
    return True
