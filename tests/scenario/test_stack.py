"""``onething up`` brings every part up healthy, and SIGTERM takes every part down again."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from onething.constants import ALL_TOPICS, DEPARTMENTS, SEARCH_ATTRIBUTES, TOPIC_PARTITIONS
from onething.settings import Settings

if TYPE_CHECKING:
    from .conftest import StackLauncher

pytestmark = pytest.mark.scenario

PARTS = {
    "temporal",
    "broker",
    "codec-server",
    *(f"department-{department}" for department in DEPARTMENTS),
    "worker-orchestrator",
    "worker-departments",
    "bridge",
    "workbench",
}


def _parent_of(pid: str) -> int | None:
    try:
        stat = Path("/proc", pid, "stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses; the fields after the last ')' do not.
    return int(stat.rpartition(")")[2].split()[1])


def _descendants(root: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (parent := _parent_of(entry)) is not None:
            children.setdefault(parent, set()).add(int(entry))
    found: set[int] = set()
    frontier = [root]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive and not a zombie."""
    try:
        stat = Path("/proc", str(pid), "stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


async def _assert_temporal_ready(settings: Settings) -> None:
    client = await Client.connect(settings.temporal_target, namespace=settings.temporal_namespace)
    assert await client.service_client.check_health()
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=settings.temporal_namespace)
    )
    registered = {
        name: IndexedValueType.Name(kind).removeprefix("INDEXED_VALUE_TYPE_")
        for name, kind in listed.custom_attributes.items()
    }
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert registered.get(name) == kind.upper().replace("KEYWORDLIST", "KEYWORD_LIST")


async def _assert_topics_exist(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_target)
    await admin.start()
    try:
        assert set(ALL_TOPICS) <= set(await admin.list_topics())
        for topic in await admin.describe_topics(list(ALL_TOPICS)):
            assert len(topic["partitions"]) == TOPIC_PARTITIONS, topic["topic"]
    finally:
        await admin.close()


async def _assert_departments_answer(settings: Settings) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for department in DEPARTMENTS:
            response = await client.get(f"{settings.department_url(department)}/health")
            assert response.status_code == 200, department


def _not_owner_only(home: Path) -> list[str]:
    """Every file under ``home`` that is not 0600 and every folder that is not 0700."""
    exposed = []
    for path in [home, *home.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if (path.is_dir() or path.is_file()) and mode != wanted:
            exposed.append(f"{path.relative_to(home)} {mode:o}")
    return exposed


async def test_up_serves_every_part_and_sigterm_stops_them_all(
    stack_launcher: StackLauncher,
) -> None:
    started = time.monotonic()
    up = stack_launcher()
    print(f"onething ready after {time.monotonic() - started:.1f} s")

    assert "onething ready" in up.stdout
    for part in PARTS:
        assert f"{part}: ready in " in up.stderr, f"onething up did not say when {part} was ready"
    for database in (up.home / "departments").glob("*.db"):
        assert database.stat().st_mode & 0o077 == 0, f"{database.name} is readable by others"
    await _assert_temporal_ready(up.settings)
    await _assert_topics_exist(up.settings)
    await _assert_departments_answer(up.settings)
    assert _not_owner_only(up.home) == []
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(f"{up.settings.web_url}/health")).status_code == 200
    assert f"Workbench: {up.settings.web_url}/dept/<department> (officers), " in "\n".join(
        up.stdout
    )
    pid_files = {path.stem: int(path.read_text()) for path in (up.home / "run").glob("*.pid")}
    assert set(pid_files) == PARTS
    tree = _descendants(up.process.pid)
    assert set(pid_files.values()) <= tree

    assert up.stop() == 0

    deadline = time.monotonic() + 10
    while (alive := {pid for pid in tree if _running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive == set(), f"still running after onething up exited: {alive}"
    assert list((up.home / "run").glob("*.pid")) == []


def test_a_taken_port_is_one_line_and_exit_1(stack_launcher: StackLauncher) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        up = stack_launcher(wait=False, ONETHING_LOCAL_KAFKA_PORT=str(port))

        code = up.process.wait(timeout=30)

    assert code == 1
    assert up.stderr == f"error: port {port} (Kafka broker) on 127.0.0.1 is already in use\n"
    assert "onething ready" not in up.stdout
    assert not (up.home / "logs").exists()
