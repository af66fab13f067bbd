"""The one factory for Temporal clients: workers, the bridge, the CLI and tests all use it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from onething.constants import Department
from onething.crypto.routing import RoutingCodec, load_key_rings
from onething.settings import Settings, get_settings


def data_converter(
    settings: Settings | None = None, *, departments: Sequence[Department] | None = None
) -> DataConverter:
    """onething's data converter: pydantic JSON, every payload encrypted, failures included.

    Failure messages and stack traces go into an encrypted payload too, so an error that quotes
    a value still reveals nothing to whoever reads Temporal's database. Each payload is
    encrypted under the key of whoever must read it (see :mod:`onething.crypto.routing`).

    Args:
        settings: where the payload keys come from; the process settings when omitted.
        departments: for a department worker, the departments it hosts: it then holds only
            their key rings. None for every other process (every ring).

    Returns:
        The converter.

    Raises:
        SecretConfigError: The payload keys are unusable.
    """
    settings = settings or get_settings()
    codec = RoutingCodec(
        load_key_rings(settings, departments),
        reload=lambda: load_key_rings(settings, departments),
    )
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect_temporal(
    settings: Settings | None = None, *, departments: Sequence[Department] | None = None
) -> Client:
    """Connect to the configured Temporal frontend with onething's data converter.

    Args:
        settings: where to connect; the process settings when omitted.
        departments: for a department worker, the departments whose key rings it holds.

    Returns:
        A client bound to the configured namespace.
    """
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_target,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings, departments=departments),
    )
