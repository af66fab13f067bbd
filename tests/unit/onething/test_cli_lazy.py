"""``onething`` imports a command's module only when that command runs."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import typer.main

import onething.cli
from onething.cli import app
from onething.cli.lazy import COMMANDS

#: Modules a light command must not pay for: the Temporal SDK, Kafka, the web stack, Faker.
HEAVY = ("temporalio", "aiokafka", "fastapi", "faker")


def _imported(*args: str, home: Path) -> set[str]:
    """The modules ``onething ARGS`` imports, by ``python -X importtime``."""
    env = {**os.environ, "ONETHING_HOME": str(home), "ONETHING_POPULATION_FAMILIES": "300"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "onething.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_the_table_of_commands_names_every_command_its_module_and_summary() -> None:
    for module in pkgutil.iter_modules(onething.cli.__path__):
        if module.name == "__main__":
            continue
        importlib.import_module(f"onething.cli.{module.name}")
    group = typer.main.get_group(app)

    assert set(group.commands) == set(COMMANDS)
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        assert COMMANDS[name].module == info.callback.__module__
        assert COMMANDS[name].summary == (inspect.getdoc(info.callback) or "").splitlines()[0]
    for group_info in app.registered_groups:
        assert group_info.typer_instance is not None
        assert group_info.name is not None
        assert COMMANDS[group_info.name].summary == group_info.typer_instance.info.help


def test_help_lists_every_command_without_importing_any(tmp_path: Path) -> None:
    env = {**os.environ, "ONETHING_HOME": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-m", "onething.cli", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    modules = _imported("--help", home=tmp_path)

    assert shown.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in shown.stdout
    assert not {m for m in modules if m.startswith("onething.cli.") and m != "onething.cli.lazy"}
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


def test_light_commands_and_their_help_import_neither_temporal_nor_kafka(tmp_path: Path) -> None:
    _imported("sample-event", "newborn", "--seed", "1", home=tmp_path)  # builds the cache

    for command in (
        ("sample-event", "death", "--seed", "2"),
        ("catalogue",),
        ("cases", "--help"),
        ("case", "--help"),
        ("answer", "--help"),
    ):
        modules = _imported(*command, home=tmp_path)
        assert not {m for m in modules if m.split(".")[0] in HEAVY}, command


def test_an_unknown_command_is_answered_with_the_closest_ones(tmp_path: Path) -> None:
    env = {**os.environ, "ONETHING_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "onething.cli", "cse"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    assert "Did you mean case, cases?" in done.stderr
