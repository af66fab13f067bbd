"""``onething up`` refuses to start, in one line and with exit code 1, when it cannot."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onething.cli import app
from onething.settings import get_settings


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_taken_port_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        result = CliRunner().invoke(
            app,
            ["up"],
            env={"ONETHING_HOME": str(tmp_path), "ONETHING_LOCAL_TEMPORAL_PORT": str(port)},
        )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr == f"error: port {port} (Temporal frontend) on 127.0.0.1 is already in use\n"
    )


def test_a_missing_binary_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))

    result = CliRunner().invoke(
        app, ["up"], env={"ONETHING_HOME": str(tmp_path), "PATH": str(tmp_path)}
    )

    assert result.exit_code == 1
    assert result.stderr.startswith("error: temporal binary not found (")
    assert result.stderr.count("\n") == 1


def test_a_home_others_can_read_is_refused_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)

    result = CliRunner().invoke(app, ["up"], env={"ONETHING_HOME": str(home)})

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {home} is readable by other users (mode 755)")
    assert result.stderr.count("\n") == 1
    assert list(home.iterdir()) == []


def test_a_missing_home_is_created_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "new" / "home"
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))

    CliRunner().invoke(app, ["up"], env={"ONETHING_HOME": str(home), "PATH": str(tmp_path)})

    assert home.stat().st_mode & 0o777 == 0o700
