"""The start-up bench: what it runs ``onething up`` with, and how it sums up the three starts."""

from __future__ import annotations

from pathlib import Path

from onething.bench.stack import bench_settings
from onething.bench.startup import _up_environment
from onething.settings import Settings


def test_onething_up_is_not_told_to_use_existing_servers(tmp_path: Path) -> None:
    settings = bench_settings(Settings(), tmp_path / "home").model_copy(
        update={"cache_dir": tmp_path / "cache"}
    )

    env = _up_environment(settings, base={"PATH": "/bin", "ONETHING_TEMPORAL_ADDRESS": "x:1"})

    assert "ONETHING_TEMPORAL_ADDRESS" not in env
    assert "ONETHING_KAFKA_BOOTSTRAP" not in env
    assert env["ONETHING_HOME"] == str(tmp_path / "home")
    assert env["ONETHING_CACHE_DIR"] == str(tmp_path / "cache")
    assert env["ONETHING_LOCAL_TEMPORAL_PORT"] == str(settings.local_temporal_port)
    assert env["PATH"] == "/bin"
