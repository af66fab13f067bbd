"""The bench's own stack: fresh home, free ports, nothing external, K workers of each kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from onething.bench.stack import baseline_stage, bench_settings, bench_stages, free_port_block
from onething.constants import DEPARTMENTS
from onething.settings import Settings
from onething.stack.ports import port_is_free


@pytest.fixture
def user_settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "user-home",
        temporal_address="temporal.example:7233",
        kafka_bootstrap="kafka.example:9092",
        department_urls={"tax": "http://tax.example"},
        department_rate_limits={"tax": 5.0},
    )


def test_the_bench_starts_everything_itself_on_free_ports(
    user_settings: Settings, tmp_path: Path
) -> None:
    settings = bench_settings(user_settings, tmp_path / "bench-home")

    assert settings.home == (tmp_path / "bench-home").resolve()
    assert (settings.temporal_address, settings.kafka_bootstrap) == (None, None)
    assert settings.department_urls == {}
    assert settings.department_rate_limits == {}
    ports = [
        settings.local_temporal_port,
        settings.local_ui_port,
        settings.local_kafka_port,
        *(settings.department_port(d) for d in DEPARTMENTS),
    ]
    assert len(set(ports)) == len(ports)
    assert all(port_is_free(settings.local_host, port) for port in ports)


def test_a_port_block_is_consecutive_and_not_handed_out_twice() -> None:
    taken: set[int] = set()

    first = free_port_block("127.0.0.1", 6, taken=taken)
    second = free_port_block("127.0.0.1", 6, taken=taken)

    assert set(range(first, first + 6)) | set(range(second, second + 6)) == taken
    assert len(taken) == 12


def test_the_stages_run_k_workers_of_each_kind(user_settings: Settings, tmp_path: Path) -> None:
    settings = bench_settings(user_settings, tmp_path / "bench-home")

    stages = bench_stages(settings, 2)

    names = [part.name for stage in stages for part in stage]
    for kind in ("worker-orchestrator", "worker-departments"):
        assert kind not in names
        assert [n for n in names if n.startswith(kind)] == [f"{kind}-1", f"{kind}-2"]
    assert {"temporal", "broker", "bridge"} <= set(names)
    assert {f"department-{d}" for d in DEPARTMENTS} <= set(names)
    worker = next(p for stage in stages for p in stage if p.name == "worker-orchestrator-2")
    assert worker.argv[-2:] == ("--part", "worker-orchestrator-2")


def test_one_worker_of_each_kind_keeps_the_names_of_onething_up(
    user_settings: Settings, tmp_path: Path
) -> None:
    settings = bench_settings(user_settings, tmp_path / "bench-home")

    names = {part.name for stage in bench_stages(settings, 1) for part in stage}

    assert {"worker-orchestrator", "worker-departments"} <= names


def test_the_baseline_runs_k_workers_of_each_role(user_settings: Settings, tmp_path: Path) -> None:
    settings = bench_settings(user_settings, tmp_path / "bench-home")

    names = [part.name for part in baseline_stage(settings, 2)]

    assert names == [
        "baseline-workflows-1",
        "baseline-workflows-2",
        "baseline-steps-1",
        "baseline-steps-2",
    ]
