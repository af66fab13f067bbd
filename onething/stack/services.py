"""The onething processes of the stack: department services, workers, the event bridge and the
workbench."""

from __future__ import annotations

import sys

from onething.constants import DEPARTMENTS, Department
from onething.runfiles import ready_file
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


def department_part_name(department: Department) -> str:
    """The part name of a department service (also its ready-file part)."""
    return f"department-{department}"


def department_part(settings: Settings, department: Department) -> Part:
    """A simulated department service, healthy when its ``/health`` answers 200.

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
    )


def departments_stage(settings: Settings) -> Stage:
    """The six department services, started together."""
    return tuple(department_part(settings, department) for department in DEPARTMENTS)


def workers_stage(settings: Settings) -> Stage:
    """The workers and the event bridge, healthy once each has written its ready file."""
    return tuple(
        Part(
            name=name,
            argv=(sys.executable, "-m", module),
            health=ready_file_health(ready_file(settings, name)),
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
    )
