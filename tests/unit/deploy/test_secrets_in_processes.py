"""Real processes read the secrets init-secrets writes, each from its own folder only.

What the compose cluster does, without Docker: ``python -m onething.crypto.compose_secrets``
writes the volume, then a codec server and a department service start with
``ONETHING_SECRETS_DIR`` at their own folders and nothing secret in their environment.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from onething.crypto.compose_secrets import CODEC_SERVICE, department_service
from onething.settings import SECRETS_DIR_VARIABLE

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ONETHING_ setting, plus ``settings``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}
    return {**kept, "PYTHONPATH": str(ROOT), **settings}


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, "the process exited before it answered"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer in {timeout_s} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets-volume")
    made = subprocess.run(
        [sys.executable, "-m", "onething.crypto.compose_secrets", str(root)],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return root


def secret(volume: Path, service: str, name: str) -> str:
    return (volume / service / name).read_text(encoding="utf-8").strip()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_codec_server_takes_its_keys_and_token_from_its_folder(
    volume: Path, tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    started.append(
        subprocess.Popen(
            [sys.executable, "-m", "onething.crypto.codec_server", "--port", str(port)],
            cwd=ROOT,
            env=clean_environment(
                ONETHING_HOME=str(tmp_path),
                ONETHING_LOCAL_HOST="127.0.0.1",
                ONETHING_CODEC_TRUST_LOCAL_UI="false",
                **{SECRETS_DIR_VARIABLE: str(volume / CODEC_SERVICE)},
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(f"{url}/health", started[0])
    token = secret(volume, CODEC_SERVICE, "ONETHING_CODEC_TOKEN")
    plain = {
        "payloads": [
            {
                "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
                "data": base64.b64encode(json.dumps({"case": "x"}).encode()).decode(),
            }
        ]
    }
    auth = {"Authorization": f"Bearer {token}"}

    encoded = httpx.post(f"{url}/encode", json=plain, headers=auth, timeout=10)
    decoded = httpx.post(f"{url}/decode", json=encoded.json(), headers=auth, timeout=10)
    refused = httpx.post(f"{url}/decode", json=encoded.json(), timeout=10)

    assert encoded.status_code == 200
    assert encoded.json() != plain
    active = secret(volume, CODEC_SERVICE, "ONETHING_PAYLOAD_ACTIVE_KEY")
    assert active.encode() in base64.b64decode(
        encoded.json()["payloads"][0]["metadata"]["encryption-key-id"]
    )
    assert decoded.json() == plain
    assert refused.status_code == 401
    assert not (tmp_path / "keys").exists()


def test_a_department_service_answers_its_own_worker_and_no_other(
    volume: Path, tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    service = department_service("tax")
    started.append(
        subprocess.Popen(
            [sys.executable, "-m", "departments.serve", "--department", "tax", "--port", str(port)],
            cwd=ROOT,
            env=clean_environment(
                ONETHING_HOME=str(tmp_path), **{SECRETS_DIR_VARIABLE: str(volume / service)}
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(f"{url}/health", started[0])
    own = json.loads(secret(volume, "worker-tax", "ONETHING_DEPARTMENT_TOKENS"))["tax"]
    other = json.loads(secret(volume, "worker-police", "ONETHING_DEPARTMENT_TOKENS"))["police"]

    with_own = httpx.get(f"{url}/no-such-path", headers={"Authorization": f"Bearer {own}"})
    with_other = httpx.get(f"{url}/no-such-path", headers={"Authorization": f"Bearer {other}"})

    assert with_own.status_code == 404
    assert with_other.status_code == 401
    assert not (tmp_path / "keys").exists()
