"""Secret files of the local stack under ``$ONETHING_HOME/keys/``: created once, owner-only.

A file is written completely under a temporary name and then linked into place, so processes
that start together and race to create the same secret all end up reading the one that won.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Final

from onething.owner_only import private_dir

KEYS_DIR: Final = "keys"
_OWNER_ONLY: Final = 0o600
_GROUP_OR_OTHER: Final = stat.S_IRWXG | stat.S_IRWXO


class SecretConfigError(ValueError):
    """A secret is missing, malformed or exposed; the message names the setting or file."""


def keys_dir(home: Path) -> Path:
    """The folder of the local stack's secrets, created owner-only if missing.

    Args:
        home: ``ONETHING_HOME``.

    Returns:
        ``<home>/keys``.
    """
    path = home / KEYS_DIR
    return private_dir(path)


def read_secret(path: Path) -> str:
    """The content of a secret file, refusing one that others may read.

    Args:
        path: The file.

    Returns:
        Its text without surrounding whitespace.

    Raises:
        FileNotFoundError: It does not exist.
        SecretConfigError: Its group or others have access, or it is empty.
    """
    mode = path.stat().st_mode
    if mode & _GROUP_OR_OTHER:
        raise SecretConfigError(
            f"{path} is accessible to other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    content = path.read_text(encoding="utf-8").strip()
    if not content:
        raise SecretConfigError(f"{path} is empty; delete it to have a new secret made")
    return content


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """Read a secret file, creating it owner-only with ``make()`` if it does not exist yet.

    Args:
        path: The file, under :func:`keys_dir`.
        make: Produces the content of a new secret.

    Returns:
        The secret: the existing one, or the one this call (or a concurrent one) created.

    Raises:
        SecretConfigError: The existing file is exposed or empty.
    """
    try:
        return read_secret(path)
    except FileNotFoundError:
        pass
    temporary = _write_temporary(path, make())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process created it first; its secret is the one everybody uses
    finally:
        temporary.unlink(missing_ok=True)
    return read_secret(path)


def replace_secret(path: Path, content: str) -> None:
    """Write a secret file owner-only, replacing any previous content atomically.

    Args:
        path: The file.
        content: The new secret.
    """
    temporary = _write_temporary(path, content)
    try:
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def new_token() -> str:
    """A fresh bearer token: 256 random bits, URL-safe (no quotes to escape in JSON or YAML)."""
    return secrets.token_urlsafe(32)


def _write_temporary(path: Path, content: str) -> Path:
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(content + "\n")
        file.flush()
        os.fsync(file.fileno())
    return temporary
