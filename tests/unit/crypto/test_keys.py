"""Where payload keys and tokens come from, and that secret files stay owner-only."""

from __future__ import annotations

import base64
import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from onething.constants import DEPARTMENTS
from onething.crypto.keys import (
    load_key_ring,
    local_key_ring,
    local_key_ring_path,
    new_key_ring,
    parse_key_ring,
    rotate_local_key_ring,
)
from onething.crypto.secret_files import SecretConfigError, read_or_create_secret
from onething.crypto.tokens import (
    codec_token,
    codec_token_path,
    department_token,
    department_token_path,
    ensure_local_secrets,
)
from onething.settings import Settings

KEY = base64.b64encode(b"k" * 32).decode()
TOKEN = "t" * 40


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_local_stack_creates_every_secret_owner_only(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)

    ensure_local_secrets(settings)

    files = [
        local_key_ring_path(tmp_path),
        codec_token_path(tmp_path),
        *(department_token_path(tmp_path, d) for d in DEPARTMENTS),
    ]
    assert mode(tmp_path / "keys") == 0o700
    assert {path: mode(path) for path in files} == dict.fromkeys(files, 0o600)
    assert len({department_token(settings, d) for d in DEPARTMENTS}) == len(DEPARTMENTS)


def test_secrets_are_made_once_and_then_reread(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)

    first = (local_key_ring(tmp_path), codec_token(settings), department_token(settings, "tax"))
    again = (local_key_ring(tmp_path), codec_token(settings), department_token(settings, "tax"))

    assert first == again


def test_processes_racing_to_create_a_secret_all_get_the_same_one(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "race.token"
    counter = iter(range(1000))

    with ThreadPoolExecutor(16) as pool:
        got = set(
            pool.map(lambda _: read_or_create_secret(path, lambda: str(next(counter))), range(64))
        )

    assert len(got) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["race.token"]


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    codec_token(settings)
    codec_token_path(tmp_path).chmod(0o644)

    with pytest.raises(SecretConfigError, match="chmod 600"):
        codec_token(settings)


def test_rotation_keeps_every_old_key(tmp_path: Path) -> None:
    before = local_key_ring(tmp_path)

    after = rotate_local_key_ring(tmp_path)

    assert after.active_id != before.active_id
    assert set(before.keys) < set(after.keys)
    assert local_key_ring(tmp_path) == after
    assert mode(local_key_ring_path(tmp_path)) == 0o600


def test_keys_from_settings_are_used_instead_of_the_local_file(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        payload_keys=SecretStr(json.dumps({"2026-01": KEY, "2026-06": KEY})),
        payload_active_key="2026-06",
    )

    ring = load_key_ring(settings)

    assert (ring.active_id, sorted(ring.keys)) == ("2026-06", ["2026-01", "2026-06"])
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ("not json", None, "ONETHING_PAYLOAD_KEYS is not JSON"),
        ("{}", None, "non-empty JSON object"),
        (json.dumps({"a": "***"}), None, "key 'a' is not base64"),
        (json.dumps({"a": base64.b64encode(b"short").decode()}), None, "AES-256 needs 32"),
        (json.dumps({"a": KEY, "b": KEY}), None, "set ONETHING_PAYLOAD_ACTIVE_KEY"),
        (json.dumps({"a": KEY}), "c", "ONETHING_PAYLOAD_ACTIVE_KEY 'c' is not in"),
        (json.dumps({"bad id!": KEY}), None, "must match"),
    ],
)
def test_unusable_keys_are_refused_naming_the_setting_not_the_key(
    keys: str, active: str | None, message: str
) -> None:
    with pytest.raises(SecretConfigError, match=message) as caught:
        parse_key_ring(keys, active, source="ONETHING_PAYLOAD_KEYS")

    assert KEY not in str(caught.value)


def test_the_key_ring_never_shows_its_keys() -> None:
    ring = new_key_ring()

    assert base64.b64encode(ring.keys[ring.active_id]).decode() not in repr(ring)
    assert str(ring.keys[ring.active_id]) not in repr(ring)


def test_tokens_from_settings_are_used_instead_of_files(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        codec_token=SecretStr(TOKEN),
        department_tokens=SecretStr(json.dumps({"police": TOKEN.upper()})),
    )

    assert codec_token(settings) == TOKEN
    assert department_token(settings, "police") == TOKEN.upper()
    with pytest.raises(SecretConfigError, match="no token for tax"):
        department_token(settings, "tax")
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ("[]", "JSON object of strings"),
        ('{"police": "changeme"}', "shorter than 32"),
        (json.dumps({"army": TOKEN}), "unknown departments"),
        ("{", "not JSON"),
    ],
)
def test_unusable_department_tokens_are_refused(tmp_path: Path, tokens: str, message: str) -> None:
    settings = Settings(home=tmp_path, department_tokens=SecretStr(tokens))

    with pytest.raises(SecretConfigError, match=message):
        department_token(settings, "police")
