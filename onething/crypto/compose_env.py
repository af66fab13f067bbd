"""The secrets of a docker compose deployment, as a ``.env`` file for ``docker-compose.yml``."""

from __future__ import annotations

import json

from onething.constants import DEPARTMENTS, Department
from onething.crypto.keys import KeyRing, new_key_ring
from onething.crypto.secret_files import new_token


def compose_token_variable(department: Department) -> str:
    """The ``.env`` variable holding a department's token, e.g. ``DEPARTMENT_TOKEN_TAX``."""
    return f"DEPARTMENT_TOKEN_{department.upper()}"


def compose_env(ring: KeyRing | None = None) -> str:
    """A ``.env`` file: payload keys, a token per department, the scope key, the codec token.

    Args:
        ring: The payload keys to write; one fresh key when omitted.

    Returns:
        The file's text. Values are single-quoted where they hold JSON, which both docker
        compose and a POSIX shell (``set -a; . ./.env``) read literally.
    """
    ring = ring or new_key_ring()
    lines = [
        "# onething secrets for docker-compose.yml: keep this file private (chmod 600).",
        f"ONETHING_PAYLOAD_KEYS='{json.dumps(ring.encoded_keys())}'",
        f"ONETHING_PAYLOAD_ACTIVE_KEY={ring.active_id}",
        *(f"{compose_token_variable(d)}={new_token()}" for d in DEPARTMENTS),
        f"ONETHING_CASE_SCOPE_KEY={new_token()}",
        # For a codec server service: every caller needs it (the Web UI cannot send it).
        f"ONETHING_CODEC_TOKEN={new_token()}",
    ]
    return "\n".join(lines) + "\n"
