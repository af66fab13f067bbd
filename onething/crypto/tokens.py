"""Bearer tokens: the codec server's, and each department service's.

From the settings where they are set (``ONETHING_CODEC_TOKEN``, ``ONETHING_DEPARTMENT_TOKENS``);
otherwise from ``<home>/keys/``, where the local stack creates them on first use. A department's
token is held by that department's service and by whoever calls it on the department's behalf
(its activity worker), nobody else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from onething.constants import DEPARTMENTS, Department
from onething.crypto.keys import local_key_ring
from onething.crypto.scope import case_scope_key
from onething.crypto.secret_files import (
    SecretConfigError,
    keys_dir,
    new_token,
    read_or_create_secret,
)
from onething.settings import Settings

CODEC_TOKEN_FILE: Final = "codec-token"  # noqa: S105 - a file name, not a secret
#: Shorter tokens are refused: they would be guessable or placeholders like ``changeme``.
MIN_TOKEN_CHARS: Final = 32


def codec_token_path(home: Path) -> Path:
    """The local stack's codec token file, ``<home>/keys/codec-token``."""
    return home / "keys" / CODEC_TOKEN_FILE


def department_token_path(home: Path, department: Department) -> Path:
    """The local stack's token file of a department, ``<home>/keys/department-<d>.token``."""
    return home / "keys" / f"department-{department}.token"


def codec_token(settings: Settings) -> str:
    """The bearer token the codec server requires.

    Raises:
        SecretConfigError: The token file is exposed, or the setting is too short.
    """
    if settings.codec_token is not None:
        return _checked(settings.codec_token.get_secret_value(), "ONETHING_CODEC_TOKEN")
    keys_dir(settings.home)
    return read_or_create_secret(codec_token_path(settings.home), new_token)


def department_token(settings: Settings, department: Department) -> str:
    """The service token of a department: its service requires it, its callers send it.

    Raises:
        SecretConfigError: ``ONETHING_DEPARTMENT_TOKENS`` is set but malformed, lacks the
            department or holds a short token, or the token file is exposed.
    """
    if settings.department_tokens is None:
        keys_dir(settings.home)
        return read_or_create_secret(department_token_path(settings.home, department), new_token)
    tokens = _parse_department_tokens(settings.department_tokens.get_secret_value())
    if department not in tokens:
        raise SecretConfigError(f"ONETHING_DEPARTMENT_TOKENS holds no token for {department}")
    return tokens[department]


def ensure_local_secrets(settings: Settings) -> None:
    """Create the local stack's secrets that the settings do not supply, before anyone needs them.

    Args:
        settings: Resolved settings.

    Raises:
        SecretConfigError: An existing secret is exposed or malformed.
    """
    if settings.payload_keys is None:
        local_key_ring(settings.home)
        for department in DEPARTMENTS:
            local_key_ring(settings.home, department)
    codec_token(settings)
    case_scope_key(settings)
    if settings.department_tokens is None:
        for department in DEPARTMENTS:
            department_token(settings, department)


def _parse_department_tokens(raw: str) -> dict[str, str]:
    try:
        tokens = json.loads(raw)
    except json.JSONDecodeError:
        raise SecretConfigError(
            "ONETHING_DEPARTMENT_TOKENS is not JSON {department: token}"
        ) from None
    if not isinstance(tokens, dict) or not all(isinstance(v, str) for v in tokens.values()):
        raise SecretConfigError("ONETHING_DEPARTMENT_TOKENS must be a JSON object of strings")
    unknown = sorted(set(tokens) - set(DEPARTMENTS))
    if unknown:
        raise SecretConfigError(f"ONETHING_DEPARTMENT_TOKENS names unknown departments {unknown}")
    return {
        department: _checked(token, f"ONETHING_DEPARTMENT_TOKENS[{department}]")
        for department, token in tokens.items()
    }


def _checked(token: str, source: str) -> str:
    token = token.strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise SecretConfigError(f"{source} is shorter than {MIN_TOKEN_CHARS} characters")
    return token
