"""A person's data tracker: every read of their data, asked of every department that holds it.

Each department keeps its own append-only access log; this asks all of them at once
(``POST /access-log/query`` with the department's service token, the ID number in the body)
and merges the answers newest first. A department that does not answer is reported, never
silently left out.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from departments.api import AccessLog, AccessRecord
from departments.audit import ChainCheck, verify_chain
from onething.constants import DEPARTMENTS, Department
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import department_token
from onething.settings import Settings


class PersonReads(BaseModel):
    """Every read of one person's data that the departments answered for.

    Attributes:
        reads: The reads, newest first.
        unanswered: Departments that did not answer, each with why (no personal data).
    """

    model_config = ConfigDict(frozen=True)

    reads: list[AccessRecord] = Field(default_factory=list)
    unanswered: dict[str, str] = Field(default_factory=dict)


async def person_reads(
    settings: Settings,
    id_number: str,
    *,
    departments: tuple[Department, ...] = DEPARTMENTS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PersonReads:
    """Ask every department for the reads of ``id_number``'s data and merge them.

    Args:
        settings: Where the departments are and where their tokens live.
        id_number: Whose reads; sent in request bodies only.
        departments: Which departments to ask.
        transport: An HTTP transport for tests; the network when None.

    Returns:
        The reads, newest first, and the departments that did not answer.
    """
    async with httpx.AsyncClient(
        transport=transport, timeout=settings.department_timeout_s
    ) as http:
        answers = await asyncio.gather(
            *(_ask(http, settings, department, id_number) for department in departments)
        )
    reads: list[AccessRecord] = []
    unanswered: dict[str, str] = {}
    for department, answer in zip(departments, answers, strict=True):
        if isinstance(answer, str):
            unanswered[department] = answer
        else:
            reads.extend(answer.reads)
    reads.sort(key=lambda read: read.at, reverse=True)
    return PersonReads(reads=reads, unanswered=unanswered)


async def _ask(
    http: httpx.AsyncClient, settings: Settings, department: Department, id_number: str
) -> AccessLog | str:
    try:
        token = department_token(settings, department)
    except SecretConfigError as err:
        return f"no service token: {err}"
    try:
        response = await http.post(
            f"{settings.department_url(department)}/access-log/query",
            json={"id_number": id_number},
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as err:
        return f"unreachable ({type(err).__name__})"
    if response.status_code != httpx.codes.OK:
        return f"answered {response.status_code} {_error_type(response)}".rstrip()
    try:
        return AccessLog.model_validate_json(response.content)
    except ValidationError:
        return "answered something that is not an access log"


def _error_type(response: httpx.Response) -> str:
    # Only the error's type: its detail is the department's wording, the type is searchable.
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def verify_local_logs(
    settings: Settings, *, departments: tuple[Department, ...] = DEPARTMENTS
) -> dict[Department, ChainCheck | None]:
    """Check the hash chain of each department's access log in the local stack's databases.

    Args:
        settings: Where the databases are (``<home>/departments/<d>.db``).
        departments: Which departments to check.

    Returns:
        Each department's result, or None where it has no local database.
    """
    found: dict[Department, ChainCheck | None] = {}
    for department in departments:
        path = settings.department_db(department)
        if not path.exists():
            found[department] = None
            continue
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            found[department] = verify_chain(conn)
    return found
