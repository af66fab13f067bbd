"""The case scope: which people a case may ask departments about, signed so it cannot be widened.

The bridge, which validated the event, signs the ID numbers the event names (HMAC-SHA256 with a
key shared by the bridge and the department services). Query steps send the scope with each
query; a department answers only about people in it and records every refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from onething.crypto.secret_files import keys_dir, new_token, read_or_create_secret
from onething.settings import Settings
from workflows.models import CaseScope

SCOPE_HEADER: Final = "X-Onething-Case-Scope"
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


def _signature(key: bytes, case_id: str, id_numbers: Iterable[str]) -> str:
    message = json.dumps([case_id, sorted(id_numbers)]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_scope(settings: Settings, case_id: str, id_numbers: list[str]) -> CaseScope:
    """The signed scope of a case."""
    signature = _signature(case_scope_key(settings), case_id, id_numbers)
    return CaseScope(case_id=case_id, id_numbers=sorted(id_numbers), signature=signature)


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
    key: bytes, scope: CaseScope | None, *, case_id: str, id_numbers: Iterable[str]
) -> str | None:
    """Why a query about ``id_numbers`` for ``case_id`` must be refused, or None to answer it.

    Args:
        key: The scope key (:func:`case_scope_key`).
        scope: The scope the query carries, if any.
        case_id: The case the query says it is for.
        id_numbers: The people it asks about.
    """
    if scope is None:
        return "the query carries no case scope"
    expected = _signature(key, scope.case_id, scope.id_numbers)
    if not hmac.compare_digest(expected, scope.signature):
        return "the case scope's signature is wrong"
    if scope.case_id != case_id:
        return "the case scope belongs to another case"
    if not set(id_numbers) <= set(scope.id_numbers):
        return "the case does not concern the person asked about"
    return None
