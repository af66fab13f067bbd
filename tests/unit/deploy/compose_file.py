"""docker-compose.yml read as data, for the tests of the compose cluster."""

from __future__ import annotations

import shlex
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from onething.constants import DEPARTMENTS
from onething.crypto.compose_secrets import (
    BRIDGE_SERVICE,
    CODEC_SERVICE,
    ORCHESTRATOR_SERVICE,
    WORKBENCH_SERVICE,
    department_service,
    department_worker,
)

REPO = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
HEALTHCHECK_SCRIPT = "/opt/onething/healthcheck.py"
DEPARTMENT_PORT = "8000"
SECRETS_VOLUME = "secrets"
SECRETS_MOUNT = "/run/secrets/onething"
INIT_SECRETS = "init-secrets"

ONE_SHOT_CONDITION = "service_completed_successfully"
CONDITIONS = {"service_started", "service_healthy", ONE_SHOT_CONDITION}

#: The onething processes that talk to Temporal, Kafka and the departments.
CLUSTER_CLIENTS = frozenset(
    {department_service(d) for d in DEPARTMENTS}
    | {department_worker(d) for d in DEPARTMENTS}
    | {ORCHESTRATOR_SERVICE, BRIDGE_SERVICE, WORKBENCH_SERVICE}
)
#: Everything run from the project's image.
ONETHING_SERVICES = CLUSTER_CLIENTS | {CODEC_SERVICE, INIT_SECRETS}


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml must hold a mapping"
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found = compose().get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services"
    return found


def service(name: str) -> dict[str, Any]:
    assert name in services(), f"docker-compose.yml has no service {name!r}"
    return services()[name]


def environment(name: str) -> dict[str, str]:
    """A service's environment as strings, whichever of the two Compose forms it uses."""
    raw = service(name).get("environment", {})
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def command(name: str, key: str = "command") -> list[str]:
    raw = service(name).get(key, [])
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def healthcheck_test(name: str) -> list[str]:
    check = service(name).get("healthcheck") or {}
    if check.get("disable"):
        return []
    raw = check.get("test", [])
    return ["CMD-SHELL", raw] if isinstance(raw, str) else [str(part) for part in raw]


def depends_on(name: str) -> dict[str, Any]:
    raw = service(name).get("depends_on", {})
    assert isinstance(raw, dict), f"{name}: depends_on is a list, so it names no condition"
    return raw


def is_one_shot(name: str) -> bool:
    """Runs once and exits: never restarted, and awaited by someone until it completes."""
    awaited = any(
        isinstance(entry, dict) and entry.get("condition") == ONE_SHOT_CONDITION
        for other in services()
        for dependency, entry in (service(other).get("depends_on") or {}).items()
        if dependency == name
    )
    return str(service(name).get("restart", "no")) == "no" and awaited


def volume_entries(name: str) -> list[dict[str, Any]]:
    """A service's volumes in the long syntax, whichever syntax the file uses."""
    entries: list[dict[str, Any]] = []
    for volume in service(name).get("volumes", []):
        if isinstance(volume, dict):
            entries.append(volume)
            continue
        source, target, *options = str(volume).split(":")
        kind = "bind" if source.startswith((".", "/")) else "volume"
        read_only = "ro" in ",".join(options).split(",")
        entries.append({"type": kind, "source": source, "target": target, "read_only": read_only})
    return entries


def mounts(name: str) -> dict[str, str]:
    """Container path → source (a named volume, or a repository path) of a service's volumes."""
    return {entry["target"]: entry["source"] for entry in volume_entries(name)}


def bind_mounts(name: str) -> dict[str, str]:
    """Container path → repository path of every bind mount from the repository."""
    return {target: source for target, source in mounts(name).items() if source.startswith(".")}


def secrets_subpath(name: str) -> str | None:
    """The folder of the secrets volume a service mounts at ``SECRETS_MOUNT``, if any."""
    for entry in volume_entries(name):
        if entry["source"] == SECRETS_VOLUME and entry["target"] == SECRETS_MOUNT:
            assert entry.get("read_only") is True, f"{name}: the secrets must be read-only"
            subpath = (entry.get("volume") or {}).get("subpath")
            assert subpath, f"{name}: mounts the whole secrets volume"
            return str(subpath)
    return None


def mounted_script(name: str) -> str:
    """The text of the repository script a one-shot service runs as its entrypoint."""
    entrypoint = command(name, "entrypoint")
    bound = bind_mounts(name)
    scripts = [part for part in entrypoint if part in bound]
    assert scripts, f"{name}: entrypoint {entrypoint} runs no script mounted from the repository"
    return (REPO / bound[scripts[0]]).read_text(encoding="utf-8")
