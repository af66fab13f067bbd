"""Everything under the home is created owner-only, and an exposed home is named."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from onething.owner_only import (
    ExposedHomeError,
    claim_private_home,
    private_dir,
    restrict_new_files,
)


@pytest.fixture
def restored_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_and_folders_are_owner_only(tmp_path: Path, restored_umask: None) -> None:
    restrict_new_files()

    folder = private_dir(tmp_path / "a" / "b")
    (folder / "registry.db").write_text("x")

    assert _mode(tmp_path / "a") == 0o700
    assert _mode(folder) == 0o700
    assert _mode(folder / "registry.db") == 0o600


def test_a_home_group_can_enter_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o750)

    with pytest.raises(ExposedHomeError, match=r"mode 750.*chmod -R go-rwx"):
        claim_private_home(home)


def test_an_owner_only_home_is_accepted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)

    claim_private_home(home)
    claim_private_home(tmp_path / "fresh")

    assert _mode(tmp_path / "fresh") == 0o700
