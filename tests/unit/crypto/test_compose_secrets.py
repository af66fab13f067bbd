"""init-secrets: the compose cluster's secrets are made once, and each service gets only its own."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from onething.constants import DEPARTMENTS
from onething.crypto.compose_secrets import (
    ALL_SECRETS_FILE,
    POSTGRES_FOLDER,
    POSTGRES_PASSWORD_FILE,
    ComposeSecrets,
    department_service,
    department_worker,
    main,
    write_compose_secrets,
)
from onething.crypto.secret_files import SecretConfigError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folder(root: Path, service: str) -> dict[str, str]:
    return {path.name: path.read_text().strip() for path in (root / service).iterdir()}


def test_a_second_run_keeps_every_secret(tmp_path: Path) -> None:
    first = write_compose_secrets(tmp_path)
    files_before = {service: folder(tmp_path, service) for service in first.service_settings()}

    second = write_compose_secrets(tmp_path)

    assert second == first
    assert {service: folder(tmp_path, service) for service in second.service_settings()} == (
        files_before
    )


def test_two_clusters_get_different_secrets(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()

    one = write_compose_secrets(tmp_path / "one")
    other = write_compose_secrets(tmp_path / "two")

    assert one.ring.keys != other.ring.keys
    assert one.codec_token != other.codec_token
    assert one.postgres_password != other.postgres_password


def test_secret_files_are_the_owners_only_but_postgres_can_read_its_password(
    tmp_path: Path,
) -> None:
    made = write_compose_secrets(tmp_path)

    assert mode(tmp_path / ALL_SECRETS_FILE) == 0o600
    for service in made.service_settings():
        assert mode(tmp_path / service) == 0o700, service
        for path in (tmp_path / service).iterdir():
            assert mode(path) == 0o600, path
    assert mode(tmp_path / POSTGRES_FOLDER) == 0o755
    assert mode(tmp_path / POSTGRES_FOLDER / POSTGRES_PASSWORD_FILE) == 0o644
    assert folder(tmp_path, POSTGRES_FOLDER) == {POSTGRES_PASSWORD_FILE: made.postgres_password}


def test_each_department_service_and_worker_holds_only_its_own_token(tmp_path: Path) -> None:
    made = write_compose_secrets(tmp_path)

    for department in DEPARTMENTS:
        own = {department: made.department_tokens[department]}
        service = folder(tmp_path, department_service(department))
        worker = folder(tmp_path, department_worker(department))
        assert json.loads(service["ONETHING_DEPARTMENT_TOKENS"]) == own
        assert json.loads(worker["ONETHING_DEPARTMENT_TOKENS"]) == own
        assert "ONETHING_PAYLOAD_KEYS" not in service
        assert "ONETHING_CASE_SCOPE_KEY" not in worker
    assert sorted(folder(tmp_path, "worker-orchestrator")) == [
        "ONETHING_PAYLOAD_ACTIVE_KEY",
        "ONETHING_PAYLOAD_KEYS",
    ]


def test_a_file_no_longer_needed_is_removed_and_a_new_department_gets_a_token(
    tmp_path: Path,
) -> None:
    made = write_compose_secrets(tmp_path)
    stale = tmp_path / "bridge" / "ONETHING_CODEC_TOKEN"
    stale.write_text("left over from an older layout")
    document = json.loads((tmp_path / ALL_SECRETS_FILE).read_text())
    del document["department_tokens"]["tax"]
    (tmp_path / ALL_SECRETS_FILE).write_text(json.dumps(document))

    again = write_compose_secrets(tmp_path)

    assert not stale.exists()
    assert again.ring == made.ring
    assert again.department_tokens["police"] == made.department_tokens["police"]
    assert len(again.department_tokens["tax"]) >= 32
    assert again.department_tokens["tax"] != made.department_tokens["tax"]
    assert write_compose_secrets(tmp_path) == again


def test_a_malformed_or_exposed_secrets_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ALL_SECRETS_FILE).write_text("{}")
    (tmp_path / ALL_SECRETS_FILE).chmod(0o600)

    with pytest.raises(SecretConfigError, match="not a compose secrets file"):
        write_compose_secrets(tmp_path)

    (tmp_path / ALL_SECRETS_FILE).write_text(ComposeSecrets.new().to_json())
    (tmp_path / ALL_SECRETS_FILE).chmod(0o644)
    assert main([str(tmp_path)]) == 1


def test_the_command_needs_an_existing_folder(tmp_path: Path) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "codec-server" / "ONETHING_CODEC_TOKEN").is_file()
