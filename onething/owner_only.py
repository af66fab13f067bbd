"""Files only their owner reads: everything under ``$ONETHING_HOME`` is 0600 in 0700 folders.

The registries hold every simulated citizen's name, ID number and phone number, and the keys
decrypt every case: no other user of the machine may read them. ``onething up`` sets the
process's umask to :data:`OWNER_ONLY_UMASK` (its children inherit it, and each child sets it
again), creates folders with :data:`PRIVATE_DIR_MODE`, and refuses a home that group or others
can already reach.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

#: New files 0600 and new folders 0700, whatever mode the code that creates them asks for.
OWNER_ONLY_UMASK: Final = 0o077
PRIVATE_DIR_MODE: Final = 0o700
_GROUP_OR_OTHER: Final = stat.S_IRWXG | stat.S_IRWXO


class ExposedHomeError(Exception):
    """``ONETHING_HOME`` is reachable by group or others; the message says how to fix it."""

    def __init__(self, home: Path, mode: int) -> None:
        """Record the home and its mode.

        Args:
            home: The folder.
            mode: Its permission bits.
        """
        self.home = home
        self.mode = mode
        super().__init__(
            f"{home} is readable by other users (mode {mode:o}); it holds citizens' data and "
            f"keys: run chmod -R go-rwx {home}"
        )


def restrict_new_files() -> None:
    """Make every file and folder this process (and its children) creates owner-only."""
    os.umask(OWNER_ONLY_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only if it does not exist; return it."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def claim_private_home(home: Path) -> None:
    """Create ``home`` owner-only, or check that the existing one is.

    Args:
        home: ``ONETHING_HOME``.

    Raises:
        ExposedHomeError: The home exists and group or others have any access to it.
    """
    if not home.exists():
        private_dir(home)
        return
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & _GROUP_OR_OTHER:
        raise ExposedHomeError(home, mode)
