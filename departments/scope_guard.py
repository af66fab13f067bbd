"""Queries about a person, and every call that issues or pays, only within a case's signed scope.

A case may ask about the people its event names, nobody else, and only while it is open: a call
without the case's scope, with a forged or expired one, for a closed case, or about someone
outside it is refused (403 ``outside_case_scope``) and the attempt is written to the access log,
so the person can see it. Issuing calls (every POST of a department's own routes but the shared
queries) are checked by :func:`require_issue_scope` before they run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, Header, Request

from departments.api import PersonQuery
from departments.audit import Read, record_reads
from departments.auth import SHARED_PATHS
from departments.closures import is_closed
from departments.http import CALLER_SCOPE_KEY, UNKNOWN_CALLER
from departments.idempotency import answered
from departments.refusals import DepartmentError
from departments.store import Store
from onething.crypto.scope import SCOPE_HEADER, read_scope_header, scope_refusal
from workflows.models import CaseScope

refusal_log = logging.getLogger("departments.scope")


@dataclass(frozen=True)
class ScopeGuard:
    """The scope a request carries, and the key to check it.

    Attributes:
        key: The scope key.
        scope: The scope the request carries, if any.
        path: The endpoint asked.
        idempotency_key: The request's ``Idempotency-Key``: a request this department already
            answered for the case may be replayed after the case closed (a reset case runs its
            steps again and must get the same answers), never a new one.
    """

    key: bytes
    scope: CaseScope | None
    path: str = ""
    idempotency_key: str | None = None

    def closed_for(self, store: Store, case_id: str) -> bool:
        """Whether the case closed, unless this very request was answered before it did."""
        with store.transaction() as conn:
            if not is_closed(conn, case_id):
                return False
            key = self.idempotency_key
            return key is None or not answered(conn, scope=self.path, key=key)

    def require(
        self,
        store: Store,
        *,
        case_id: str,
        id_numbers: Iterable[str],
        requested_by: str,
        fact: str,
    ) -> None:
        """Let the query through, or record the attempt and refuse it.

        Raises:
            DepartmentError: 403 ``outside_case_scope``.
        """
        people = list(id_numbers)
        reason = scope_refusal(
            self.key,
            self.scope,
            case_id=case_id,
            id_numbers=people,
            closed=self.closed_for(store, case_id),
        )
        if reason is None:
            return
        with store.transaction() as conn:
            record_reads(
                conn,
                [
                    Read(
                        case_id=case_id,
                        requested_by=requested_by,
                        fact=fact,
                        subject_id_number=person,
                        purpose=f"REFUSED: {reason}",
                    )
                    for person in people
                ],
            )
        raise DepartmentError(403, "outside_case_scope", reason)

    def require_person(self, store: Store, body: PersonQuery, caller: str, fact: str) -> None:
        """:meth:`require` for a query about the one person ``body`` names."""
        self.require(
            store,
            case_id=body.case_id,
            id_numbers=(body.id_number,),
            requested_by=caller,
            fact=fact,
        )


async def _guard(
    request: Request, header: Annotated[str | None, Header(alias=SCOPE_HEADER)] = None
) -> ScopeGuard:
    key: bytes = request.app.state.scope_key
    return ScopeGuard(
        key=key,
        scope=read_scope_header(header),
        path=request.url.path,
        idempotency_key=request.headers.get("idempotency-key"),
    )


#: The asking case's scope, checked with :meth:`ScopeGuard.require` before a person is read.
Scope = Annotated[ScopeGuard, Depends(_guard)]


#: ID numbers that a case brings into being (a newborn's), which its scope cannot name yet.
_BORN_IN_CASE_FIELDS: Final = frozenset({"child_id_number"})
_NEWBORN_PATHS: Final = frozenset({"/medical-insurance-enrollments", "/social-security-cards"})


def people_acted_on(path: str, body: Mapping[str, Any]) -> list[str]:
    """The ID numbers an issuing call names that its scope must hold.

    Every top-level ``*id_number`` and ``*id_numbers`` field counts, except a newborn's (its
    number is issued during the case, after the scope was signed). People nested deeper (the
    next of kin a payment goes to) were found by the case in the registers, not named by it.
    """
    found: list[str] = []
    for field, value in body.items():
        if field in _BORN_IN_CASE_FIELDS or (field == "id_number" and path in _NEWBORN_PATHS):
            continue
        if field.endswith("id_number") and isinstance(value, str):
            found.append(value)
        elif field.endswith("id_numbers") and isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return found


async def require_issue_scope(
    request: Request, header: Annotated[str | None, Header(alias=SCOPE_HEADER)] = None
) -> None:
    """Refuse an issuing call without the open, unexpired scope of its case naming its people.

    Queries shared between departments check their scope themselves (:data:`Scope`).

    Raises:
        DepartmentError: 403 ``outside_case_scope``, the attempt written to the access log.
    """
    if request.method != "POST" or request.url.path in SHARED_PATHS:
        return
    try:
        body = await request.json()
    except ValueError:
        return  # not JSON: the route's validation refuses it
    if not isinstance(body, dict) or not isinstance(body.get("case_id"), str):
        return  # no case named: the route's validation refuses it
    people = people_acted_on(request.url.path, body)
    caller = request.scope.get(CALLER_SCOPE_KEY, UNKNOWN_CALLER)
    guard = await _guard(request, header)
    fact = "issue " + request.url.path.strip("/")
    if people:
        guard.require(
            request.app.state.store,
            case_id=body["case_id"],
            id_numbers=people,
            requested_by=caller,
            fact=fact,
        )
        return
    closed = guard.closed_for(request.app.state.store, body["case_id"])
    reason = scope_refusal(
        guard.key, guard.scope, case_id=body["case_id"], id_numbers=(), closed=closed
    )
    if reason is not None:
        refusal_log.warning("%s refused on %s: %s", caller, request.url.path, reason)
        raise DepartmentError(403, "outside_case_scope", reason)
