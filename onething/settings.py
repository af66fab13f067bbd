"""Settings of every onething process, read from ``ONETHING_*`` environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

from onething.constants import DEPARTMENTS, Department

#: Names a folder of files, one per setting (``ONETHING_PAYLOAD_KEYS`` holding the keys, …):
#: how docker compose and Kubernetes hand secrets over without putting them in the environment.
SECRETS_DIR_VARIABLE = "ONETHING_SECRETS_DIR"


class Settings(BaseSettings):
    """Where the parts of onething live and how they reach each other.

    ``temporal_address`` and ``kafka_bootstrap`` name existing services; when they are unset,
    ``onething up`` starts its own on the ``local_*`` ports and everyone else connects there.

    Each setting comes from its environment variable, else from the file of the same name in
    ``ONETHING_SECRETS_DIR`` when that is set, else from its default.
    """

    model_config = SettingsConfigDict(env_prefix="ONETHING_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment variables, then the files in ``ONETHING_SECRETS_DIR``.

        Raises:
            ValueError: ``ONETHING_SECRETS_DIR`` names no folder, so every secret would be
                silently missing.
        """
        secrets_dir = os.environ.get(SECRETS_DIR_VARIABLE)
        if not secrets_dir:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        if not os.path.isdir(secrets_dir):
            raise ValueError(f"{SECRETS_DIR_VARIABLE} {secrets_dir!r} is not a folder")
        files = SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir)
        return init_settings, env_settings, dotenv_settings, files

    home: Path = Field(default=Path(".onething"), description="Databases, logs and keys.")
    secrets_dir: Path | None = Field(
        default=None,
        description="A folder of one file per setting, named like its variable "
        "(e.g. ONETHING_PAYLOAD_KEYS); read for every setting the environment leaves unset.",
    )
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
    dead_letter_max_original_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        le=512 * 1024,
        description="The most bytes of a refused record's value its dead letter keeps; a longer "
        "one is cut and marked so (its size and SHA-256 are always kept). At most 512 KiB, so "
        "a dead letter always fits under the producer's 1 MiB request limit.",
    )
    tz: str = Field(
        default="Asia/Shanghai",
        description="The IANA time zone the CLI shows times in (tables, and JSON's offsets).",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Where built population templates are kept, shared by every home. "
        "Unset: $XDG_CACHE_HOME/onething, else ~/.cache/onething.",
    )
    stall_timeout: timedelta = Field(
        default=timedelta(seconds=60),
        gt=timedelta(0),
        description="How long a starting part may go without reporting progress before "
        "onething up gives up on it.",
    )

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
        default=False,
        description=(
            "Let the local Web UI (its origin, from loopback) decode without a token. Any local "
            "process can send that origin: on only for a laptop demo (a WARNING says so)."
        ),
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
    case_scope_lifetime: timedelta = Field(
        default=timedelta(days=30),
        gt=timedelta(0),
        description="A case scope expires this long after signing, even if nobody closes it.",
    )

    clock_skew: timedelta = Field(
        default=timedelta(minutes=5),
        ge=timedelta(0),
        description="How far after now a time in an event may lie before the event is refused "
        "as one from the future (a sender's clock running ahead).",
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

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"ONETHING_TZ {value!r} is not an IANA time zone, e.g. Asia/Shanghai or UTC"
            ) from None
        return value

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
