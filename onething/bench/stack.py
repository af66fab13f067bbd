"""The bench's own stack: a fresh home, free ports, K worker processes of each kind."""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from departments.api import Faults
from onething.constants import DEPARTMENTS
from onething.crypto.tokens import department_token
from onething.runfiles import ready_file
from onething.settings import Settings
from onething.stack import Part, Stage, default_stages
from onething.stack.health import ready_file_health
from onething.stack.ports import port_is_free

#: Ports below Linux's ephemeral range, so no outgoing connection takes one before it is bound.
_PORT_RANGE = (20_000, 32_000)
#: The worker processes the bench runs ``workers`` of, and their modules.
_SCALED = {
    "worker-orchestrator": "workers.orchestrator",
    "worker-departments": "workers.departments",
}


def free_port_block(host: str, count: int, *, taken: set[int]) -> int:
    """The first of ``count`` consecutive ports that are free now and not in ``taken``.

    Args:
        host: The address the ports will be bound on.
        count: How many consecutive ports.
        taken: Ports already handed out; the block is added to it.

    Returns:
        The first port of the block.

    Raises:
        RuntimeError: No such block was found.
    """
    chooser = random.SystemRandom()
    for _ in range(1000):
        first = chooser.randrange(_PORT_RANGE[0], _PORT_RANGE[1] - count)
        block = set(range(first, first + count))
        if taken.isdisjoint(block) and all(port_is_free(host, port) for port in block):
            taken.update(block)
            return first
    raise RuntimeError(f"no {count} consecutive free ports in {_PORT_RANGE} on {host}")


def bench_settings(base: Settings, home: Path) -> Settings:
    """Settings for a stack of the bench's own: ``home``, free local ports, nothing external.

    Args:
        base: The settings to start from (population size, timeouts).
        home: A fresh, empty ``ONETHING_HOME``.

    Returns:
        Settings that start their own Temporal, broker and departments on free ports, with no
        department rate limits.
    """
    host = "127.0.0.1"
    taken: set[int] = set()
    # Every local_*_port, so that a part added to the stack gets a free port here too.
    ports = {
        name: free_port_block(host, 1, taken=taken)
        for name in type(base).model_fields
        if name.startswith("local_") and name.endswith("_port")
    }
    return base.model_copy(
        update={
            "home": home.resolve(),
            "temporal_address": None,
            "kafka_bootstrap": None,
            "department_urls": {},
            "department_rate_limits": {},
            "local_host": host,
            **ports,
            "departments_base_port": free_port_block(host, len(DEPARTMENTS), taken=taken),
        }
    )


def worker_part(settings: Settings, name: str, *argv: str) -> Part:
    """A Python worker process that announces itself in the ready file named ``name``."""
    return Part(
        name=name,
        argv=(sys.executable, *argv, "--part", name),
        health=ready_file_health(ready_file(settings, name)),
    )


def _numbered(name: str, index: int, workers: int) -> str:
    return name if workers == 1 else f"{name}-{index}"


def _with_workers(stage: Stage, settings: Settings, workers: int) -> Stage:
    """The stage with its orchestrator and department worker replaced by ``workers`` of each."""
    if not _SCALED.keys() & {part.name for part in stage}:
        return stage
    scaled = tuple(
        worker_part(settings, _numbered(name, i, workers), "-m", module)
        for name, module in _SCALED.items()
        for i in range(1, workers + 1)
    )
    return (*scaled, *(part for part in stage if part.name not in _SCALED))


def bench_stages(
    settings: Settings, workers: int, *, temporal_args: Sequence[str] = ()
) -> list[Stage]:
    """The stages of ``onething up``, with ``workers`` worker processes of each kind.

    Args:
        settings: The bench's settings (see :func:`bench_settings`).
        workers: Orchestrator and department worker processes, ``workers`` of each.
        temporal_args: Further ``temporal server start-dev`` flags.

    Returns:
        The stages.
    """
    return [
        _with_workers(stage, settings, workers)
        for stage in default_stages(settings, temporal_args=temporal_args)
    ]


def baseline_stage(settings: Settings, workers: int) -> Stage:
    """``workers`` baseline workflow worker processes and as many step worker processes."""
    module = ("-m", "onething.bench.baseline_worker", "--role")
    return tuple(
        worker_part(settings, f"baseline-{role}-{i}", *module, role)
        for role in ("workflows", "steps")
        for i in range(1, workers + 1)
    )


async def clear_department_faults(settings: Settings) -> None:
    """Have every department answer without added latency or injected errors."""
    body = Faults(latency_ms=0, error_rate=0.0).model_dump(mode="json")
    async with httpx.AsyncClient(timeout=10.0) as http:
        for department in DEPARTMENTS:
            response = await http.put(
                f"{settings.department_url(department)}/admin/faults",
                json=body,
                headers={"Authorization": f"Bearer {department_token(settings, department)}"},
            )
            response.raise_for_status()
