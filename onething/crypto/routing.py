"""Keys by department: each payload encrypted under the key of whoever must read it.

Activity inputs and results on a department's task queue are encrypted under that department's
key ring; everything else (workflow inputs and results, queries, updates, signals, the case view,
facts) under the orchestrator's. The codec learns which from the serialization context Temporal
gives it (``ActivitySerializationContext.activity_task_queue``). A process holds only the rings
it needs: a department worker its department's, the orchestrator and the tools every ring. Any
held key decrypts, by the key ID in the payload, so rotating one department's ring leaves its
open cases readable, and payloads written before departments had keys of their own stay
readable with the orchestrator's ring, which holds those keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)

from onething.constants import DEPARTMENTS, department_task_queue
from onething.crypto.codec import (
    KEY_ID_METADATA,
    decrypt_payload,
    encrypt_payload,
    is_encrypted,
)
from onething.crypto.keys import KeyRing, load_key_ring, local_key_ring
from onething.crypto.secret_files import SecretConfigError
from onething.settings import Settings

_QUEUE_DEPARTMENTS: Final = {department_task_queue(d): d for d in DEPARTMENTS}


@dataclass(frozen=True)
class KeyRings:
    """The key rings a process holds.

    Attributes:
        orchestrator: The orchestrator's ring; None in a department worker.
        departments: Each held department's ring, by department. A department without one
            here has its payloads encrypted under the orchestrator's ring.
    """

    orchestrator: KeyRing | None
    departments: Mapping[str, KeyRing] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a process holding no ring at all."""
        if self.orchestrator is None and not self.departments:
            raise SecretConfigError("a process must hold at least one payload key ring")

    def for_department(self, department: str | None) -> KeyRing:
        """The ring that encrypts for ``department`` (the orchestrator's when None)."""
        if department is not None and department in self.departments:
            return self.departments[department]
        if self.orchestrator is not None:
            return self.orchestrator
        # A department worker encrypts whatever is not for a department under its own key.
        return next(iter(self.departments.values()))

    def merged(self) -> KeyRing:
        """One ring with every held key, for decryption by key ID."""
        rings = [r for r in (self.orchestrator, *self.departments.values()) if r is not None]
        keys = {key_id: key for ring in rings for key_id, key in ring.keys.items()}
        return KeyRing(active_id=rings[0].active_id, keys=keys)

    def key_ids(self, department: str) -> frozenset[str]:
        """The IDs of a department's keys (none when its ring is not held)."""
        ring = self.departments.get(department)
        return frozenset(ring.keys) if ring is not None else frozenset()


class _Held:
    """The rings, shared by a codec and every copy it makes for a context, reloaded together."""

    def __init__(self, rings: KeyRings, reload: Callable[[], KeyRings] | None) -> None:
        self.rings = rings
        self.merged = rings.merged()
        self.reload = reload

    def cipher_ring(self, key_id: str) -> KeyRing:
        if self.merged.cipher(key_id) is None and self.reload is not None:
            self.rings = self.reload()
            self.merged = self.rings.merged()
        return self.merged


class RoutingCodec(PayloadCodec, WithSerializationContext):
    """Encrypts under the ring of the department a payload is for; decrypts with any held key.

    Args:
        rings: The rings this process holds.
        reload: Re-reads them when a payload names a key no held ring knows (added by
            rotation after this process started); no reloading when omitted.
    """

    def __init__(
        self,
        rings: KeyRings,
        *,
        reload: Callable[[], KeyRings] | None = None,
        department: str | None = None,
        _held: _Held | None = None,
    ) -> None:
        self._held = _held or _Held(rings, reload)
        self._department = department

    @property
    def department(self) -> str | None:
        """Whose key this codec encrypts under (None: the orchestrator's)."""
        return self._department

    @property
    def rings(self) -> KeyRings:
        """The rings held now."""
        return self._held.rings

    def with_context(self, context: SerializationContext) -> RoutingCodec:
        """This codec for one workflow's or activity's payloads."""
        department = None
        if isinstance(context, ActivitySerializationContext) and context.activity_task_queue:
            department = _QUEUE_DEPARTMENTS.get(context.activity_task_queue)
        if department == self._department:
            return self
        return RoutingCodec(self._held.rings, department=department, _held=self._held)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload under the active key of the ring it is for."""
        ring = self._held.rings.for_department(self._department)
        return [encrypt_payload(payload, ring) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt each encrypted payload with the held key it names; pass others through.

        Raises:
            PayloadDecryptionError: No held ring has the key (after one reload), or the
                payload was tampered with.
        """
        return [self.decrypt(payload) for payload in payloads]

    def decrypt(self, payload: Payload) -> Payload:
        """Decrypt one payload (see :meth:`decode`).

        Raises:
            PayloadDecryptionError: As :meth:`decode`.
        """
        if not is_encrypted(payload):
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", "replace")
        return decrypt_payload(payload, self._held.cipher_ring(key_id))


def load_key_rings(settings: Settings, departments: Sequence[str] | None = None) -> KeyRings:
    """The key rings of this process.

    On the local stack (no ``ONETHING_PAYLOAD_KEYS``) each department has a ring of its own in
    ``<home>/keys``; with keys from the settings (a cluster) one ring serves everybody.

    Args:
        settings: Where the keys come from.
        departments: The departments of a department worker, which holds only their rings;
            None for every other process, which holds the orchestrator's and every department's.

    Returns:
        The rings.

    Raises:
        SecretConfigError: A ring is unusable.
    """
    if settings.payload_keys is not None:
        return KeyRings(orchestrator=load_key_ring(settings))
    if departments is None:
        return KeyRings(
            orchestrator=local_key_ring(settings.home),
            departments={d: local_key_ring(settings.home, d) for d in DEPARTMENTS},
        )
    return KeyRings(
        orchestrator=None, departments={d: local_key_ring(settings.home, d) for d in departments}
    )
