"""Minimal JSON schemas of the custom resources onething uses, which kubernetes-validate lacks.

Written from the operators' documentation (KEDA 2.17+ ``ScaledObject`` with its ``temporal`` and
``kafka`` triggers; Strimzi ``v1beta2`` ``Kafka``, ``KafkaNodePool`` and ``KafkaTopic``): the
fields the operators require, their types, and no field outside those listed, so a misspelt
field fails here instead of being ignored by the operator.
"""

from __future__ import annotations

from typing import Any, Final

Schema = dict[str, Any]

_STRING: Final[Schema] = {"type": "string", "minLength": 1}
_NUMERIC_STRING: Final[Schema] = {"type": "string", "pattern": r"^[0-9]+$"}
_BOOL_STRING: Final[Schema] = {"enum": ["true", "false"]}
_COUNT: Final[Schema] = {"type": "integer", "minimum": 0}


def _resource(api_version: str, kind: str, spec: Schema, *, labels: Schema | None = None) -> Schema:
    metadata: Schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
            "namespace": _STRING,
            "labels": labels or {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": metadata,
            "spec": spec,
        },
        "additionalProperties": False,
    }


def _closed(required: list[str], properties: Schema) -> Schema:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


_TEMPORAL_TRIGGER: Final = _closed(
    ["type", "metadata"],
    {
        "type": {"const": "temporal"},
        "metadata": _closed(
            ["endpoint", "namespace", "taskQueue", "targetQueueSize"],
            {
                "endpoint": _STRING,
                "namespace": _STRING,
                "taskQueue": _STRING,
                "queueTypes": {"enum": ["workflow", "activity", "workflow,activity"]},
                "targetQueueSize": _NUMERIC_STRING,
                "activationTargetQueueSize": _NUMERIC_STRING,
            },
        ),
    },
)
_KAFKA_TRIGGER: Final = _closed(
    ["type", "metadata"],
    {
        "type": {"const": "kafka"},
        "metadata": _closed(
            ["bootstrapServers", "consumerGroup", "lagThreshold"],
            {
                "bootstrapServers": _STRING,
                "consumerGroup": _STRING,
                "topic": _STRING,
                "lagThreshold": _NUMERIC_STRING,
                "activationLagThreshold": _NUMERIC_STRING,
                "offsetResetPolicy": {"enum": ["earliest", "latest"]},
                "allowIdleConsumers": _BOOL_STRING,
                "limitToPartitionsWithLag": _BOOL_STRING,
            },
        ),
    },
)

SCALED_OBJECT: Final = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    _closed(
        ["scaleTargetRef", "triggers", "minReplicaCount", "maxReplicaCount"],
        {
            "scaleTargetRef": _closed(
                ["name"], {"name": _STRING, "kind": _STRING, "apiVersion": _STRING}
            ),
            "minReplicaCount": _COUNT,
            "maxReplicaCount": {"type": "integer", "minimum": 1},
            "pollingInterval": {"type": "integer", "minimum": 1},
            "cooldownPeriod": _COUNT,
            "triggers": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [_TEMPORAL_TRIGGER, _KAFKA_TRIGGER]},
            },
        },
    ),
)

_CLUSTER_LABEL: Final[Schema] = {
    "type": "object",
    "required": ["strimzi.io/cluster"],
    "additionalProperties": {"type": "string"},
}
_CONFIG: Final[Schema] = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer", "boolean", "number"]},
}
_RESOURCES: Final[Schema] = _closed(
    ["requests", "limits"],
    {"requests": {"type": "object"}, "limits": {"type": "object"}},
)

KAFKA_TOPIC: Final = _resource(
    "kafka.strimzi.io/v1beta2",
    "KafkaTopic",
    _closed(
        ["partitions", "replicas"],
        {
            "topicName": _STRING,
            "partitions": {"type": "integer", "minimum": 1},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
            "config": _CONFIG,
        },
    ),
    labels=_CLUSTER_LABEL,
)

KAFKA_NODE_POOL: Final = _resource(
    "kafka.strimzi.io/v1beta2",
    "KafkaNodePool",
    _closed(
        ["replicas", "roles", "storage"],
        {
            "replicas": {"type": "integer", "minimum": 1},
            "roles": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": ["controller", "broker"]},
            },
            "storage": {"type": "object", "required": ["type"]},
            "resources": _RESOURCES,
        },
    ),
    labels=_CLUSTER_LABEL,
)

_LISTENER: Final = _closed(
    ["name", "port", "type", "tls"],
    {
        "name": {"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
        "port": {"type": "integer", "minimum": 9092},
        "type": {
            "enum": ["internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"]
        },
        "tls": {"type": "boolean"},
    },
)

KAFKA: Final = _resource(
    "kafka.strimzi.io/v1beta2",
    "Kafka",
    _closed(
        ["kafka"],
        {
            "kafka": _closed(
                ["listeners"],
                {
                    "version": _STRING,
                    "listeners": {"type": "array", "minItems": 1, "items": _LISTENER},
                    "config": _CONFIG,
                },
            ),
            "entityOperator": _closed(
                [], {"topicOperator": {"type": "object"}, "userOperator": {"type": "object"}}
            ),
        },
    ),
)

BY_KIND: Final[dict[tuple[str, str], Schema]] = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): KAFKA_TOPIC,
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): KAFKA_NODE_POOL,
    ("kafka.strimzi.io/v1beta2", "Kafka"): KAFKA,
}
