"""Settings of every onething process, read from ``ONETHING_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
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
    population_families: int = Field(default=12_000, ge=100, le=200_000)

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
