"""Queries about a person answer only within the asking case's signed scope.

A case may ask about the people its event names, nobody else: a query without the case's scope,
with a forged one, or about someone outside it is refused (403 ``outside_case_scope``) and the
attempt is written to the access log, so the person can see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from departments.api import PersonQuery
from departments.audit import Read, record_reads
from departments.refusals import DepartmentError
from departments.store import Store
from onething.crypto.scope import SCOPE_HEADER, read_scope_header, scope_refusal
from workflows.models import CaseScope


@dataclass(frozen=True)
class ScopeGuard:
    """The scope a request carries, and the key to check it."""

    key: bytes
    scope: CaseScope | None

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
        reason = scope_refusal(self.key, self.scope, case_id=case_id, id_numbers=people)
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
    return ScopeGuard(key=key, scope=read_scope_header(header))


#: The asking case's scope, checked with :meth:`ScopeGuard.require` before a person is read.
Scope = Annotated[ScopeGuard, Depends(_guard)]
