"""docker-compose.yml is valid Compose and wires the cluster the way the contract and code expect.

No Docker engine is needed: the file is checked against the Compose Specification schema that
check-jsonschema vendors, then read as data.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib.resources import files
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

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
from onething.crypto.compose_secrets import (
    POSTGRES_FOLDER,
    POSTGRES_PASSWORD_FILE,
    department_service,
    department_worker,
    write_compose_secrets,
)
from onething.settings import SECRETS_DIR_VARIABLE, Settings
from tests.unit.deploy.compose_file import (
    CLUSTER_CLIENTS,
    COMPOSE_FILE,
    CONDITIONS,
    DEPARTMENT_PORT,
    DOCKERFILE,
    HEALTHCHECK_SCRIPT,
    INIT_SECRETS,
    ONE_SHOT_CONDITION,
    ONETHING_SERVICES,
    REPO,
    SECRETS_MOUNT,
    bind_mounts,
    command,
    compose,
    depends_on,
    environment,
    healthcheck_test,
    is_one_shot,
    mounted_script,
    mounts,
    secrets_subpath,
    service,
    services,
)

LONG_RUNNING = ONETHING_SERVICES - {INIT_SECRETS}


def settings_of(name: str, monkeypatch: pytest.MonkeyPatch, secrets_root: Path) -> Settings:
    """The settings a onething process in service ``name`` reads.

    Its environment, with its folder of the secrets volume as ``init-secrets`` writes it under
    ``secrets_root`` in place of the volume.
    """
    for key, value in environment(name).items():
        monkeypatch.setenv(key, value)
    subpath = secrets_subpath(name)
    if subpath is not None:
        assert environment(name)[SECRETS_DIR_VARIABLE] == SECRETS_MOUNT, name
        monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(secrets_root / subpath))
    return Settings()


@pytest.fixture(scope="module")
def secrets_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The secrets volume after ``init-secrets`` ran."""
    root = tmp_path_factory.mktemp("secrets")
    write_compose_secrets(root)
    return root


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

    for name in LONG_RUNNING:
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


@pytest.mark.parametrize("name", sorted(CLUSTER_CLIENTS))
def test_onething_services_reach_the_cluster_and_every_department(
    name: str, monkeypatch: pytest.MonkeyPatch, secrets_root: Path
) -> None:
    settings = settings_of(name, monkeypatch, secrets_root)

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


def test_the_namespace_and_search_attributes_exist_before_any_worker_starts(
    monkeypatch: pytest.MonkeyPatch, secrets_root: Path
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
    assert (
        env["TEMPORAL_NAMESPACE"]
        == settings_of("bridge", monkeypatch, secrets_root).temporal_namespace
    )
    assert "temporal operator namespace create" in script
    assert '--retention "$NAMESPACE_RETENTION"' in script
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "temporal operator search-attribute create" in script
    assert '--name "$name" --type "$type"' in script
    assert is_one_shot("temporal-admin-tools")
    assert waiting == []


BIND = "${ONETHING_BIND:-127.0.0.1}"


def test_published_ports_listen_on_the_loopback_interface_unless_asked() -> None:
    published = {
        name: [str(port) for port in spec.get("ports", [])] for name, spec in services().items()
    }
    open_to_all = sorted(
        f"{name}: {port}"
        for name, ports in published.items()
        for port in ports
        if not port.startswith(f"{BIND}:")
    )

    assert open_to_all == []
    assert sorted(name for name, ports in published.items() if ports) == [
        "kafka",
        "temporal",
        "temporal-ui",
        "workbench",
    ]


def test_the_host_addresses_in_the_header_are_published() -> None:
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("\nname:", 1)[0]
    temporal = re.search(r"ONETHING_TEMPORAL_ADDRESS=127\.0\.0\.1:(\d+)", header)
    kafka = re.search(r"ONETHING_KAFKA_BOOTSTRAP=127\.0\.0\.1:(\d+)", header)
    advertised = environment("kafka")["KAFKA_ADVERTISED_LISTENERS"].split(",")

    assert "docker compose up --build" in header
    assert temporal is not None
    assert kafka is not None
    assert f"{BIND}:{temporal[1]}:7233" in service("temporal")["ports"]
    assert f"{BIND}:{kafka[1]}:{kafka[1]}" in service("kafka")["ports"]
    assert any(listener.endswith(f"//localhost:{kafka[1]}") for listener in advertised)
    assert any(listener.endswith("//kafka:9092") for listener in advertised)
    assert f"{BIND}:8233:8080" in service("temporal-ui")["ports"]


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


def secret_variables() -> set[str]:
    """The variables of every setting that holds a secret (typed ``SecretStr``)."""
    return {
        f"ONETHING_{name.upper()}"
        for name, field in Settings.model_fields.items()
        if "SecretStr" in repr(field.annotation)
    }


def test_no_secret_is_in_the_file_or_the_environment() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    in_environment = sorted(
        f"{name}: {key}"
        for name in services()
        for key in environment(name)
        if key in secret_variables() or key in {"POSTGRES_PASSWORD", "POSTGRES_PWD", "SQL_PASSWORD"}
    )

    assert len(secret_variables()) >= 4
    assert in_environment == []
    assert "${" not in text.replace("${ONETHING_BIND:-127.0.0.1}", "")
    assert not (REPO / ".env").exists() or ".env" in (REPO / ".dockerignore").read_text()


def started_after(name: str) -> set[str]:
    """Every service that must have started, been healthy or completed before ``name`` starts."""
    found: set[str] = set()
    waiting = list(depends_on(name))
    while waiting:
        first = waiting.pop()
        if first not in found:
            found.add(first)
            waiting.extend(depends_on(first))
    return found


def test_init_secrets_runs_once_before_everyone_who_reads_them() -> None:
    readers = sorted(name for name in services() if secrets_subpath(name) is not None)
    not_waiting = sorted(name for name in readers if INIT_SECRETS not in started_after(name))

    assert command(INIT_SECRETS) == [
        "python", "-m", "onething.crypto.compose_secrets", "/secrets",
    ]  # fmt: skip
    assert mounts(INIT_SECRETS) == {"/secrets": "secrets"}
    assert is_one_shot(INIT_SECRETS)
    assert set(LONG_RUNNING) <= set(readers)
    assert not_waiting == []


def test_each_service_mounts_the_folder_init_secrets_writes_for_it(secrets_root: Path) -> None:
    written = {path.name for path in secrets_root.iterdir() if path.is_dir()}
    mounted = {name: secrets_subpath(name) for name in services()}

    for name in LONG_RUNNING:
        assert mounted[name] == name, f"{name} must mount its own folder, not {mounted[name]}"
        assert environment(name)[SECRETS_DIR_VARIABLE] == SECRETS_MOUNT, name
    assert {subpath for subpath in mounted.values() if subpath} <= written
    assert written == set(LONG_RUNNING) | {POSTGRES_FOLDER}


def test_postgres_and_temporal_share_a_generated_password(secrets_root: Path) -> None:
    password_file = f"{SECRETS_MOUNT}/{POSTGRES_PASSWORD_FILE}"
    # As docker compose passes it on: ``$$`` is its escape of a literal ``$``.
    temporal_entrypoint = " ".join(command("temporal", "entrypoint")).replace("$$", "$")

    assert environment("postgresql")["POSTGRES_PASSWORD_FILE"] == password_file
    assert environment("temporal-schema")["SQL_PASSWORD_FILE"] == password_file
    assert f'POSTGRES_PWD="$(cat {password_file})"' in temporal_entrypoint
    assert temporal_entrypoint.endswith("exec /etc/temporal/entrypoint.sh")
    for name in ("postgresql", "temporal-schema", "temporal"):
        assert secrets_subpath(name) == POSTGRES_FOLDER, name
    assert environment("postgresql")["POSTGRES_USER"] == environment("temporal")["POSTGRES_USER"]
    assert environment("temporal-schema")["SQL_USER"] == environment("temporal")["POSTGRES_USER"]
    assert len((secrets_root / POSTGRES_FOLDER / POSTGRES_PASSWORD_FILE).read_text().strip()) >= 32


def test_temporal_runs_on_schemas_a_one_shot_job_made() -> None:
    env = environment("temporal-schema")
    script = mounted_script("temporal-schema")
    databases = env["DATABASES"].split()

    assert service("temporal")["image"].startswith("temporalio/server:")
    assert not any("auto-setup" in str(spec.get("image", "")) for spec in services().values())
    assert service("temporal-schema")["image"].startswith("temporalio/admin-tools:")
    assert depends_on("temporal")["temporal-schema"] == {"condition": ONE_SHOT_CONDITION}
    assert depends_on("temporal-schema")["postgresql"] == {"condition": "service_healthy"}
    assert is_one_shot("temporal-schema")
    assert env["SQL_PLUGIN"] == environment("temporal")["DB"] == "postgres12"
    assert env["SQL_HOST"] == environment("temporal")["POSTGRES_SEEDS"] == "postgresql"
    assert databases == [
        environment("temporal")["DBNAME"],
        environment("temporal")["VISIBILITY_DBNAME"],
    ]
    assert env["SCHEMA_DIR"] == "/etc/temporal/schema/postgresql/v12"
    for step in ("create", "setup-schema -v 0.0", 'update-schema -d "$SCHEMA_DIR/$kind/versioned"'):
        assert f'temporal-sql-tool --db "$database" {step}' in script
    assert "kind=temporal" in script
    assert "kind=visibility" in script


def test_the_web_ui_decodes_through_the_codec_server(
    monkeypatch: pytest.MonkeyPatch, secrets_root: Path
) -> None:
    from onething.crypto.codec_api import ui_origins
    from onething.crypto.tokens import codec_token

    settings = settings_of("codec-server", monkeypatch, secrets_root)
    ui_port = next(
        str(port).split(":")[-2] for port in service("temporal-ui")["ports"] if ":8080" in port
    )

    assert command("codec-server") == ["python", "-m", "onething.crypto.codec_server"]
    assert environment("temporal-ui")["TEMPORAL_CODEC_ENDPOINT"] == settings.codec_url
    assert settings.local_ui_port == int(ui_port)
    assert f"http://localhost:{ui_port}" in ui_origins(settings)
    assert settings.codec_trust_local_ui is True
    assert service("codec-server")["network_mode"] == "host"
    assert healthcheck_test("codec-server")[3:] == ["http", f"{settings.codec_url}/health"]
    assert (
        codec_token(settings)
        == (secrets_root / "codec-server" / "ONETHING_CODEC_TOKEN").read_text().strip()
    )


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_each_container_holds_only_the_secrets_it_needs(
    name: str, monkeypatch: pytest.MonkeyPatch, secrets_root: Path, tmp_path: Path
) -> None:
    from onething.crypto.compose_secrets import load_or_create
    from onething.crypto.keys import load_key_ring
    from onething.crypto.tokens import department_token

    made = load_or_create(secrets_root)
    settings = settings_of(name, monkeypatch, secrets_root).model_copy(update={"home": tmp_path})
    own = next((d for d in DEPARTMENTS if name.endswith(d.replace("_", "-"))), None)

    if name.startswith("dept-"):
        assert settings.payload_keys is None
    else:
        assert load_key_ring(settings) == made.ring
    # The workbench shows each department's officers what their verifications ask: every token.
    every = name == "workbench"
    for department in DEPARTMENTS:
        if department == own or every:
            assert department_token(settings, department) == made.department_tokens[department]
        elif settings.department_tokens is not None:
            with pytest.raises(ValueError, match=f"no token for {department}"):
                department_token(settings, department)
    if own is None and not every:
        assert settings.department_tokens is None
    # Only who signs scopes (the bridge) and who checks them (the departments) hold the key.
    holds_scope_key = name == "bridge" or name.startswith("dept-")
    assert (settings.case_scope_key is not None) == holds_scope_key
    assert (settings.codec_token is not None) == (name == "codec-server")
    assert not (tmp_path / "keys").exists()


def readme_cluster_commands() -> list[str]:
    """The shell lines of the README's section on running onething on a cluster."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it on a cluster", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return " ".join(blocks).replace("\\\n", " ").splitlines()


def test_the_readme_cluster_commands_name_what_the_compose_file_has(secrets_root: Path) -> None:
    commands = readme_cluster_commands()
    execs = [re.search(r"docker compose exec (?:-T )?(\S+) (.*)", line) for line in commands]
    read_files = re.findall(rf"cat {SECRETS_MOUNT}/(\S+?)\)", " ".join(commands))

    assert commands[0] == "docker compose up --build"
    assert [m[1] for m in execs if m] == ["bridge", "bridge", "codec-server"]
    for found in filter(None, execs):
        if "onething" in found[2]:
            assert (secrets_root / found[1] / "ONETHING_PAYLOAD_KEYS").is_file(), found[1]
    assert read_files == ["ONETHING_CODEC_TOKEN"]
    assert (secrets_root / "codec-server" / read_files[0]).is_file()
    assert any(
        f"--codec-endpoint {environment('temporal-ui')['TEMPORAL_CODEC_ENDPOINT']}" in line
        for line in commands
    )
