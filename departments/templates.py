"""Template databases: every department's seeded database, built once per population and copied.

Seeding 12,000 families into six databases takes seconds of CPU; copying the result takes a
blink. A template set is built once for each version of the population generator, seed, size and
table layout, kept in a cache outside every home (``ONETHING_CACHE_DIR``, else
``$XDG_CACHE_HOME/onething``, else ``~/.cache/onething``), and copied into each new home.

Several department processes start at once: the first takes the key's lock and builds the whole
set, the others wait for it and say so. A set appears under its key only once it is complete.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Final

from departments.store import Seeder, Store, remove_database
from onething.settings import Settings

#: Receives one line about what is being done, e.g. ``seeding the police template (2 of 6)``.
Progress = Callable[[str], None]

#: The modules whose source, with every ``departments`` module they import, makes the population.
GENERATOR_MODULES: Final = ("departments.population", "onething.identifiers")
#: Imports are followed into this package only: the generator's own helpers live there.
_FOLLOWED_PACKAGE: Final = "departments"
#: Template sets kept besides the one in use; older ones are removed after a new build.
_KEEP: Final = 3
_POLL_S: Final = 0.1


@dataclass(frozen=True)
class TemplateSpec:
    """One department's template: how to fill it and what identifies its content.

    Attributes:
        department: Its name; the file is ``<department>.db``.
        stamp: What the database holds (population and tables), recorded inside it.
        schema: The department's own tables.
        seeder: Inserts the department's share of the population.
        code: The module whose seeder fills it: a change to it builds the template again.
    """

    department: str
    stamp: str
    schema: str
    seeder: Seeder
    code: Path


def cache_root(settings: Settings) -> Path:
    """The folder of template sets: ``<cache>/templates``.

    Args:
        settings: ``cache_dir`` when set.

    Returns:
        The folder (not created here).
    """
    if settings.cache_dir is not None:
        base = settings.cache_dir
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "onething"
    else:
        base = Path.home() / ".cache" / "onething"
    return base.expanduser().resolve() / "templates"


def generator_sources() -> list[Path]:
    """The source files of the population generator, found by following its imports.

    Every ``departments`` module that :data:`GENERATOR_MODULES` import, directly or not, counts:
    a helper added to the generator is covered without being listed here.

    Returns:
        The files, sorted.
    """
    seen: dict[str, Path] = {}
    pending = list(GENERATOR_MODULES)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        origin = _origin(name)
        if origin is None:
            continue
        seen[name] = origin
        pending.extend(_imports(origin))
    return sorted(seen.values())


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """Identifies the population generator: its sources and the Faker version feeding it.

    Computed once per process: a running process builds with the code it has loaded.

    Returns:
        16 hex digits that change whenever a generator source file changes.
    """
    digest = hashlib.sha256(version("faker").encode())
    for path in generator_sources():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_key(specs: Iterable[TemplateSpec]) -> str:
    """The name of the template set for ``specs``: their stamps and the code that fills them.

    Args:
        specs: The departments of the set.

    Returns:
        24 hex digits.
    """
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for spec in sorted(specs, key=lambda s: s.department):
        digest.update(f"{spec.department}\n{spec.stamp}\n".encode())
        digest.update(spec.code.read_bytes())
    return digest.hexdigest()[:24]


class TemplateCache:
    """The template sets under one folder.

    Args:
        root: The folder (see :func:`cache_root`); created on first build, readable only by
            its owner.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure(self, specs: Sequence[TemplateSpec], *, progress: Progress) -> Path:
        """The folder of the complete template set for ``specs``, built first if missing.

        Args:
            specs: The departments of the set.
            progress: Receives what is being done (building, or waiting for another process).

        Returns:
            The folder holding ``<department>.db`` for each spec.
        """
        key = template_key(specs)
        ready = self.root / key
        if ready.is_dir():
            _touch(ready)
            return ready
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        shared = self.root / f"{key}.progress"
        relay = _Relay(shared, progress)
        with _exclusive(self.root / f"{key}.lock", waiting=relay):
            if not ready.is_dir():
                self._build(specs, ready, shared=shared, progress=progress)
        _touch(ready)
        return ready

    def _build(
        self, specs: Sequence[TemplateSpec], ready: Path, *, shared: Path, progress: Progress
    ) -> None:
        def report(text: str) -> None:
            progress(text)
            _write_private(shared, text + "\n")

        partial = ready.with_name(f"{ready.name}.partial-{os.getpid()}")
        for stale in self.root.glob(f"{ready.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        partial.mkdir(mode=0o700)
        try:
            for index, spec in enumerate(specs, 1):
                report(f"seeding the {spec.department} template ({index} of {len(specs)})")
                build_template(spec, partial / f"{spec.department}.db")
            os.replace(partial, ready)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
            shared.unlink(missing_ok=True)
        progress("template databases built")
        self._prune(keep=ready)

    def _prune(self, *, keep: Path) -> None:
        """Remove all but the most recently used sets, so old generators do not fill the disk."""
        sets = sorted(
            (path for path in self.root.iterdir() if path.is_dir() and "." not in path.name),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for old in [path for path in sets if path != keep][_KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
            (self.root / f"{old.name}.lock").unlink(missing_ok=True)


def build_template(spec: TemplateSpec, path: Path) -> None:
    """Seed one department's template into ``path``: a single file, no write-ahead log.

    Args:
        spec: The department.
        path: The new file, created readable only by its owner.
    """
    _write_private(path, "")
    store = Store(path)
    try:
        store.apply_schema(spec.schema)
        store.seed(spec.stamp, spec.seeder)
    finally:
        store.close_as_single_file()


def copy_database(template: Path, path: Path) -> None:
    """Copy a template into a home as the department's database, readable only by its owner.

    Args:
        template: The template file.
        path: The database to create; an existing one (and its WAL files) is replaced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_database(path)
    partial = path.with_name(f"{path.name}.copying")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as target, template.open("rb") as source:
        shutil.copyfileobj(source, target, 1 << 20)
    partial.replace(path)


@contextlib.contextmanager
def _exclusive(lock_path: Path, *, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the lock file exclusively; call ``waiting`` while another process holds it."""
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waiting()
                time.sleep(_POLL_S)
        yield
    finally:
        os.close(descriptor)


class _Relay:
    """Passes on what the building process says it is doing, each new line once."""

    def __init__(self, shared: Path, progress: Progress) -> None:
        self._shared = shared
        self._progress = progress
        self._last: str | None = None

    def __call__(self) -> None:
        try:
            doing = self._shared.read_text().strip() or "starting"
        except FileNotFoundError:
            doing = "starting"
        if doing != self._last:
            self._last = doing
            self._progress(f"waiting for another process building the templates: {doing}")


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)


def _origin(module: str) -> Path | None:
    """The source file of a module, or None if it is not a plain module of this project."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _imports(source: Path) -> list[str]:
    """The modules of the followed package that ``source`` imports."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source.read_bytes())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [
        name
        for name in found
        if name == _FOLLOWED_PACKAGE or name.startswith(f"{_FOLLOWED_PACKAGE}.")
    ]
