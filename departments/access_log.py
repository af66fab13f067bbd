"""``POST /access-log/query``: a person's view of who read their data at this department.

Read-only by construction: the access log has no endpoint that writes to it, and its table
refuses updates and deletes. The ID number travels in the body, never in the URL, so it reaches
no request log.
"""

from __future__ import annotations

from fastapi import APIRouter

from departments.api import AccessLog, AccessLogQuery, AccessRecord
from departments.audit import reads_of_person
from departments.refusals import checked_id_number
from departments.store import Store
from onething.constants import Department


def routes(store: Store, department: Department) -> APIRouter:
    """``POST /access-log/query``."""
    router = APIRouter(tags=["access log"])

    @router.post("/access-log/query", response_model=AccessLog)
    async def query(body: AccessLogQuery) -> AccessLog:
        id_number = checked_id_number(body.id_number, field="id_number")
        with store.transaction() as conn:
            logged = reads_of_person(conn, id_number)
        return AccessLog(
            reads=[
                AccessRecord(
                    case_id=read.case_id,
                    requested_by=read.requested_by,
                    held_by=department,
                    fact=read.fact,
                    purpose=read.purpose,
                    at=read.at,
                )
                for read in logged
            ]
        )

    return router
