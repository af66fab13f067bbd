"""deploy/k8s read as data: kustomizations rendered by a small loader, for the tests.

The loader does what these kustomizations use of kustomize, no more: ``resources`` (files and
folders), ``namespace``, ``images`` and ``labels``. ``test_k8s.py`` checks it against
``kubectl kustomize`` where kubectl is installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.unit.deploy.compose_file import REPO

K8S = REPO / "deploy" / "k8s"
BASE = K8S / "base"
PROVINCE = K8S / "overlays" / "province"
KAFKA = K8S / "kafka"
SECRETS_TEMPLATE = K8S / "secrets.template.yaml"
TEMPORAL_VALUES = K8S / "temporal-values.yaml"

#: Kinds that live in no namespace, which ``namespace:`` leaves alone.
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})

Resource = dict[str, Any]


def documents(path: Path) -> list[Resource]:
    """Every YAML document of a file that is a resource."""
    loaded = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    return [doc for doc in loaded if isinstance(doc, dict) and "kind" in doc]


@cache
def render(folder: Path) -> tuple[Resource, ...]:
    """The resources of the kustomization in ``folder``, transformed as kustomize would."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = (folder / entry).resolve()
        resources.extend(render(path) if path.is_dir() else documents(path))
    resources = [_copy(resource) for resource in resources]
    for resource in resources:
        _set_namespace(resource, kustomization.get("namespace"))
        _set_images(resource, kustomization.get("images", []))
        for label in kustomization.get("labels", []):
            resource["metadata"].setdefault("labels", {}).update(label["pairs"])
    return tuple(resources)


def by_kind(resources: tuple[Resource, ...], kind: str) -> dict[str, Resource]:
    """The resources of one kind, by name."""
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def containers(resource: Resource) -> list[dict[str, Any]]:
    """The containers of a workload's pod template (or of a Job's)."""
    spec = resource["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def _copy(resource: Resource) -> Resource:
    copied = yaml.safe_load(yaml.safe_dump(resource))
    assert isinstance(copied, dict)
    return copied


def _set_namespace(resource: Resource, namespace: str | None) -> None:
    if namespace and resource["kind"] not in CLUSTER_SCOPED:
        resource["metadata"]["namespace"] = namespace


def _set_images(resource: Resource, images: list[dict[str, str]]) -> None:
    if "template" not in resource.get("spec", {}):
        return
    for container in containers(resource):
        for image in images:
            if container["image"].split(":")[0] == image["name"]:
                name = image.get("newName", image["name"])
                tag = image.get("newTag")
                container["image"] = f"{name}:{tag}" if tag else name
