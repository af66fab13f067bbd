"""A Temporal payload codec that encrypts every payload with AES-256-GCM.

An encrypted payload's ``data`` is a 12-byte random nonce followed by the ciphertext of the
whole original payload (its metadata included, so even the encoding of a value is hidden); its
metadata names only the encoding and the ID of the key, so keys can rotate while payloads
written with older keys still decrypt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Final

from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from onething.crypto.keys import KeyRing

ENCODING: Final = b"binary/encrypted"
KEY_ID_METADATA: Final = "encryption-key-id"
_NONCE_BYTES: Final = 12
_ASSOCIATED_DATA_PREFIX: Final = b"onething-payload-v1:"


class PayloadDecryptionError(ValueError):
    """An encrypted payload cannot be decrypted: unknown key, or tampered with."""


def encrypt_payload(payload: Payload, ring: KeyRing) -> Payload:
    """The payload encrypted with the ring's active key.

    Args:
        payload: Any payload; it is not changed.
        ring: The key ring.

    Returns:
        The encrypted payload.
    """
    key_id = ring.active_id
    nonce = os.urandom(_NONCE_BYTES)
    sealed = ring.active_cipher.encrypt(
        nonce, payload.SerializeToString(), _associated_data(key_id)
    )
    return Payload(
        metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()},
        data=nonce + sealed,
    )


def is_encrypted(payload: Payload) -> bool:
    """Whether the payload was encrypted by :func:`encrypt_payload`."""
    return payload.metadata.get("encoding") == ENCODING


def decrypt_payload(payload: Payload, ring: KeyRing) -> Payload:
    """The original payload, or the payload itself if it was never encrypted.

    Args:
        payload: A payload, encrypted or not.
        ring: The key ring; it must know the key the payload names.

    Returns:
        The decrypted payload.

    Raises:
        PayloadDecryptionError: The ring lacks the key, or the payload does not authenticate.
    """
    if not is_encrypted(payload):
        return payload
    key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", "replace")
    cipher = ring.cipher(key_id)
    if cipher is None:
        raise PayloadDecryptionError(f"payload encrypted with unknown key {key_id[:64]!r}")
    nonce, sealed = payload.data[:_NONCE_BYTES], payload.data[_NONCE_BYTES:]
    try:
        plain = cipher.decrypt(nonce, sealed, _associated_data(key_id))
    except InvalidTag:
        raise PayloadDecryptionError(
            f"payload does not authenticate under key {key_id!r}"
        ) from None
    original = Payload()
    original.ParseFromString(plain)
    return original


def _associated_data(key_id: str) -> bytes:
    # Binds the ciphertext to its key ID and format version: swapping metadata fails to decrypt.
    return _ASSOCIATED_DATA_PREFIX + key_id.encode()


class EncryptionCodec(PayloadCodec):
    """Encrypts payloads with the active key of a key ring; decrypts with any of its keys.

    Payloads that were never encrypted pass through decoding unchanged, so histories written
    before encryption was switched on stay readable.
    """

    def __init__(self, ring: KeyRing, *, reload: Callable[[], KeyRing] | None = None) -> None:
        """Use ``ring``.

        Args:
            ring: The keys.
            reload: Re-reads the keys when a payload names a key the ring lacks (a key added by
                rotation after this process started); no reloading when omitted.
        """
        self._ring = ring
        self._reload = reload

    @property
    def ring(self) -> KeyRing:
        """The keys in use."""
        return self._ring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload with the active key."""
        ring = self._ring
        return [encrypt_payload(payload, ring) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt each encrypted payload; pass others through.

        Raises:
            PayloadDecryptionError: A payload's key is unknown (after one reload) or it was
                tampered with.
        """
        return [self.decrypt(payload) for payload in payloads]

    def decrypt(self, payload: Payload) -> Payload:
        """Decrypt one payload, reloading the keys once if it names an unknown key.

        Raises:
            PayloadDecryptionError: As :meth:`decode`.
        """
        if is_encrypted(payload) and self._reload is not None:
            key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", "replace")
            if self._ring.cipher(key_id) is None:
                self._ring = self._reload()
        return decrypt_payload(payload, self._ring)
