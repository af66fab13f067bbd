"""The secrets of the docker compose cluster, made by its one-shot ``init-secrets`` service.

``python -m onething.crypto.compose_secrets /secrets`` keeps every secret in one owner-only
file, ``/secrets/all.json``, made on the first run and never replaced, so a restarted cluster
still decrypts its cases. On every run it then writes one folder per compose service holding
only the settings that service needs, one file per setting named like its variable; the
service mounts its folder (a volume ``subpath``) and reads it through ``ONETHING_SECRETS_DIR``.
``postgres/password`` is PostgreSQL's password, for the database and Temporal's SQL clients.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from onething.constants import DEPARTMENTS, Department
from onething.crypto.keys import KeyRing, new_key_ring, parse_key_ring
from onething.crypto.secret_files import (
    SecretConfigError,
    new_token,
    read_or_create_secret,
    replace_secret,
)

ALL_SECRETS_FILE: Final = "all.json"
POSTGRES_FOLDER: Final = "postgres"
POSTGRES_PASSWORD_FILE: Final = "password"  # noqa: S105 - a file name, not a secret
ORCHESTRATOR_SERVICE: Final = "worker-orchestrator"
BRIDGE_SERVICE: Final = "bridge"
CODEC_SERVICE: Final = "codec-server"
WORKBENCH_SERVICE: Final = "workbench"

log = logging.getLogger("onething.compose_secrets")


def dashed(department: Department) -> str:
    """A department as compose service names spell it: ``social_security`` → ``social-security``."""
    return department.replace("_", "-")


def department_service(department: Department) -> str:
    """The compose service of a department's simulated system, e.g. ``dept-tax``."""
    return f"dept-{dashed(department)}"


def department_worker(department: Department) -> str:
    """The compose service of a department's activity worker, e.g. ``worker-tax``."""
    return f"worker-{dashed(department)}"


@dataclass(frozen=True)
class ComposeSecrets:
    """Every secret of one compose cluster.

    Attributes:
        ring: The payload keys.
        department_tokens: Each department's service token.
        case_scope_key: Signs case scopes (the bridge) and checks them (department services).
        codec_token: The codec server's bearer token.
        postgres_password: PostgreSQL's password for the ``temporal`` user.
    """

    ring: KeyRing
    department_tokens: Mapping[str, str]
    case_scope_key: str
    codec_token: str
    postgres_password: str

    @classmethod
    def new(cls) -> ComposeSecrets:
        """Fresh random secrets."""
        return cls(
            ring=new_key_ring(),
            department_tokens={department: new_token() for department in DEPARTMENTS},
            case_scope_key=new_token(),
            codec_token=new_token(),
            postgres_password=secrets.token_hex(24),
        )

    def to_json(self) -> str:
        """The secrets as ``all.json`` holds them (secret material)."""
        return json.dumps(
            {
                "payload_keys": self.ring.encoded_keys(),
                "payload_active_key": self.ring.active_id,
                "department_tokens": dict(self.department_tokens),
                "case_scope_key": self.case_scope_key,
                "codec_token": self.codec_token,
                "postgres_password": self.postgres_password,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str) -> ComposeSecrets:
        """The secrets in ``all.json``, with a token made for any department added since.

        Raises:
            SecretConfigError: The file is not what :meth:`to_json` writes.
        """
        try:
            document = json.loads(text)
            ring = parse_key_ring(
                json.dumps(document["payload_keys"]),
                document["payload_active_key"],
                source=source,
            )
            tokens = {str(d): str(t) for d, t in document["department_tokens"].items()}
            return cls(
                ring=ring,
                department_tokens={d: tokens.get(d) or new_token() for d in DEPARTMENTS},
                case_scope_key=str(document["case_scope_key"]),
                codec_token=str(document["codec_token"]),
                postgres_password=str(document["postgres_password"]),
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise SecretConfigError(f"{source} is not a compose secrets file") from None

    def service_settings(self) -> dict[str, dict[str, str]]:
        """Each compose service's secret settings: variable name → value.

        A department service gets its own token and the scope key; a department worker the
        payload keys and its department's token; the orchestrator the payload keys; the
        bridge the payload keys and the scope key; the codec server the keys and its token; the
        workbench the payload keys and every department's token.
        """
        payload = {
            "ONETHING_PAYLOAD_KEYS": json.dumps(self.ring.encoded_keys()),
            "ONETHING_PAYLOAD_ACTIVE_KEY": self.ring.active_id,
        }
        scope = {"ONETHING_CASE_SCOPE_KEY": self.case_scope_key}
        services = {
            ORCHESTRATOR_SERVICE: payload,
            BRIDGE_SERVICE: payload | scope,
            CODEC_SERVICE: payload | {"ONETHING_CODEC_TOKEN": self.codec_token},
            # It shows each department's officers what their verifications ask.
            WORKBENCH_SERVICE: payload
            | {"ONETHING_DEPARTMENT_TOKENS": json.dumps(self.department_tokens)},
        }
        for department in DEPARTMENTS:
            token = {
                "ONETHING_DEPARTMENT_TOKENS": json.dumps(
                    {department: self.department_tokens[department]}
                )
            }
            services[department_service(department)] = token | scope
            services[department_worker(department)] = payload | token
        return services


def load_or_create(root: Path) -> ComposeSecrets:
    """The cluster's secrets from ``<root>/all.json``, made there first if absent.

    Raises:
        SecretConfigError: The file is exposed or malformed.
    """
    path = root / ALL_SECRETS_FILE
    text = read_or_create_secret(path, lambda: ComposeSecrets.new().to_json())
    found = ComposeSecrets.from_json(text, source=str(path))
    if found.to_json() != text:
        replace_secret(path, found.to_json())
    return found


def write_compose_secrets(root: Path) -> ComposeSecrets:
    """Make the secrets if absent and write every service's folder under ``root``.

    Args:
        root: The secrets volume.

    Returns:
        The secrets written.
    """
    found = load_or_create(root)
    for service, settings in found.service_settings().items():
        _write_folder(root / service, settings)
    postgres = root / POSTGRES_FOLDER
    _write_folder(postgres, {POSTGRES_PASSWORD_FILE: found.postgres_password})
    # PostgreSQL and Temporal run as their images' own users: readable by them, and
    # mounted into those three containers only.
    postgres.chmod(0o755)
    (postgres / POSTGRES_PASSWORD_FILE).chmod(0o644)
    return found


def _write_folder(folder: Path, files: Mapping[str, str]) -> None:
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    for name, value in files.items():
        replace_secret(folder / name, value)
    for stale in folder.iterdir():
        if stale.name not in files:
            stale.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the compose secrets into a folder.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m onething.crypto.compose_secrets")
    parser.add_argument("root", type=Path, help="the secrets volume, e.g. /secrets")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="init-secrets %(levelname)s: %(message)s")
    if not args.root.is_dir():
        log.error("%s is not a folder", args.root)
        return 2
    os.umask(0o077)
    try:
        found = write_compose_secrets(args.root)
    except SecretConfigError as error:
        log.error("%s", error)
        return 1
    log.info(
        "secrets ready for %d services; payload key %s encrypts",
        len(found.service_settings()),
        found.ring.active_id,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
