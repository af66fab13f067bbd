"""Keys by department: a department's ring reads its own steps' payloads and nobody else's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.converter import ActivitySerializationContext, WorkflowSerializationContext

from onething.constants import department_task_queue
from onething.crypto.codec import KEY_ID_METADATA, PayloadDecryptionError
from onething.crypto.keys import KeyRing, local_key_ring, rotate_local_key_ring
from onething.crypto.routing import KeyRings, RoutingCodec, load_key_rings
from onething.settings import Settings

PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'"\xe5\xad\x9f"')


def _activity(department: str) -> ActivitySerializationContext:
    return ActivitySerializationContext(
        namespace="default",
        activity_id="1",
        activity_type="x",
        activity_task_queue=department_task_queue(department),  # type: ignore[arg-type]
        workflow_id="newborn-R-1",
        workflow_type="newborn",
        is_local=False,
    )


_WORKFLOW = WorkflowSerializationContext(namespace="default", workflow_id="newborn-R-1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


async def test_each_payload_is_encrypted_under_the_ring_of_whoever_reads_it(
    settings: Settings,
) -> None:
    everything = RoutingCodec(load_key_rings(settings))
    tax = RoutingCodec(load_key_rings(settings, ["tax"]))
    police = RoutingCodec(load_key_rings(settings, ["police"]))

    [for_tax] = await everything.with_context(_activity("tax")).encode([PLAIN])
    [for_case] = await everything.with_context(_WORKFLOW).encode([PLAIN])

    assert (
        for_tax.metadata[KEY_ID_METADATA].decode() == local_key_ring(settings.home, "tax").active_id
    )
    assert for_case.metadata[KEY_ID_METADATA].decode() == local_key_ring(settings.home).active_id
    assert await tax.decode([for_tax]) == [PLAIN]
    assert await everything.decode([for_tax, for_case]) == [PLAIN, PLAIN]
    for codec, payload in ((police, for_tax), (tax, for_case)):
        with pytest.raises(PayloadDecryptionError, match="unknown key"):
            await codec.decode([payload])


async def test_a_department_worker_answers_under_its_own_key(settings: Settings) -> None:
    tax = RoutingCodec(load_key_rings(settings, ["tax"]))

    [result] = await tax.with_context(_activity("tax")).encode([PLAIN])
    [other] = await tax.encode([PLAIN])  # no context: still its own key, never another's

    tax_key = local_key_ring(settings.home, "tax").active_id
    assert {p.metadata[KEY_ID_METADATA].decode() for p in (result, other)} == {tax_key}


async def test_rotating_one_department_keeps_its_old_payloads_readable(
    settings: Settings,
) -> None:
    before = RoutingCodec(load_key_rings(settings), reload=lambda: load_key_rings(settings))
    [old] = await before.with_context(_activity("police")).encode([PLAIN])

    rotated = rotate_local_key_ring(settings.home, "police")
    after = RoutingCodec(load_key_rings(settings))
    [new] = await after.with_context(_activity("police")).encode([PLAIN])
    police = RoutingCodec(load_key_rings(settings, ["police"]))

    assert new.metadata[KEY_ID_METADATA].decode() == rotated.active_id
    assert await police.decode([old, new]) == [PLAIN, PLAIN]
    # A process started before the rotation reloads the rings when it meets the new key.
    assert await before.decode([new]) == [PLAIN]
    assert local_key_ring(settings.home, "tax").active_id != rotated.active_id


def test_a_process_holds_at_least_one_ring() -> None:
    with pytest.raises(ValueError, match="at least one"):
        KeyRings(orchestrator=None)


def test_keys_from_the_settings_serve_everybody(settings: Settings) -> None:
    shared = local_key_ring(settings.home)
    from_env = settings.model_copy(
        update={"payload_keys": _secret(shared), "payload_active_key": shared.active_id}
    )

    rings = load_key_rings(from_env)

    assert rings.for_department("tax").active_id == shared.active_id


def _secret(ring: KeyRing) -> SecretStr:
    return SecretStr(json.dumps(ring.encoded_keys()))
