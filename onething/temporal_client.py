"""The one factory for Temporal clients: workers, the bridge, the CLI and tests all use it."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from onething.settings import Settings, get_settings


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
        data_converter=pydantic_data_converter,
    )
