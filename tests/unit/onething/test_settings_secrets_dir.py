"""Settings read from files in ONETHING_SECRETS_DIR, as compose and Kubernetes hand them over."""

from __future__ import annotations

from pathlib import Path

import pytest

from onething.settings import SECRETS_DIR_VARIABLE, Settings

TOKEN = "t" * 40


def test_a_setting_comes_from_its_file_when_the_environment_leaves_it_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ONETHING_CODEC_TOKEN").write_text(TOKEN + "\n")
    (tmp_path / "ONETHING_DEPARTMENT_TOKENS").write_text(f'{{"tax": "{TOKEN}"}}')
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))

    settings = Settings()

    assert settings.codec_token is not None
    assert settings.codec_token.get_secret_value() == TOKEN
    assert settings.department_tokens is not None
    assert settings.department_tokens.get_secret_value() == f'{{"tax": "{TOKEN}"}}'
    assert settings.secrets_dir == tmp_path
    assert settings.payload_keys is None


def test_the_environment_wins_over_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ONETHING_CODEC_TOKEN").write_text("from the file " + TOKEN)
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("ONETHING_CODEC_TOKEN", TOKEN)

    settings = Settings()

    assert settings.codec_token is not None
    assert settings.codec_token.get_secret_value() == TOKEN


def test_a_secrets_dir_that_is_not_a_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path / "missing"))

    with pytest.raises(ValueError, match=r"ONETHING_SECRETS_DIR .* is not a folder"):
        Settings()


def test_without_a_secrets_dir_no_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ONETHING_CODEC_TOKEN").write_text(TOKEN)
    monkeypatch.delenv(SECRETS_DIR_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)

    assert Settings().codec_token is None
