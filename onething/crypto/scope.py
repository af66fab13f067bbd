"""The case scope: which people a case may ask departments about, signed so it cannot be widened.

The bridge, which validated the event, signs the ID numbers the event names and when the scope
expires (HMAC-SHA256 with a key shared by the bridge and the department services). Every step
sends the scope with its call; a department answers or issues only for people in it, only for
its case, only before it expires and only while the case is open (it is told when a case
closes, :data:`CLOSURE_PATH`), and records every refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from onething.crypto.secret_files import keys_dir, new_token, read_or_create_secret
from onething.settings import Settings
from workflows.models import CaseScope

SCOPE_HEADER: Final = "X-Onething-Case-Scope"
#: Where a department is told that a case closed: its scope opens nothing there any more.
CLOSURE_PATH: Final = "/case-closures"
SCOPE_KEY_FILE: Final = "case-scope.key"


def case_scope_key_path(home: Path) -> Path:
    """The local stack's scope key file, ``<home>/keys/case-scope.key``."""
    return home / "keys" / SCOPE_KEY_FILE


def case_scope_key(settings: Settings) -> bytes:
    """The key that signs case scopes: from ``ONETHING_CASE_SCOPE_KEY``, else the local file."""
    if settings.case_scope_key is not None:
        return settings.case_scope_key.get_secret_value().encode()
    keys_dir(settings.home)
    return read_or_create_secret(case_scope_key_path(settings.home), new_token).encode()


def id_numbers_in(data: Any) -> list[str]:
    """Every ``id_number`` value in an event's data, however deeply nested, sorted once each."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "id_number" and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return sorted(found)


def _signature(
    key: bytes, case_id: str, id_numbers: Iterable[str], expires_at: datetime | None
) -> str:
    signed: list[Any] = [case_id, sorted(id_numbers)]
    if expires_at is not None:
        signed.append(expires_at.astimezone(UTC).isoformat())
    return hmac.new(key, json.dumps(signed).encode(), hashlib.sha256).hexdigest()


def sign_scope(
    settings: Settings, case_id: str, id_numbers: list[str], *, now: datetime | None = None
) -> CaseScope:
    """The signed scope of a case, expiring ``case_scope_lifetime`` after ``now``.

    Args:
        settings: The scope key and the scope's lifetime.
        case_id: The case.
        id_numbers: The people its event names.
        now: When it is signed; the current time by default.
    """
    expires_at = (now or datetime.now(UTC)) + settings.case_scope_lifetime
    signature = _signature(case_scope_key(settings), case_id, id_numbers, expires_at)
    return CaseScope(
        case_id=case_id,
        id_numbers=sorted(id_numbers),
        signature=signature,
        expires_at=expires_at,
    )


def scope_header(scope: CaseScope) -> str:
    """The scope as a header value (base64url JSON; headers are never logged)."""
    return base64.urlsafe_b64encode(scope.model_dump_json().encode()).decode()


def read_scope_header(value: str | None) -> CaseScope | None:
    """The scope a request carries, or None when it carries none or an unreadable one."""
    if not value:
        return None
    try:
        return CaseScope.model_validate_json(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, ValidationError):
        return None


def scope_refusal(
    key: bytes,
    scope: CaseScope | None,
    *,
    case_id: str,
    id_numbers: Iterable[str],
    now: datetime | None = None,
    closed: bool = False,
) -> str | None:
    """Why a call about ``id_numbers`` for ``case_id`` must be refused, or None to let it through.

    Args:
        key: The scope key (:func:`case_scope_key`).
        scope: The scope the call carries, if any.
        case_id: The case the call says it is for.
        id_numbers: The people it is about; every one must be in the scope.
        now: The current time (for the expiry); the clock by default.
        closed: Whether the department was told that ``case_id`` closed.
    """
    if scope is None:
        return "the call carries no case scope"
    expected = _signature(key, scope.case_id, scope.id_numbers, scope.expires_at)
    if not hmac.compare_digest(expected, scope.signature):
        return "the case scope's signature is wrong"
    if scope.case_id != case_id:
        return "the case scope belongs to another case"
    if closed:
        return "the case is closed"
    if scope.expires_at is not None and (now or datetime.now(UTC)) >= scope.expires_at:
        return "the case scope has expired"
    if not set(id_numbers) <= set(scope.id_numbers):
        return "the case does not concern the person asked about"
    return None
