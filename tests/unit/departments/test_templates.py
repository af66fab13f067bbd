"""Template databases: built once per generator, seed, size and tables; copied into homes."""

from __future__ import annotations

import sqlite3
import stat
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from departments import police, tax
from departments.app import SERVICES
from departments.service import PopulationSource, open_store
from departments.templates import (
    TemplateCache,
    TemplateSpec,
    cache_root,
    copy_database,
    generator_sources,
    template_key,
)
from onething.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _spec(tmp_path: Path, department: str = "tax", *, stamp: str = "s1") -> TemplateSpec:
    code = tmp_path / f"{department}_seeder.py"
    if not code.exists():
        code.write_text("# seeder\n")

    def seeder(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS people (name TEXT)")
        conn.execute("INSERT INTO people VALUES ('someone')")

    return TemplateSpec(department=department, stamp=stamp, schema="", seeder=seeder, code=code)


def test_the_generator_is_found_by_its_imports() -> None:
    names = {path.name for path in generator_sources()}

    assert {"population.py", "jinhua.py", "identifiers.py"} <= names
    assert "police.py" not in names, "department modules are not part of the generator"


def test_the_key_changes_with_the_stamp_and_the_seeding_code(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    key = template_key([spec])

    assert template_key([spec]) == key
    assert template_key([replace(spec, stamp="s2")]) != key
    spec.code.write_text("# seeder, changed\n")
    assert template_key([spec]) != key


def test_the_cache_folder_follows_the_settings_then_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    assert cache_root(Settings(cache_dir=tmp_path / "mine")) == tmp_path / "mine" / "templates"
    assert cache_root(Settings()) == tmp_path / "xdg" / "onething" / "templates"


def test_a_set_is_built_once_and_private(tmp_path: Path) -> None:
    cache = TemplateCache(tmp_path / "cache")
    said: list[str] = []
    spec = _spec(tmp_path)

    folder = cache.ensure([spec], progress=said.append)
    built = (folder / "tax.db").stat().st_mtime_ns
    again = cache.ensure([spec], progress=said.append)

    assert again == folder
    assert (folder / "tax.db").stat().st_mtime_ns == built
    assert said == ["seeding the tax template (1 of 1)", "template databases built"]
    assert _mode(folder / "tax.db") == 0o600
    assert _mode(cache.root) == 0o700
    assert sorted(path.name for path in cache.root.iterdir()) == [
        folder.name,
        f"{folder.name}.lock",
    ]
    with sqlite3.connect(folder / "tax.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT value FROM meta WHERE key = 'population'").fetchone() == ("s1",)


def test_a_second_process_waits_for_the_first_to_build(tmp_path: Path) -> None:
    cache = TemplateCache(tmp_path / "cache")
    building = threading.Event()
    finish = threading.Event()
    spec = _spec(tmp_path)
    slow_seeder = spec.seeder

    def slow(conn: sqlite3.Connection) -> None:
        building.set()
        finish.wait(10)
        slow_seeder(conn)

    folders: list[Path] = []
    builder = threading.Thread(
        target=lambda: folders.append(
            cache.ensure([replace(spec, seeder=slow)], progress=lambda _: None)
        )
    )
    builder.start()
    assert building.wait(10)
    waited: list[str] = []

    def wait_and_release(text: str) -> None:
        waited.append(text)
        finish.set()

    folders.append(cache.ensure([spec], progress=wait_and_release))
    builder.join(10)

    assert folders[0] == folders[1]
    assert waited[0] == (
        "waiting for another process building the templates: seeding the tax template (1 of 1)"
    )
    with sqlite3.connect(folders[0] / "tax.db") as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (1,)


def test_old_sets_are_pruned(tmp_path: Path) -> None:
    cache = TemplateCache(tmp_path / "cache")
    folders = [
        cache.ensure([_spec(tmp_path, stamp=f"s{n}")], progress=lambda _: None) for n in range(6)
    ]

    kept = sorted(path for path in cache.root.iterdir() if path.is_dir())

    assert folders[-1] in kept
    assert len(kept) == 4


def test_a_copy_is_private_and_replaces_what_was_there(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"new content")
    home_db = tmp_path / "home" / "departments" / "tax.db"
    home_db.parent.mkdir(parents=True)
    home_db.write_bytes(b"old")
    (home_db.parent / "tax.db-wal").write_bytes(b"old wal")

    copy_database(template, home_db)

    assert home_db.read_bytes() == b"new content"
    assert _mode(home_db) == 0o600
    assert sorted(path.name for path in home_db.parent.iterdir()) == ["tax.db"]


def test_a_fresh_home_is_copied_and_a_used_one_kept(settings: Settings) -> None:
    store, filled = open_store(police.SERVICE, settings, services=SERVICES)
    with store.transaction() as conn:
        conn.execute("INSERT INTO counters (prefix, last) VALUES ('kept', 7)")
        persons = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
    store.close()
    path = settings.department_db("police")

    again, refilled = open_store(police.SERVICE, settings, services=SERVICES)
    with again.transaction() as conn:
        kept = conn.execute("SELECT last FROM counters WHERE prefix = 'kept'").fetchone()
    again.close()

    assert (filled, refilled) == (True, False)
    assert persons == 4 * settings.population_families
    assert kept[0] == 7
    assert _mode(path) == 0o600
    source = PopulationSource(settings.population_families)
    templates = cache_root(settings) / template_key(
        [SERVICES[name].template(source) for name in sorted(SERVICES)]
    )
    assert sorted(path.name for path in templates.iterdir()) == sorted(
        f"{name}.db" for name in SERVICES
    )


def test_a_home_of_another_population_is_copied_afresh(settings: Settings) -> None:
    store, _ = open_store(tax.SERVICE, settings)
    store.close()
    bigger = settings.model_copy(update={"population_families": settings.population_families + 1})

    store, filled = open_store(tax.SERVICE, bigger)
    stamp = store.stamp()
    store.close()

    assert filled is True
    assert stamp == tax.SERVICE.stamp(PopulationSource(bigger.population_families))


def test_an_unusable_cache_builds_the_templates_in_the_home(settings: Settings) -> None:
    blocked = settings.home / "not-a-folder"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("")
    said: list[str] = []

    store, filled = open_store(
        tax.SERVICE,
        settings.model_copy(update={"cache_dir": blocked}),
        progress=said.append,
    )
    store.close()

    assert filled is True
    assert any(text.startswith("template cache unusable (") for text in said)
    assert (settings.home / "departments" / "templates").is_dir()
