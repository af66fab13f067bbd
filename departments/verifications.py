"""Verifications: one department asks another to confirm something only the other can.

Every department answers ``POST /verifications``; which ``kind`` it accepts, and how it decides
a new request, is its own business (a :data:`VerificationRule` per kind, registered in its
:class:`~departments.service.DepartmentService`). A rule confirms or refuses at once from the
department's records, or leaves the request pending until an operator answers it with
``POST /verifications/{verification_id}/answer``. ``GET /verifications?status=pending`` is the
operators' work list; ``GET /verifications/{verification_id}/subject`` shows an officer what to
check, and logs the read. A case that stops (cancelled, rejected, revoked) withdraws what it still
has pending with ``POST /verifications/withdraw``, so nobody is sent to answer it.

The subject (an address, a person) stays in the ``verifications`` table: no answer, listing or
detail repeats it; only the subject endpoint does, for the officer who must check it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Annotated, Final

from fastapi import APIRouter, Header, Query, Response

from departments.api import (
    VerificationAnswer,
    VerificationRequest,
    VerificationState,
    VerificationStatus,
    VerificationSubject,
    VerificationSummary,
    VerificationsWithdrawn,
    VerificationWithdrawal,
)
from departments.audit import Read, record_reads
from departments.clock import now_in_china
from departments.documents import next_number
from departments.http import Caller, IdempotencyKey, respond
from departments.idempotency import Outcome, run_once
from departments.refusals import DepartmentError, refuse
from departments.store import Store
from onething.constants import Department

#: The code in a verification's number: ``POL-VER-2026-000001``.
VERIFICATION_CODE: Final = "VER"
_LIST_LIMIT: Final = 1_000


@dataclass(frozen=True, slots=True)
class Decision:
    """What a rule decided about a new verification; ``detail`` holds no personal data."""

    status: VerificationState
    detail: str


#: Decides a new verification of one kind from the department's records, inside the transaction.
VerificationRule = Callable[[sqlite3.Connection, VerificationRequest], Decision]


def open_verification(
    conn: sqlite3.Connection,
    body: VerificationRequest,
    *,
    department: Department,
    rules: Mapping[str, VerificationRule],
    caller: str,
) -> VerificationStatus:
    """Record a verification request and decide it with the rule for its kind.

    Raises:
        DepartmentError: ``unknown_verification_kind`` when the department has no rule for
            ``kind``; whatever the rule raises (e.g. ``invalid_subject``).
    """
    rule = rules.get(body.kind)
    if rule is None:
        raise refuse(
            "unknown_verification_kind",
            f"{department} verifies only {sorted(rules) or 'nothing'}; kind is not one of them",
        )
    decision = rule(conn, body)
    opened_at = now_in_china()
    number = next_number(conn, department=department, code=VERIFICATION_CODE, year=opened_at.year)
    answered = decision.status != "pending"
    conn.execute(
        "INSERT INTO verifications (id, case_id, requested_by, kind, subject, status, detail, "
        "answered_by, opened_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            number,
            body.case_id,
            caller,
            body.kind,
            json.dumps(body.subject, ensure_ascii=False, default=str),
            decision.status,
            decision.detail,
            f"rule:{body.kind}" if answered else None,
            opened_at.isoformat(),
            opened_at.isoformat() if answered else None,
        ),
    )
    return VerificationStatus(
        verification_id=number, status=decision.status, detail=decision.detail
    )


def answer_verification(
    conn: sqlite3.Connection, body: VerificationAnswer, *, verification_id: str
) -> VerificationStatus:
    """Record an operator's answer to a pending verification.

    Answering again the way it was answered returns the verification unchanged.

    Raises:
        DepartmentError: ``verification_not_found`` (404), or ``already_answered`` (409) when it
            was answered the other way.
    """
    row = _row(conn, verification_id)
    if row["status"] != "pending":
        if row["status"] != body.answer:
            raise DepartmentError(
                409, "already_answered", f"the verification was already {row['status']}"
            )
        return _status(row)
    detail = f"{body.answer} by an operator"
    conn.execute(
        "UPDATE verifications SET status = ?, detail = ?, answered_by = ?, reason = ?, "
        "answered_at = ? WHERE id = ?",
        (
            body.answer,
            detail,
            body.operator,
            body.reason,
            now_in_china().isoformat(),
            verification_id,
        ),
    )
    return VerificationStatus(verification_id=verification_id, status=body.answer, detail=detail)


def withdraw_verifications(
    conn: sqlite3.Connection, body: VerificationWithdrawal
) -> VerificationsWithdrawn:
    """Withdraw every pending verification of a case that stopped, saying why.

    Answered verifications stay as they were; withdrawing again withdraws nothing more.
    """
    rows = conn.execute(
        "SELECT id FROM verifications WHERE case_id = ? AND status = 'pending' ORDER BY id",
        (body.case_id,),
    ).fetchall()
    withdrawn = [row["id"] for row in rows]
    conn.executemany(
        "UPDATE verifications SET status = 'withdrawn', detail = ?, answered_by = 'case', "
        "reason = ?, answered_at = ? WHERE id = ?",
        [
            (
                f"withdrawn: the case stopped ({body.reason})",
                body.reason,
                now_in_china().isoformat(),
                verification_id,
            )
            for verification_id in withdrawn
        ],
    )
    return VerificationsWithdrawn(case_id=body.case_id, withdrawn=withdrawn)


def find_verification(conn: sqlite3.Connection, verification_id: str) -> VerificationStatus:
    """The verification as it stands.

    Raises:
        DepartmentError: ``verification_not_found`` (404).
    """
    return _status(_row(conn, verification_id))


def list_verifications(
    conn: sqlite3.Connection, *, status: VerificationState | None, limit: int
) -> list[VerificationSummary]:
    """Verifications in the order they were opened, optionally only those in ``status``."""
    rows = conn.execute(
        "SELECT id, case_id, kind, requested_by, status, opened_at FROM verifications "
        "WHERE ?1 IS NULL OR status = ?1 ORDER BY opened_at, id LIMIT ?2",
        (status, limit),
    ).fetchall()
    return [
        VerificationSummary.model_validate(
            {
                "verification_id": r["id"],
                "case_id": r["case_id"],
                "kind": r["kind"],
                "requested_by": r["requested_by"],
                "status": r["status"],
                "opened_at": r["opened_at"],
            }
        )
        for r in rows
    ]


def verification_subject(
    conn: sqlite3.Connection, verification_id: str, *, department: Department, officer: str
) -> VerificationSubject:
    """What a verification asks the officer to check, logged as a read of each person it names.

    Raises:
        DepartmentError: ``verification_not_found`` (404).
    """
    _row(conn, verification_id)
    row = conn.execute(
        "SELECT id, case_id, kind, subject FROM verifications WHERE id = ?", (verification_id,)
    ).fetchone()
    subject = json.loads(row["subject"])
    purpose = f"{row['kind']} verification by officer {officer}"
    record_reads(
        conn,
        (
            Read(
                case_id=row["case_id"],
                requested_by=department,
                fact=f"verification:{row['kind']}",
                subject_id_number=id_number,
                purpose=purpose,
            )
            for id_number in sorted(_id_numbers(subject))
        ),
    )
    return VerificationSubject(
        verification_id=row["id"], case_id=row["case_id"], kind=row["kind"], subject=subject
    )


def _id_numbers(value: object) -> set[str]:
    """Every ``id_number`` anywhere in a subject: the people the read concerns."""
    if isinstance(value, dict):
        found = {value["id_number"]} if isinstance(value.get("id_number"), str) else set()
        return found.union(*(_id_numbers(inner) for inner in value.values()))
    if isinstance(value, list):
        return set().union(*(_id_numbers(inner) for inner in value))
    return set()


def _row(conn: sqlite3.Connection, verification_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, status, detail FROM verifications WHERE id = ?", (verification_id,)
    ).fetchone()
    if row is None:
        raise DepartmentError(
            404,
            "verification_not_found",
            "verification_id names no verification of this department",
        )
    return row


def _as_it_stands(store: Store, outcome: Outcome) -> Outcome:
    """A repeated request for a verification gets the verification as it stands now.

    The first answer may have been ``pending``; an officer may have answered since. A case
    asking again (an activity retried, or a case reset by an operator) must learn the answer
    the department holds, not wait for a person who has already acted.
    """
    if not outcome.replayed or outcome.status != 200:
        return outcome
    opened = VerificationStatus.model_validate_json(outcome.body)
    with store.transaction() as conn:
        current = find_verification(conn, opened.verification_id)
    return replace(outcome, body=current.model_dump_json())


def _status(row: sqlite3.Row) -> VerificationStatus:
    return VerificationStatus(verification_id=row["id"], status=row["status"], detail=row["detail"])


def routes(
    store: Store, department: Department, rules: Mapping[str, VerificationRule]
) -> APIRouter:
    """``POST /verifications``, ``.../{id}/answer`` and ``.../withdraw``; ``GET /verifications``,
    ``.../{id}`` and ``.../{id}/subject``."""
    router = APIRouter(tags=["verifications"])

    @router.post("/verifications", response_model=VerificationStatus)
    async def verifications(
        body: VerificationRequest, key: IdempotencyKey, caller: Caller
    ) -> Response:
        handler = partial(
            open_verification, body=body, department=department, rules=rules, caller=caller
        )
        outcome = run_once(store, scope="/verifications", key=key, body=body, handler=handler)
        return respond(_as_it_stands(store, outcome))

    @router.post("/verifications/withdraw", response_model=VerificationsWithdrawn)
    async def withdraw(body: VerificationWithdrawal, key: IdempotencyKey) -> Response:
        handler = partial(withdraw_verifications, body=body)
        scope = "/verifications/withdraw"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.post("/verifications/{verification_id}/answer", response_model=VerificationStatus)
    async def answer(
        verification_id: str, body: VerificationAnswer, key: IdempotencyKey
    ) -> Response:
        handler = partial(answer_verification, body=body, verification_id=verification_id)
        scope = f"/verifications/{verification_id}/answer"
        return respond(run_once(store, scope=scope, key=key, body=body, handler=handler))

    @router.get("/verifications", response_model=list[VerificationSummary])
    async def pending(
        status: VerificationState | None = None,
        limit: Annotated[int, Query(ge=1, le=_LIST_LIMIT)] = 100,
    ) -> list[VerificationSummary]:
        with store.transaction() as conn:
            return list_verifications(conn, status=status, limit=limit)

    @router.get("/verifications/{verification_id}", response_model=VerificationStatus)
    async def one(verification_id: str) -> VerificationStatus:
        with store.transaction() as conn:
            return find_verification(conn, verification_id)

    @router.get("/verifications/{verification_id}/subject", response_model=VerificationSubject)
    async def subject(
        verification_id: str,
        officer: Annotated[str, Header(alias="X-Onething-Officer", min_length=1, max_length=64)],
    ) -> VerificationSubject:
        with store.transaction() as conn:
            return verification_subject(
                conn, verification_id, department=department, officer=officer
            )

    return router
