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


def progress_file(settings: Settings, part: str) -> Path:
    """The file in which a starting part says what it is doing, one line, rewritten each step."""
    return settings.home / "run" / f"{part}.progress"


def report_progress(settings: Settings, part: str, text: str) -> None:
    """Say what the part is doing now, for ``onething up`` to show and to see it is not stuck.

    Args:
        settings: Where the home is.
        part: The part's name, e.g. ``department-police``.
        text: One line without personal data, e.g. ``seeding the police template (2 of 6)``.
    """
    path = progress_file(settings, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(" ".join(text.split()) + "\n")
    partial.replace(path)


def startup_record_file(settings: Settings) -> Path:
    """Where ``onething up`` records, once ready, when each part started and was ready."""
    return settings.home / "run" / "startup.json"
