"""The one factory for Temporal clients: workers, the bridge, the CLI and tests all use it."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from onething.crypto.codec import EncryptionCodec
from onething.crypto.keys import load_key_ring
from onething.settings import Settings, get_settings


def data_converter(settings: Settings | None = None) -> DataConverter:
    """onething's data converter: pydantic JSON, every payload encrypted, failures included.

    Failure messages and stack traces go into an encrypted payload too, so an error that quotes
    a value still reveals nothing to whoever reads Temporal's database.

    Args:
        settings: where the payload keys come from; the process settings when omitted.

    Returns:
        The converter.

    Raises:
        SecretConfigError: The payload keys are unusable.
    """
    settings = settings or get_settings()
    codec = EncryptionCodec(load_key_ring(settings), reload=lambda: load_key_ring(settings))
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect_temporal(settings: Settings | None = None) -> Client:
    """Connect to the configured Temporal frontend with onething's data converter.

    Args:
        settings: where to connect; the process settings when omitted.

    Returns:
        A client bound to the configured namespace.
    """
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_target,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )
