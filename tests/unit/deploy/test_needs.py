"""Every topic, task queue, setting and secret the code needs is in both compose and Kubernetes.

Derived from the code, not copied: topics and task queues from ``onething/constants.py``,
settings from ``Settings`` (its fields, and the addresses its properties resolve), secrets from
its ``SecretStr`` fields and from what ``init-secrets`` gives each process.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from onething.constants import (
    ALL_TOPICS,
    DEPARTMENTS,
    ORCHESTRATOR_TASK_QUEUE,
    SEARCH_ATTRIBUTES,
    department_task_queue,
)
from onething.crypto.compose_secrets import (
    POSTGRES_PASSWORD_FILE,
    ComposeSecrets,
    write_compose_secrets,
)
from onething.settings import SECRETS_DIR_VARIABLE, Settings
from tests.unit.deploy import compose_file
from tests.unit.deploy.k8s_files import (
    BASE,
    KAFKA,
    SECRETS_TEMPLATE,
    TEMPORAL_VALUES,
    by_kind,
    containers,
    documents,
    render,
)

SHARED_ENVIRONMENT = "worker-orchestrator"


def task_queues() -> set[str]:
    return {ORCHESTRATOR_TASK_QUEUE} | {department_task_queue(d) for d in DEPARTMENTS}


def secret_variables() -> set[str]:
    return {
        f"ONETHING_{name.upper()}"
        for name, field in Settings.model_fields.items()
        if "SecretStr" in repr(field.annotation)
    }


def setting_variables() -> set[str]:
    return {f"ONETHING_{name.upper()}" for name in Settings.model_fields}


def k8s_config() -> dict[str, str]:
    data = by_kind(render(BASE), "ConfigMap")["onething"]["data"]
    assert isinstance(data, dict)
    return data


def compose_config() -> dict[str, str]:
    return {
        key: value
        for key, value in compose_file.environment(SHARED_ENVIRONMENT).items()
        if key.startswith("ONETHING_")
    }


def k8s_commands() -> list[list[str]]:
    found: list[list[str]] = []
    for resource in render(BASE):
        if "template" in resource.get("spec", {}):
            for container in containers(resource):
                found.append([str(part) for part in container.get("command", [])])
                found.extend(
                    [str(part) for part in container[probe]["exec"]["command"]]
                    for probe in ("readinessProbe", "livenessProbe")
                    if "exec" in container.get(probe, {})
                )
    return found


def resolved_addresses(settings: Settings) -> list[str]:
    """Every address a process connects to, as the settings resolve it."""
    return [
        settings.temporal_target,
        settings.kafka_target,
        *(settings.department_url(department) for department in DEPARTMENTS),
    ]


def is_loopback(address: str) -> bool:
    host = urlsplit(address if "//" in address else f"//{address}").hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_every_topic_is_created_in_both() -> None:
    compose_topics = set(compose_file.environment("kafka-init")["TOPICS"].split())
    k8s_topics = {
        t["spec"].get("topicName", t["metadata"]["name"])
        for t in by_kind(render(KAFKA), "KafkaTopic").values()
    }

    assert compose_topics == set(ALL_TOPICS)
    assert k8s_topics == set(ALL_TOPICS)


def test_every_task_queue_is_polled_checked_and_scaled_in_both() -> None:
    compose_checked = {
        test[4]
        for name in compose_file.services()
        if (test := compose_file.healthcheck_test(name))[3:4] == ["task-queue"]
    }
    k8s_checked = {command[3] for command in k8s_commands() if command[2:3] == ["task-queue"]}
    k8s_scaled = {
        s["spec"]["triggers"][0]["metadata"]["taskQueue"]
        for s in by_kind(render(BASE), "ScaledObject").values()
        if s["spec"]["triggers"][0]["type"] == "temporal"
    }

    assert compose_checked == task_queues()
    assert k8s_checked == task_queues()
    assert k8s_scaled == task_queues()


def test_the_search_attributes_are_registered_in_both() -> None:
    job = by_kind(render(BASE), "Job")["temporal-search-attributes"]
    (container,) = containers(job)
    k8s_env = {e["name"]: e.get("value") for e in container["env"]}
    wanted = " ".join(f"{name}={kind}" for name, kind in SEARCH_ATTRIBUTES.items())

    assert compose_file.environment("temporal-admin-tools")["SEARCH_ATTRIBUTES"] == wanted
    assert k8s_env["SEARCH_ATTRIBUTES"] == wanted


def test_both_set_the_same_settings_and_only_real_ones() -> None:
    assert set(compose_config()) <= setting_variables()
    assert set(k8s_config()) <= setting_variables()
    assert set(compose_config()) == set(k8s_config())
    assert not set(k8s_config()) & secret_variables()


@pytest.mark.parametrize("where", ["compose", "kubernetes"])
def test_no_process_is_left_pointing_at_the_local_stack(
    where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in (compose_config() if where == "compose" else k8s_config()).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    settings = Settings()

    assert [address for address in resolved_addresses(settings) if is_loopback(address)] == []
    assert not is_loopback(settings.local_host)


def test_every_secret_setting_is_handed_to_someone_in_both(tmp_path: Path) -> None:
    write_compose_secrets(tmp_path)
    in_compose = {
        path.name
        for name in compose_file.services()
        if (subpath := compose_file.secrets_subpath(name)) is not None
        for path in (tmp_path / subpath).iterdir()
    }
    in_k8s = {key for secret in documents(SECRETS_TEMPLATE) for key in secret["stringData"]}
    made = {key for keys in ComposeSecrets.new().service_settings().values() for key in keys}

    assert secret_variables() <= made
    assert secret_variables() <= in_compose
    assert secret_variables() <= in_k8s
    assert in_compose - {POSTGRES_PASSWORD_FILE} == in_k8s == made


def test_temporal_gets_the_dynamic_config_onething_needs_in_both() -> None:
    compose_dir = compose_file.REPO / "deploy" / "temporal" / "dynamicconfig"
    compose_file_name = compose_file.environment("temporal")["DYNAMIC_CONFIG_FILE_PATH"]
    in_compose = yaml.safe_load((compose_dir / Path(compose_file_name).name).read_text())
    values = yaml.safe_load(TEMPORAL_VALUES.read_text(encoding="utf-8"))
    in_k8s = values["server"]["dynamicConfig"]
    single_host_only = {"system.forceSearchAttributesCacheRefreshOnRead"}

    assert set(in_compose) - single_host_only == set(in_k8s)
    for key, entries in in_k8s.items():
        assert [e["value"] for e in entries] == [e["value"] for e in in_compose[key]], key
