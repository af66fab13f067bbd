"""Settings of every onething process, read from ``ONETHING_*`` environment variables."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from onething.constants import DEPARTMENTS, Department


class Settings(BaseSettings):
    """Where the parts of onething live and how they reach each other.

    ``temporal_address`` and ``kafka_bootstrap`` name existing services; when they are unset,
    ``onething up`` starts its own on the ``local_*`` ports and everyone else connects there.
    """

    model_config = SettingsConfigDict(env_prefix="ONETHING_", extra="ignore")

    home: Path = Field(default=Path(".onething"), description="Databases, logs and keys.")
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    kafka_bootstrap: str | None = None

    local_host: str = "127.0.0.1"
    local_temporal_port: int = Field(default=7233, ge=1, le=65535)
    local_ui_port: int = Field(default=8233, ge=1, le=65535)
    local_kafka_port: int = Field(default=9092, ge=1, le=65535)
    departments_base_port: int = Field(default=8410, ge=1, le=65500)
    department_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Overrides of department base URLs, e.g. {'health': 'http://health:8000'}.",
    )
    department_timeout_s: float = Field(default=10.0, gt=0)
    department_rate_limits: dict[str, float] = Field(
        default_factory=dict,
        description="JSON {department: activities per second}: the most a department's task "
        "queue dispatches, across all its workers, e.g. {'tax': 20}. Unset: no limit.",
    )
    population_families: int = Field(default=12_000, ge=100, le=200_000)

    payload_keys: SecretStr | None = Field(
        default=None,
        description="JSON {key_id: base64 AES-256 key}: every key payloads may be encrypted "
        "with. Unset: the local stack's keys under <home>/keys/.",
    )
    payload_active_key: str | None = Field(
        default=None, description="The key ID in payload_keys that encrypts new payloads."
    )
    codec_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the codec server. Unset: <home>/keys/codec-token.",
    )
    codec_trust_local_ui: bool = Field(
        default=True,
        description="Let the local Web UI (its origin, from loopback) decode without a token.",
    )
    local_codec_port: int = Field(default=8234, ge=1, le=65535)
    local_web_port: int = Field(default=8240, ge=1, le=65535, description="The workbench.")
    web_claim_ttl: timedelta = Field(
        default=timedelta(minutes=30),
        gt=timedelta(0),
        description="How long an officer's claim on a verification holds before it returns "
        "to the pool.",
    )
    department_tokens: SecretStr | None = Field(
        default=None,
        description="JSON {department: service token}. Unset: <home>/keys/department-<d>.token.",
    )
    case_scope_key: SecretStr | None = Field(
        default=None,
        description="Signs case scopes; <home>/keys/case-scope.key when unset.",
    )

    case_sla: timedelta = Field(
        default=timedelta(days=2), description="How long a case may take before it escalates."
    )
    bundle_sla: dict[str, timedelta] = Field(
        default_factory=dict, description="Per-bundle SLA overrides, e.g. {'death': 'P5D'}."
    )
    verification_deadline: timedelta = Field(
        default=timedelta(days=3), description="How long a department has to answer a verification."
    )
    pledge_check_after: timedelta = Field(
        default=timedelta(days=7),
        description="When a pledge (notification and commitment) is checked.",
    )

    @field_validator("department_urls")
    @classmethod
    def _known_departments(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(DEPARTMENTS))
        if unknown:
            raise ValueError(
                f"ONETHING_DEPARTMENT_URLS names unknown departments {unknown}; "
                f"known: {list(DEPARTMENTS)}"
            )
        return value

    @field_validator("department_rate_limits")
    @classmethod
    def _positive_rate_limits(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(DEPARTMENTS))
        if unknown:
            raise ValueError(
                f"ONETHING_DEPARTMENT_RATE_LIMITS names unknown departments {unknown}; "
                f"known: {list(DEPARTMENTS)}"
            )
        not_positive = sorted(name for name, rate in value.items() if not rate > 0)
        if not_positive:
            raise ValueError(
                f"ONETHING_DEPARTMENT_RATE_LIMITS must be above 0 per second for {not_positive}"
            )
        return value

    def department_rate_limit(self, department: Department) -> float | None:
        """The most activities per second a department's task queue dispatches, if limited."""
        return self.department_rate_limits.get(department)

    def sla_for(self, bundle: str) -> timedelta:
        """The SLA of a bundle's cases."""
        return self.bundle_sla.get(bundle, self.case_sla)

    @property
    def temporal_target(self) -> str:
        """The Temporal frontend address every client connects to."""
        return self.temporal_address or f"{self.local_host}:{self.local_temporal_port}"

    @property
    def kafka_target(self) -> str:
        """The Kafka bootstrap servers every producer and consumer uses."""
        return self.kafka_bootstrap or f"{self.local_host}:{self.local_kafka_port}"

    @property
    def ui_url(self) -> str:
        """The Temporal Web UI of the local stack."""
        return f"http://{self.local_host}:{self.local_ui_port}"

    @property
    def codec_url(self) -> str:
        """The codec server of the local stack, which the Web UI decodes payloads through."""
        return f"http://{self.local_host}:{self.local_codec_port}"

    @property
    def web_url(self) -> str:
        """The workbench of the local stack: worklists, operators' console."""
        return f"http://{self.local_host}:{self.local_web_port}"

    def department_port(self, department: Department) -> int:
        """The local port of a simulated department service."""
        return self.departments_base_port + DEPARTMENTS.index(department)

    def department_url(self, department: Department) -> str:
        """The base URL of a department service."""
        return self.department_urls.get(
            department, f"http://{self.local_host}:{self.department_port(department)}"
        )

    def department_db(self, department: Department) -> Path:
        """The SQLite database of a simulated department."""
        return self.home / "departments" / f"{department}.db"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
