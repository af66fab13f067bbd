"""The payload key ring: one active key encrypts, every known key decrypts.

Keys come from ``ONETHING_PAYLOAD_KEYS`` (JSON ``{key_id: base64 key}``) and
``ONETHING_PAYLOAD_ACTIVE_KEY`` wherever they are set (a cluster, docker compose); otherwise from
``<home>/keys/payload-keys.json``, which the local stack creates on first use. Rotating adds a
key and makes it active; the old keys stay, so payloads written with them still decrypt.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onething.crypto.secret_files import (
    SecretConfigError,
    keys_dir,
    read_or_create_secret,
    read_secret,
    replace_secret,
)
from onething.settings import Settings

KEY_BYTES: Final = 32
KEY_RING_FILE: Final = "payload-keys.json"
_KEY_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class KeyRing:
    """Every payload key known to a process, by key ID, and which one encrypts.

    Attributes:
        active_id: The ID of the key new payloads are encrypted with.
        keys: Every key by ID (AES-256, 32 bytes each), the active one included.
    """

    active_id: str
    keys: Mapping[str, bytes] = field(repr=False)
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the IDs and key sizes, and prepare one cipher per key."""
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id):
                raise SecretConfigError(f"payload key ID {key_id!r} must match {_KEY_ID.pattern}")
            if len(key) != KEY_BYTES:
                raise SecretConfigError(
                    f"payload key {key_id} is {len(key)} bytes; AES-256 needs {KEY_BYTES}"
                )
        if self.active_id not in self.keys:
            raise SecretConfigError(f"the active payload key {self.active_id!r} is not in the ring")
        ciphers = {key_id: AESGCM(key) for key_id, key in self.keys.items()}
        object.__setattr__(self, "_ciphers", ciphers)

    def cipher(self, key_id: str) -> AESGCM | None:
        """The cipher of a key, or ``None`` if this ring does not know the key."""
        return self._ciphers.get(key_id)

    @property
    def active_cipher(self) -> AESGCM:
        """The cipher that encrypts new payloads."""
        return self._ciphers[self.active_id]

    def rotated(self, key_id: str | None = None) -> KeyRing:
        """A ring with one new random key, active; the old keys stay for decryption.

        Args:
            key_id: The new key's ID; a dated random one by default.

        Returns:
            The new ring.
        """
        new_id = key_id or new_key_id()
        return KeyRing(active_id=new_id, keys={**self.keys, new_id: AESGCM.generate_key(256)})

    def encoded_keys(self) -> dict[str, str]:
        """Every key in base64 by ID, as ``ONETHING_PAYLOAD_KEYS`` holds them (secret material)."""
        return {key_id: base64.b64encode(key).decode() for key_id, key in self.keys.items()}

    def to_json(self) -> str:
        """The ring as the local key file holds it (secret material)."""
        return json.dumps({"active": self.active_id, "keys": self.encoded_keys()}, indent=2)


def new_key_id() -> str:
    """A key ID that sorts by creation date and is unique: ``k20261126-3fa2c1``."""
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def new_key_ring() -> KeyRing:
    """A ring holding one fresh random key."""
    key_id = new_key_id()
    return KeyRing(active_id=key_id, keys={key_id: AESGCM.generate_key(256)})


def load_key_ring(settings: Settings) -> KeyRing:
    """The key ring of this process: from the settings if they hold keys, else the local one.

    Args:
        settings: ``payload_keys`` and ``payload_active_key``, or ``home``.

    Returns:
        The ring.

    Raises:
        SecretConfigError: The keys in the settings or the key file are unusable; the message
            names the setting or file, never a key.
    """
    if settings.payload_keys is None:
        return local_key_ring(settings.home)
    return parse_key_ring(
        settings.payload_keys.get_secret_value(),
        settings.payload_active_key,
        source="ONETHING_PAYLOAD_KEYS",
    )


def parse_key_ring(keys_json: str, active_id: str | None, *, source: str) -> KeyRing:
    """A ring from JSON ``{key_id: base64 key}`` and the active key's ID.

    Args:
        keys_json: The keys.
        active_id: Which key encrypts; may be omitted when there is only one.
        source: Where the JSON came from, for error messages.

    Returns:
        The ring.

    Raises:
        SecretConfigError: The JSON, a key or the active ID is unusable.
    """
    try:
        raw = json.loads(keys_json)
    except json.JSONDecodeError:
        raise SecretConfigError(f"{source} is not JSON {{key_id: base64 key}}") from None
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, str) for v in raw.values()):
        raise SecretConfigError(f"{source} must be a non-empty JSON object {{key_id: base64 key}}")
    keys: dict[str, bytes] = {}
    for key_id, encoded in raw.items():
        try:
            keys[key_id] = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise SecretConfigError(f"{source}: key {key_id!r} is not base64") from None
    if active_id is None:
        if len(keys) != 1:
            raise SecretConfigError(
                f"{source} holds {len(keys)} keys; set ONETHING_PAYLOAD_ACTIVE_KEY to one of them"
            )
        active_id = next(iter(keys))
    if active_id not in keys:
        raise SecretConfigError(f"ONETHING_PAYLOAD_ACTIVE_KEY {active_id!r} is not in {source}")
    return KeyRing(active_id=active_id, keys=keys)


def local_key_ring_path(home: Path) -> Path:
    """The local stack's key file, ``<home>/keys/payload-keys.json``."""
    return home / "keys" / KEY_RING_FILE


def department_key_ring_path(home: Path, department: str) -> Path:
    """A department's key file on the local stack, ``<home>/keys/payload-keys-<d>.json``."""
    return home / "keys" / f"payload-keys-{department}.json"


def local_key_ring(home: Path, department: str | None = None) -> KeyRing:
    """A key ring of the local stack, created with one key on first use.

    Args:
        home: ``ONETHING_HOME``.
        department: Whose ring: a department's, or the orchestrator's when None (which also
            holds every key that encrypted payloads before departments had keys of their own).

    Returns:
        The ring.

    Raises:
        SecretConfigError: The key file is exposed or malformed.
    """
    keys_dir(home)
    path = _ring_path(home, department)
    return _parse_file(path, read_or_create_secret(path, lambda: new_key_ring().to_json()))


def rotate_local_key_ring(home: Path, department: str | None = None) -> KeyRing:
    """Add a new active key to a local key ring, keeping the old ones for decryption.

    Processes that already run pick the new key up when they first meet a payload encrypted
    with it, and keep encrypting with their old active key (still decryptable) until restarted.

    Args:
        home: ``ONETHING_HOME``.
        department: Whose ring; the orchestrator's when None.

    Returns:
        The new ring.
    """
    path = _ring_path(home, department)
    ring = local_key_ring(home, department).rotated()
    replace_secret(path, ring.to_json())
    return ring


def _ring_path(home: Path, department: str | None) -> Path:
    if department is None:
        return local_key_ring_path(home)
    return department_key_ring_path(home, department)


def reread_local_key_ring(home: Path) -> KeyRing:
    """The local key ring as the file holds it now (no creation)."""
    path = local_key_ring_path(home)
    return _parse_file(path, read_secret(path))


def _parse_file(path: Path, content: str) -> KeyRing:
    try:
        document = json.loads(content)
        keys_json, active = json.dumps(document["keys"]), document["active"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise SecretConfigError(f"{path} is not a payload key file") from None
    return parse_key_ring(keys_json, active, source=str(path))
