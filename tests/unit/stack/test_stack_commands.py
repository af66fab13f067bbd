"""The command lines, ports and environment of each part follow from the settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from onething.constants import DEPARTMENTS
from onething.settings import Settings
from onething.stack import Stack, default_stages
from onething.stack.broker import broker_command
from onething.stack.environment import child_environment, resolve_settings
from onething.stack.temporal_server import temporal_command


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return resolve_settings(
        Settings(
            home=tmp_path / "home",
            local_temporal_port=17233,
            local_ui_port=18233,
            local_kafka_port=19092,
            departments_base_port=18410,
            local_codec_port=18234,
            local_web_port=18240,
        )
    )


def test_temporal_dev_server_command(settings: Settings) -> None:
    argv = temporal_command(settings, binary="/bin/temporal")

    assert argv == (
        "/bin/temporal",
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        "17233",
        "--ui-port",
        "18233",
        "--db-filename",
        str(settings.home / "temporal.db"),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--search-attribute",
        "Bundle=Keyword",
        "--search-attribute",
        "CaseStatus=Keyword",
        "--search-attribute",
        "WaitingOn=KeywordList",
        "--ui-codec-endpoint",
        "http://127.0.0.1:18234",
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",
    )


def test_temporal_namespace_and_extra_args(settings: Settings) -> None:
    settings = settings.model_copy(update={"temporal_namespace": "cases"})

    argv = temporal_command(
        settings, binary="temporal", extra_args=("--dynamic-config-value", "a.b=1")
    )

    assert argv[argv.index("--namespace") + 1] == "cases"
    assert argv[-2:] == ("--dynamic-config-value", "a.b=1")


def test_default_namespace_is_not_passed(settings: Settings) -> None:
    assert "--namespace" not in temporal_command(settings, binary="temporal")


def test_broker_command(settings: Settings) -> None:
    assert broker_command(settings, binary="/bin/tansu") == (
        "/bin/tansu",
        "broker",
        "--listener-url",
        "tcp://127.0.0.1:19092",
        "--advertised-listener-url",
        "tcp://127.0.0.1:19092",
    )


def test_stages_in_start_order(settings: Settings) -> None:
    stages = default_stages(settings, temporal_args=("--dynamic-config-value", "x=1"))

    assert [[part.name for part in stage] for stage in stages] == [
        ["temporal", "broker", "codec-server"],
        [f"department-{department}" for department in DEPARTMENTS],
        ["worker-orchestrator", "worker-departments", "bridge", "workbench"],
    ]
    assert stages[0][0].argv[-1] == "x=1"
    health = stages[1][0]
    assert health.argv == (sys.executable, "-m", "departments.serve", "--department", "health")
    assert stages[2][2].argv == (sys.executable, "-m", "onething.prestart", "events.bridge")
    assert all(part.prestart and part.after == ("temporal", "broker") for part in stages[2][:3])
    assert stages[2][3].argv == (sys.executable, "-m", "workbench.serve")


def test_every_port_is_checked(settings: Settings) -> None:
    stack = Stack(settings)

    ports = [port.number for part in stack.parts for port in part.ports]

    assert ports == [17233, 18233, 19092, 18234, *range(18410, 18416), 18240]


def test_existing_services_start_nothing_and_bind_nothing(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"temporal_address": "temporal:7233", "kafka_bootstrap": "kafka:9092"}
    )

    temporal, broker, _ = default_stages(settings)[0]

    assert (temporal.argv, temporal.ports) == ((), ())
    assert (broker.argv, broker.ports) == ((), ())
    assert temporal.label == "Temporal at temporal:7233"


def test_children_get_the_resolved_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UNRELATED", "kept")
    settings = resolve_settings(
        Settings(
            home=Path("relative"),
            local_kafka_port=19999,
            department_urls={"tax": "http://tax:8000"},
        )
    )

    env = child_environment(settings)

    assert env["UNRELATED"] == "kept"
    assert env["ONETHING_HOME"] == str(tmp_path / "relative")
    assert env["ONETHING_TEMPORAL_ADDRESS"] == "127.0.0.1:7233"
    assert env["ONETHING_KAFKA_BOOTSTRAP"] == "127.0.0.1:19999"
    assert env["ONETHING_LOCAL_KAFKA_PORT"] == "19999"
    assert json.loads(env["ONETHING_DEPARTMENT_URLS"]) == {"tax": "http://tax:8000"}


def test_a_child_reads_back_the_same_settings(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    for key, value in child_environment(settings, base={}).items():
        monkeypatch.setenv(key, value)

    seen = Settings()

    assert seen.home == settings.home
    assert seen.temporal_target == settings.temporal_target
    assert seen.kafka_target == settings.kafka_target
    assert seen.department_url("tax") == settings.department_url("tax")
