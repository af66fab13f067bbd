"""The onething processes of the stack: department services, workers, the event bridge and the
workbench."""

from __future__ import annotations

import sys

from onething.constants import DEPARTMENTS, Department
from onething.runfiles import progress_file, ready_file
from onething.settings import Settings
from onething.stack.health import http_health, ready_file_health
from onething.stack.parts import Part, Stage
from onething.stack.ports import Port

#: Ready-file part name and module of each process that announces itself with a ready file.
WORKER_MODULES: dict[str, str] = {
    "worker-orchestrator": "workers.orchestrator",
    "worker-departments": "workers.departments",
    "bridge": "events.bridge",
}
#: What the workers and the bridge need before they start: they connect to both at once.
WORKERS_AFTER: tuple[str, ...] = ("temporal", "broker")


def department_part_name(department: Department) -> str:
    """The part name of a department service (also its ready-file part)."""
    return f"department-{department}"


def department_part(settings: Settings, department: Department) -> Part:
    """A simulated department service, healthy when its ``/health`` answers 200.

    It needs no other part, so it starts at once, beside Temporal and the broker.

    Args:
        settings: Resolved settings.
        department: Which department.

    Returns:
        The part.
    """
    port = settings.department_port(department)
    # The service started here listens locally even where department_urls point elsewhere.
    url = f"http://{settings.local_host}:{port}/health"
    return Part(
        name=department_part_name(department),
        argv=(sys.executable, "-m", "departments.serve", "--department", department),
        health=http_health(url),
        ports=(Port(port, f"{department} department service"),),
        after=(),
        progress_file=progress_file(settings, department_part_name(department)),
    )


def departments_stage(settings: Settings) -> Stage:
    """The six department services, started together."""
    return tuple(department_part(settings, department) for department in DEPARTMENTS)


def workers_stage(settings: Settings) -> Stage:
    """The workers and the event bridge, healthy once each has written its ready file.

    Each starts at once and loads its code while Temporal and the broker start, then runs once
    both are healthy (see :mod:`onething.prestart`).
    """
    return tuple(
        Part(
            name=name,
            argv=(sys.executable, "-m", "onething.prestart", module),
            prestart=True,
            health=ready_file_health(ready_file(settings, name)),
            after=WORKERS_AFTER,
            progress_file=progress_file(settings, name),
        )
        for name, module in WORKER_MODULES.items()
    )


def workbench_part(settings: Settings) -> Part:
    """The workbench (officers' worklists), healthy when its ``/health`` answers 200.

    Args:
        settings: Resolved settings.

    Returns:
        The part.
    """
    port = settings.local_web_port
    return Part(
        name="workbench",
        argv=(sys.executable, "-m", "workbench.serve"),
        health=http_health(f"http://{settings.local_host}:{port}/health"),
        ports=(Port(port, "workbench"),),
        after=WORKERS_AFTER,
    )
