"""Ready files: how a long-running part tells ``onething up`` that it is serving."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onething.owner_only import private_dir
from onething.settings import Settings


def ready_file(settings: Settings, part: str) -> Path:
    """The file whose presence (holding the part's PID) says that ``part`` is ready."""
    return settings.home / "run" / f"{part}.ready"


@contextmanager
def announce_ready(settings: Settings, part: str) -> Iterator[None]:
    """Write the part's ready file on entry and remove it on exit."""
    path = ready_file(settings, part)
    private_dir(path.parent)
    path.write_text(str(os.getpid()))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
