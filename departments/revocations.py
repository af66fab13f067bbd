"""Revocations: every department can withdraw a document it issued (``POST /revocations``).

A case revokes what it obtained when it turns out to rest on something false (an address pledged
under notification and commitment that does not exist, say). The document stays on record, marked
revoked, with the case and the reason.
"""

from __future__ import annotations

import sqlite3
from functools import partial

from fastapi import APIRouter, Response

from departments.api import Revocation, RevocationRequest
from departments.documents import revoke_document
from departments.http import IdempotencyKey, respond
from departments.idempotency import run_once
from departments.store import Store


def revoke(conn: sqlite3.Connection, body: RevocationRequest) -> Revocation:
    """Revoke the document ``body`` names; revoking it again returns the first revocation.

    Raises:
        DepartmentError: ``unknown_document``.
    """
    return revoke_document(
        conn, number=body.document_number, case_id=body.case_id, reason=body.reason
    )


def routes(store: Store) -> APIRouter:
    """``POST /revocations``."""
    router = APIRouter(tags=["revocations"])

    @router.post("/revocations", response_model=Revocation)
    async def revocations(body: RevocationRequest, key: IdempotencyKey) -> Response:
        handler = partial(revoke, body=body)
        return respond(run_once(store, scope="/revocations", key=key, body=body, handler=handler))

    return router
