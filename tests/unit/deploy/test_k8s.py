"""deploy/k8s validates offline and runs each process the way the code and contract expect.

Built-in kinds are checked against the Kubernetes schemas kubernetes-validate bundles; Strimzi
and KEDA resources against the minimal schemas in ``crd_schemas.py``. No cluster is needed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from onething.constants import (
    ALL_TOPICS,
    BRIDGE_GROUP_ID,
    DEPARTMENTS,
    INPUT_TOPICS,
    ORCHESTRATOR_TASK_QUEUE,
    Department,
    department_task_queue,
)
from onething.crypto.compose_secrets import (
    BRIDGE_SERVICE,
    CODEC_SERVICE,
    ORCHESTRATOR_SERVICE,
    ComposeSecrets,
    department_service,
    department_worker,
)
from onething.settings import SECRETS_DIR_VARIABLE, Settings
from tests.unit.deploy.compose_file import HEALTHCHECK_SCRIPT, SECRETS_MOUNT
from tests.unit.deploy.crd_schemas import BY_KIND
from tests.unit.deploy.k8s_files import (
    BASE,
    K8S,
    KAFKA,
    PROVINCE,
    SECRETS_TEMPLATE,
    TEMPORAL_VALUES,
    Resource,
    by_kind,
    containers,
    documents,
    render,
)

KUBERNETES_VERSION = "1.33"
IMAGE = "onething"
SCALED_WORKERS = {ORCHESTRATOR_SERVICE} | {department_worker(d) for d in DEPARTMENTS}
SCALED = SCALED_WORKERS | {BRIDGE_SERVICE}


def every_resource() -> list[tuple[str, Resource]]:
    found = [
        (f"{folder.relative_to(K8S)}: {r['kind']} {r['metadata']['name']}", r)
        for folder in (PROVINCE, KAFKA)
        for r in render(folder)
    ]
    found += [
        (f"secrets template: {r['metadata']['name']}", r) for r in documents(SECRETS_TEMPLATE)
    ]
    return found


def base() -> tuple[Resource, ...]:
    return render(BASE)


def workloads() -> dict[str, Resource]:
    return by_kind(base(), "Deployment") | by_kind(base(), "StatefulSet")


def container(name: str) -> dict[str, Any]:
    found = containers(workloads()[name])
    assert len(found) == 1, name
    return found[0]


def config() -> dict[str, str]:
    data = by_kind(base(), "ConfigMap")["onething"]["data"]
    assert isinstance(data, dict)
    return data


def topics() -> dict[str, Resource]:
    return {
        t["spec"].get("topicName", name): t
        for name, t in by_kind(render(KAFKA), "KafkaTopic").items()
    }


def trigger(name: str) -> dict[str, Any]:
    scaled = by_kind(base(), "ScaledObject")[name]
    (only,) = scaled["spec"]["triggers"]
    assert isinstance(only, dict)
    return only


@pytest.mark.parametrize("label", [label for label, _ in every_resource()])
def test_every_resource_follows_its_schema(label: str) -> None:
    resource = dict(every_resource())[label]
    custom = BY_KIND.get((resource["apiVersion"], resource["kind"]))

    if custom is not None:
        errors = [e.message for e in jsonschema.Draft202012Validator(custom).iter_errors(resource)]
        assert errors == []
    else:
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{label}: {'/'.join(map(str, error.path))}: {error.message}")


def test_the_custom_resource_schemas_refuse_a_misspelt_field() -> None:
    scaled = json.loads(json.dumps(by_kind(base(), "ScaledObject")["bridge"]))
    scaled["spec"]["triggers"][0]["metadata"]["consumergroup"] = "typo"
    topic = json.loads(json.dumps(next(iter(topics().values()))))
    topic["spec"]["replica"] = 3

    for resource in (scaled, topic):
        schema = BY_KIND[(resource["apiVersion"], resource["kind"])]
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(resource))


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("folder", [PROVINCE, KAFKA], ids=["province", "kafka"])
def test_the_loader_renders_what_kustomize_renders(folder: Path) -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    from_kustomize = sorted(
        (r["kind"], r["metadata"]["name"], r["metadata"].get("namespace", ""))
        for r in yaml.safe_load_all(built)
        if r
    )
    images = sorted(
        {
            c["image"]
            for r in yaml.safe_load_all(built)
            if r and "template" in r.get("spec", {})
            for c in containers(r)
        }
    )

    assert from_kustomize == sorted(
        (r["kind"], r["metadata"]["name"], r["metadata"].get("namespace", ""))
        for r in render(folder)
    )
    assert images == sorted(
        {
            c["image"]
            for r in render(folder)
            if "template" in r.get("spec", {})
            for c in containers(r)
        }
    )


def test_the_province_overlay_names_the_image_and_the_namespace() -> None:
    rendered = render(PROVINCE)
    images = {
        c["image"] for r in rendered if "template" in r.get("spec", {}) for c in containers(r)
    }

    assert all(
        r["metadata"].get("namespace") == "onething" for r in rendered if r["kind"] != "Namespace"
    )
    assert not any(image == IMAGE or image.startswith(f"{IMAGE}:") for image in images)
    labels = by_kind(rendered, "Namespace")["onething"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_each_process_runs_the_command_compose_runs() -> None:
    from tests.unit.deploy.compose_file import command as compose_command

    onething = {name for name, w in workloads().items() if container(name)["image"] == IMAGE}
    expected = (
        {department_service(d) for d in DEPARTMENTS}
        | {department_worker(d) for d in DEPARTMENTS}
        | {ORCHESTRATOR_SERVICE, BRIDGE_SERVICE, CODEC_SERVICE}
    )

    assert onething == expected
    for name in sorted(expected - {CODEC_SERVICE}):
        assert container(name)["command"] == compose_command(name), name
    assert container(CODEC_SERVICE)["command"][:3] == [
        "python",
        "-m",
        "onething.crypto.codec_server",
    ]


@pytest.mark.parametrize(
    "name", sorted(SCALED | {CODEC_SERVICE} | {department_service(d) for d in DEPARTMENTS})
)
def test_each_workload_has_probes_resources_and_runs_unprivileged(name: str) -> None:
    workload = workloads()[name]
    pod = workload["spec"]["template"]["spec"]
    spec = container(name)

    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert probe in spec, f"{name}: no {probe}"
    for kind in ("requests", "limits"):
        assert set(spec["resources"][kind]) == {"cpu", "memory"}, f"{name}: {kind}"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert spec["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", sorted(SCALED | {CODEC_SERVICE}))
def test_each_replicated_workload_has_a_disruption_budget(name: str) -> None:
    budget = by_kind(base(), "PodDisruptionBudget")[name]
    labels = workloads()[name]["spec"]["template"]["metadata"]["labels"]

    assert budget["spec"]["maxUnavailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert workloads()[name]["spec"]["replicas"] >= 2


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_department_worker_scales_on_its_task_queue_backlog(department: Department) -> None:
    name = department_worker(department)
    found = trigger(name)
    scaled = by_kind(base(), "ScaledObject")[name]["spec"]
    probe = container(name)["readinessProbe"]["exec"]["command"]

    assert found["type"] == "temporal"
    assert found["metadata"]["taskQueue"] == department_task_queue(department)
    assert found["metadata"]["queueTypes"] == "activity"
    assert found["metadata"]["endpoint"] == config()["ONETHING_TEMPORAL_ADDRESS"]
    assert found["metadata"]["namespace"] == config()["ONETHING_TEMPORAL_NAMESPACE"]
    assert scaled["scaleTargetRef"]["name"] == name
    assert scaled["minReplicaCount"] >= 2
    assert probe == [
        "python",
        HEALTHCHECK_SCRIPT,
        "task-queue",
        department_task_queue(department),
        "--kind=activity",
    ]


def test_the_orchestrator_scales_on_its_workflow_task_backlog() -> None:
    found = trigger(ORCHESTRATOR_SERVICE)

    assert found["type"] == "temporal"
    assert found["metadata"]["taskQueue"] == ORCHESTRATOR_TASK_QUEUE
    assert found["metadata"]["queueTypes"] == "workflow"
    assert found["metadata"]["endpoint"] == config()["ONETHING_TEMPORAL_ADDRESS"]
    assert container(ORCHESTRATOR_SERVICE)["livenessProbe"]["exec"]["command"][2:] == [
        "task-queue", ORCHESTRATOR_TASK_QUEUE, "--kind=workflow",
    ]  # fmt: skip


def test_the_bridge_scales_on_consumer_lag_up_to_the_input_partitions() -> None:
    found = trigger(BRIDGE_SERVICE)
    most = by_kind(base(), "ScaledObject")[BRIDGE_SERVICE]["spec"]["maxReplicaCount"]
    partitions = min(topics()[topic]["spec"]["partitions"] for topic in INPUT_TOPICS)

    assert found["type"] == "kafka"
    assert found["metadata"]["consumerGroup"] == BRIDGE_GROUP_ID
    assert found["metadata"]["bootstrapServers"] == config()["ONETHING_KAFKA_BOOTSTRAP"]
    assert found["metadata"]["offsetResetPolicy"] == "earliest"
    assert most <= partitions, "a bridge replica beyond the partitions would only idle"
    assert container(BRIDGE_SERVICE)["readinessProbe"]["exec"]["command"][2:] == [
        "consumer-group",
        BRIDGE_GROUP_ID,
    ]


def test_kafka_keeps_every_topic_on_three_brokers_with_two_in_sync() -> None:
    kafka = by_kind(render(KAFKA), "Kafka")["onething"]["spec"]["kafka"]
    pools = by_kind(render(KAFKA), "KafkaNodePool").values()

    assert sorted(topics()) == sorted(ALL_TOPICS)
    for name, topic in topics().items():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "onething", name
        assert topic["spec"]["replicas"] == 3, name
        assert int(topic["spec"]["config"]["min.insync.replicas"]) == 2, name
    assert sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"]) >= 3
    assert kafka["config"]["min.insync.replicas"] == 2
    assert kafka["config"]["default.replication.factor"] == 3
    assert kafka["config"]["auto.create.topics.enable"] is False
    assert config()["ONETHING_KAFKA_BOOTSTRAP"].startswith("onething-kafka-bootstrap.kafka.")
    assert any(lis["port"] == 9092 and not lis["tls"] for lis in kafka["listeners"])


def test_the_config_reaches_temporal_kafka_and_every_department(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in config().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    settings = Settings()
    services = by_kind(base(), "Service")

    assert config()[SECRETS_DIR_VARIABLE] == SECRETS_MOUNT
    assert settings.temporal_target.startswith("temporal-frontend.temporal.")
    assert set(settings.department_urls) == set(DEPARTMENTS)
    for department in DEPARTMENTS:
        name = department_service(department)
        port = services[name]["spec"]["ports"][0]["port"]
        assert settings.department_url(department) == f"http://{name}:{port}"


@pytest.mark.parametrize(
    "name", sorted(SCALED | {CODEC_SERVICE} | {department_service(d) for d in DEPARTMENTS})
)
def test_each_workload_mounts_its_own_secret_with_what_it_needs(name: str) -> None:
    pod = workloads()[name]["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    mount = next(m for m in container(name)["volumeMounts"] if m["name"] == volume["name"])
    template = {s["metadata"]["name"]: s for s in documents(SECRETS_TEMPLATE)}
    needed = ComposeSecrets.new().service_settings()[name]

    assert mount == {"name": volume["name"], "mountPath": SECRETS_MOUNT, "readOnly": True}
    assert volume["secret"]["secretName"] == f"onething-{name}"
    assert volume["secret"]["defaultMode"] & 0o007 == 0, "others must not read the secrets"
    assert sorted(template[f"onething-{name}"]["stringData"]) == sorted(needed)


def test_the_secrets_template_holds_no_secret() -> None:
    values = [v for s in documents(SECRETS_TEMPLATE) for v in s["stringData"].values()]

    assert values
    assert all(v.startswith("<secrets/") and v.endswith(">") for v in values)
    assert not any("data" in s for s in documents(SECRETS_TEMPLATE))


def test_temporal_values_use_postgres_and_the_namespace_onething_uses() -> None:
    values = yaml.safe_load(TEMPORAL_VALUES.read_text(encoding="utf-8"))
    server = values["server"]
    persistence = server["config"]["persistence"]
    shards = server["config"]["numHistoryShards"]

    assert shards & (shards - 1) == 0, "numHistoryShards is a power of two"
    assert shards >= 512
    for store in ("default", "visibility"):
        sql = persistence[store]["sql"]
        assert persistence[store]["driver"] == "sql"
        assert sql["driver"] == "postgres12"
        assert sql["existingSecret"]
        assert "password" not in sql
    assert persistence["default"]["sql"]["database"] != persistence["visibility"]["sql"]["database"]
    assert [n["name"] for n in server["config"]["namespaces"]["namespace"]] == [
        config()["ONETHING_TEMPORAL_NAMESPACE"]
    ]
    assert server["config"]["namespaces"]["create"] is True
    for service in ("frontend", "history", "matching", "worker"):
        assert server[service]["replicaCount"] >= 2, service
        assert server[service]["podDisruptionBudget"], service
    for subchart in ("cassandra", "mysql", "postgresql", "elasticsearch"):
        assert values[subchart]["enabled"] is False
    assert any(e["name"] == "TEMPORAL_CODEC_ENDPOINT" for e in values["web"]["additionalEnv"])


def test_the_sizing_in_docs_scaling_is_what_the_manifests_hold() -> None:
    text = (K8S.parents[1] / "docs" / "scaling.md").read_text(encoding="utf-8")
    values = yaml.safe_load(TEMPORAL_VALUES.read_text(encoding="utf-8"))
    scaled = {name: s["spec"] for name, s in by_kind(base(), "ScaledObject").items()}
    partitions = {topics()[topic]["spec"]["partitions"] for topic in INPUT_TOPICS}

    assert f"**{values['server']['config']['numHistoryShards']} shards**" in text
    assert f"**{partitions.pop()} partitions** per input topic" in text
    assert not partitions, "every input topic has the same partitions"
    for name, spec in scaled.items():
        span = f"{spec['minReplicaCount']}–{spec['maxReplicaCount']}"
        assert span in text, f"{name}: {span} is not in docs/scaling.md"
    assert f"history {values['server']['history']['replicaCount']} × 1 core" in text
