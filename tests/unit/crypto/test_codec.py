"""Payload encryption: what is written is unreadable, keys rotate, tampering is caught."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from onething.crypto.codec import (
    ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptionError,
)
from onething.crypto.keys import local_key_ring, new_key_ring, rotate_local_key_ring
from onething.settings import Settings
from onething.temporal_client import data_converter

NAME = "孟晓雯"
ID_NUMBER = "330781199302140023"


def payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'"{text}"'.encode())


async def test_an_encoded_payload_holds_no_plaintext_and_names_its_key() -> None:
    ring = new_key_ring()
    codec = EncryptionCodec(ring)

    [encoded] = await codec.encode([payload(f"{NAME} {ID_NUMBER}")])

    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata[KEY_ID_METADATA] == ring.active_id.encode()
    assert NAME.encode() not in encoded.SerializeToString()
    assert ID_NUMBER.encode() not in encoded.SerializeToString()
    assert b"json/plain" not in encoded.SerializeToString()
    assert await codec.decode([encoded]) == [payload(f"{NAME} {ID_NUMBER}")]


async def test_the_same_value_encrypts_differently_each_time() -> None:
    codec = EncryptionCodec(new_key_ring())

    first, second = await codec.encode([payload(NAME), payload(NAME)])

    assert first.data != second.data


async def test_a_payload_written_with_an_old_key_decodes_after_rotation() -> None:
    old = new_key_ring()
    [written] = await EncryptionCodec(old).encode([payload(NAME)])

    rotated = old.rotated()
    codec = EncryptionCodec(rotated)
    [fresh] = await codec.encode([payload(NAME)])

    assert rotated.active_id != old.active_id
    assert fresh.metadata[KEY_ID_METADATA] == rotated.active_id.encode()
    assert await codec.decode([written, fresh]) == [payload(NAME), payload(NAME)]


async def test_a_running_process_picks_up_a_key_rotated_in_the_local_key_file(
    tmp_path: Path,
) -> None:
    running = EncryptionCodec(local_key_ring(tmp_path), reload=lambda: local_key_ring(tmp_path))
    rotate_local_key_ring(tmp_path)
    [written_after_rotation] = await EncryptionCodec(local_key_ring(tmp_path)).encode(
        [payload(NAME)]
    )

    assert await running.decode([written_after_rotation]) == [payload(NAME)]
    assert running.ring.active_id == local_key_ring(tmp_path).active_id


async def test_an_unknown_key_is_refused_by_name() -> None:
    [written] = await EncryptionCodec(new_key_ring()).encode([payload(NAME)])
    stranger = new_key_ring()

    with pytest.raises(PayloadDecryptionError, match="unknown key"):
        await EncryptionCodec(stranger).decode([written])


async def test_a_tampered_payload_or_key_id_is_refused() -> None:
    ring = new_key_ring().rotated()
    codec = EncryptionCodec(ring)
    [written] = await codec.encode([payload(NAME)])
    flipped = Payload(metadata=written.metadata, data=written.data[:-1] + b"\x00")
    other_key = next(key_id for key_id in ring.keys if key_id != ring.active_id)
    relabelled = Payload(
        metadata={**written.metadata, KEY_ID_METADATA: other_key.encode()}, data=written.data
    )

    for tampered in (flipped, relabelled):
        with pytest.raises(PayloadDecryptionError, match="does not authenticate"):
            await codec.decode([tampered])


async def test_unencrypted_payloads_pass_through_decoding() -> None:
    assert await EncryptionCodec(new_key_ring()).decode([payload(NAME)]) == [payload(NAME)]


async def test_the_data_converter_encrypts_values_and_failure_messages(tmp_path: Path) -> None:
    converter = data_converter(Settings(home=tmp_path))

    [encoded] = await converter.encode([{"mother": {"name": NAME, "id_number": ID_NUMBER}}])
    failure = Failure()
    await converter.encode_failure(ApplicationError(f"refused {ID_NUMBER}", type="X"), failure)

    assert encoded.metadata["encoding"] == ENCODING
    assert ID_NUMBER not in failure.message
    assert ID_NUMBER.encode() not in failure.SerializeToString()
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError)
    assert decoded.message == f"refused {ID_NUMBER}"


def test_the_data_converter_keeps_the_pydantic_payload_converter(tmp_path: Path) -> None:
    from temporalio.contrib.pydantic import pydantic_data_converter

    converter = data_converter(Settings(home=tmp_path))

    assert converter.payload_converter_class is pydantic_data_converter.payload_converter_class
    assert dataclasses.replace(converter).payload_codec is converter.payload_codec
