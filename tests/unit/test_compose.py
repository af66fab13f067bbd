"""docker-compose.yml is valid Compose and wires the cluster the way the contract and code expect.

No Docker engine is needed: the file is checked against the Compose Specification schema that
check-jsonschema vendors, then read as data.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from onething.constants import (
    ALL_TOPICS,
    BRIDGE_GROUP_ID,
    DEPARTMENTS,
    ORCHESTRATOR_TASK_QUEUE,
    SEARCH_ATTRIBUTES,
    TOPIC_PARTITIONS,
    Department,
    department_task_queue,
)
from onething.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
HEALTHCHECK_SCRIPT = "/opt/onething/healthcheck.py"
DEPARTMENT_PORT = "8000"

ONE_SHOT_CONDITION = "service_completed_successfully"
CONDITIONS = {"service_started", "service_healthy", ONE_SHOT_CONDITION}


def dashed(department: Department) -> str:
    """A department name as service names spell it: ``social_security`` → ``social-security``."""
    return department.replace("_", "-")


def department_service(department: Department) -> str:
    return f"dept-{dashed(department)}"


def department_worker(department: Department) -> str:
    return f"worker-{dashed(department)}"


ONETHING_SERVICES = frozenset(
    {department_service(d) for d in DEPARTMENTS}
    | {department_worker(d) for d in DEPARTMENTS}
    | {"worker-orchestrator", "bridge", "workbench"}
)


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


def mounts(name: str) -> dict[str, str]:
    """Container path → source (a named volume, or a repository path) of a service's volumes."""
    found: dict[str, str] = {}
    for volume in service(name).get("volumes", []):
        source, target, *_ = str(volume).split(":")
        found[target] = source
    return found


def bind_mounts(name: str) -> dict[str, str]:
    """Container path → repository path of every bind mount from the repository."""
    return {target: source for target, source in mounts(name).items() if source.startswith(".")}


def mounted_script(name: str) -> str:
    """The text of the repository script a one-shot service runs as its entrypoint."""
    entrypoint = command(name, "entrypoint")
    bound = bind_mounts(name)
    scripts = [part for part in entrypoint if part in bound]
    assert scripts, f"{name}: entrypoint {entrypoint} runs no script mounted from the repository"
    return (REPO / bound[scripts[0]]).read_text(encoding="utf-8")


def settings_of(name: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a onething process in service ``name`` reads from its environment."""
    for key, value in environment(name).items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_compose_file_follows_the_compose_specification() -> None:
    schema_file = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)

    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(compose())
    ]

    assert errors == []


def test_exactly_the_onething_processes_are_built_from_the_dockerfile() -> None:
    built = {name for name, spec in services().items() if "build" in spec}

    assert built == ONETHING_SERVICES
    for name in built:
        context = service(name)["build"]
        context = context if isinstance(context, str) else context.get("context", ".")
        assert (REPO / context / "Dockerfile").resolve() == DOCKERFILE, name


def test_every_onething_service_has_a_healthcheck_or_is_a_one_shot() -> None:
    unchecked = sorted(
        name for name in ONETHING_SERVICES if not healthcheck_test(name) and not is_one_shot(name)
    )

    assert unchecked == []


def test_healthchecks_use_a_script_the_image_contains() -> None:
    copies = [
        line.split()[1:]
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ")
    ]

    for name in ONETHING_SERVICES:
        test = healthcheck_test(name)
        assert test[:3] == ["CMD", "python", HEALTHCHECK_SCRIPT], name
    assert ["deploy/healthcheck.py", HEALTHCHECK_SCRIPT] in copies
    assert (REPO / "deploy" / "healthcheck.py").is_file()


def test_every_dependency_names_a_condition_its_target_can_meet() -> None:
    problems: list[str] = []
    for name in services():
        for target, entry in depends_on(name).items():
            condition = entry.get("condition") if isinstance(entry, dict) else None
            if condition not in CONDITIONS:
                problems.append(f"{name} → {target}: condition {condition!r}")
            elif target not in services():
                problems.append(f"{name} → {target}: no such service")
            elif condition == "service_healthy" and not healthcheck_test(target):
                problems.append(f"{name} → {target}: waits for health but it has no healthcheck")
            elif condition == ONE_SHOT_CONDITION and service(target).get("restart", "no") != "no":
                problems.append(f"{name} → {target}: waits for completion of a restarting service")

    assert problems == []


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_department_has_a_service_with_its_own_volume(department: Department) -> None:
    name = department_service(department)
    volume = mounts(name).get("/data", "")
    sharing = sorted(
        other for other in services() if other != name and volume in mounts(other).values()
    )

    assert command(name) == [
        "python", "-m", "departments.serve", "--department", department, "--port", DEPARTMENT_PORT,
    ]  # fmt: skip
    assert environment(name)["ONETHING_HOME"] == "/data"
    assert volume in (compose().get("volumes") or {}), f"{name} needs a named volume at /data"
    assert sharing == []
    assert healthcheck_test(name)[3:] == ["http", f"http://localhost:{DEPARTMENT_PORT}/health"]


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_department_has_a_worker_polling_its_task_queue(department: Department) -> None:
    name = department_worker(department)

    assert command(name) == ["python", "-m", "workers.departments", "--department", department]
    assert depends_on(name)[department_service(department)] == {"condition": "service_healthy"}
    assert healthcheck_test(name)[3:] == [
        "task-queue",
        department_task_queue(department),
        "--kind=activity",
    ]


def test_the_orchestrator_worker_polls_the_orchestrator_task_queue() -> None:
    assert command("worker-orchestrator") == ["python", "-m", "workers.orchestrator"]
    assert healthcheck_test("worker-orchestrator")[3:] == [
        "task-queue",
        ORCHESTRATOR_TASK_QUEUE,
        "--kind=workflow",
    ]


def test_the_bridge_joins_its_consumer_group_once_the_topics_exist() -> None:
    assert command("bridge") == ["python", "-m", "events.bridge"]
    assert healthcheck_test("bridge")[3:] == ["consumer-group", BRIDGE_GROUP_ID]
    assert depends_on("bridge")["kafka-init"] == {"condition": ONE_SHOT_CONDITION}


@pytest.mark.parametrize("name", sorted(ONETHING_SERVICES))
def test_onething_services_reach_the_cluster_and_every_department(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_of(name, monkeypatch)

    assert settings.temporal_target == "temporal:7233"
    assert settings.temporal_namespace == "default"
    assert settings.kafka_target == "kafka:9092"
    assert set(settings.department_urls) == set(DEPARTMENTS)
    for department in DEPARTMENTS:
        url = f"http://{department_service(department)}:{DEPARTMENT_PORT}"
        assert settings.department_url(department) == url


def test_contract_topics_are_created_with_their_partitions() -> None:
    env = environment("kafka-init")
    script = mounted_script("kafka-init")

    assert sorted(env["TOPICS"].split()) == sorted(ALL_TOPICS)
    assert int(env["PARTITIONS"]) == TOPIC_PARTITIONS
    assert depends_on("kafka-init")["kafka"] == {"condition": "service_healthy"}
    assert is_one_shot("kafka-init")
    assert re.search(r"kafka-topics\.sh[^\n]*\\\n[^\n]*--create", script)
    assert '--partitions "$PARTITIONS"' in script
    assert "for topic in $TOPICS" in script


def test_search_attributes_are_registered_before_any_worker_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = environment("temporal-admin-tools")
    registered = dict(pair.split("=", 1) for pair in env["SEARCH_ATTRIBUTES"].split())
    script = mounted_script("temporal-admin-tools")
    waiting = sorted(
        name
        for name in ONETHING_SERVICES
        if name.startswith("worker-") or name == "bridge"
        if depends_on(name).get("temporal-admin-tools") != {"condition": ONE_SHOT_CONDITION}
    )

    assert registered == SEARCH_ATTRIBUTES
    assert env["TEMPORAL_NAMESPACE"] == settings_of("bridge", monkeypatch).temporal_namespace
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "temporal operator search-attribute create" in script
    assert '--name "$name" --type "$type"' in script
    assert is_one_shot("temporal-admin-tools")
    assert waiting == []


def test_the_host_addresses_in_the_header_are_published() -> None:
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    temporal = re.search(r"ONETHING_TEMPORAL_ADDRESS=127\.0\.0\.1:(\d+)", header)
    kafka = re.search(r"ONETHING_KAFKA_BOOTSTRAP=127\.0\.0\.1:(\d+)", header)
    advertised = environment("kafka")["KAFKA_ADVERTISED_LISTENERS"].split(",")

    assert "docker compose up --build" in header
    assert temporal is not None
    assert kafka is not None
    assert f"{temporal[1]}:7233" in service("temporal")["ports"]
    assert f"{kafka[1]}:{kafka[1]}" in service("kafka")["ports"]
    assert any(listener.endswith(f"//localhost:{kafka[1]}") for listener in advertised)
    assert any(listener.endswith("//kafka:9092") for listener in advertised)
    assert "8233:8080" in service("temporal-ui")["ports"]


def test_repository_files_mounted_into_containers_exist() -> None:
    missing = sorted(
        f"{name}: {source}"
        for name in services()
        for source in bind_mounts(name).values()
        if not (REPO / source).exists()
    )

    assert missing == []


def test_the_image_installs_every_package_and_runs_unprivileged() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [
        pattern.rstrip("*")
        for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = {line.split()[1] for line in instructions if line.startswith("COPY ")}
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]

    assert instructions[0] == "FROM python:3.11-slim"
    assert sorted(set(packages) - copied) == []
    assert sorted(set(packages) & set(ignored)) == []
    assert "pip install --no-cache-dir ." in dockerfile
    assert users, "the image must switch to a user of its own"
    assert users[-1] not in {"root", "0"}
    assert instructions[-1] == 'CMD ["onething", "--help"]'


SECRET_SETTINGS = (
    "ONETHING_PAYLOAD_KEYS",
    "ONETHING_PAYLOAD_ACTIVE_KEY",
    "ONETHING_DEPARTMENT_TOKENS",
    "ONETHING_CODEC_TOKEN",
    "ONETHING_CASE_SCOPE_KEY",
)
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*):\?[^}]*\}")


def dotenv(text: str) -> dict[str, str]:
    """A ``.env`` file as docker compose reads it (enough of it for ``compose_env``'s output)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value.removeprefix("'").removesuffix("'") for key, value in pairs}


def interpolated(name: str, variables: dict[str, str]) -> dict[str, str]:
    """A service's environment after docker compose substitutes ``${VAR:?...}``."""
    return {
        key: REQUIRED_VARIABLE.sub(lambda match: variables[match[1]], value)
        for key, value in environment(name).items()
    }


def test_secrets_come_from_required_variables_never_from_the_file() -> None:
    for name in services():
        for key, value in environment(name).items():
            if key in SECRET_SETTINGS:
                assert REQUIRED_VARIABLE.search(value), f"{name}: {key} holds a literal secret"
                assert re.fullmatch(r'[{}":, a-z_]*', REQUIRED_VARIABLE.sub("", value)), name


@pytest.mark.parametrize("name", sorted(ONETHING_SERVICES))
def test_each_container_holds_only_the_secrets_it_needs(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from onething.crypto.compose_env import compose_env
    from onething.crypto.keys import load_key_ring
    from onething.crypto.tokens import department_token

    variables = dotenv(compose_env())
    for key, value in interpolated(name, variables).items():
        monkeypatch.setenv(key, value)
    settings = Settings(home=tmp_path)
    own = next((d for d in DEPARTMENTS if name.endswith(dashed(d))), None)

    if name.startswith("dept-"):
        assert settings.payload_keys is None
    else:
        assert load_key_ring(settings).active_id == variables["ONETHING_PAYLOAD_ACTIVE_KEY"]
    for department in DEPARTMENTS:
        if department == own:
            assert (
                department_token(settings, department)
                == variables[f"DEPARTMENT_TOKEN_{department.upper()}"]
            )
        elif settings.department_tokens is not None:
            with pytest.raises(ValueError, match=f"no token for {department}"):
                department_token(settings, department)
    if own is None:
        assert settings.department_tokens is None
    # Only who signs scopes (the bridge) and who checks them (the departments) hold the key.
    holds_scope_key = name == "bridge" or name.startswith("dept-")
    assert (settings.case_scope_key is not None) == holds_scope_key
    assert not (tmp_path / "keys").exists()
