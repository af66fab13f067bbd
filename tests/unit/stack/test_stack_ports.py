"""Ports are checked before anything starts, and a taken one is reported in one line."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from onething.stack.errors import PortConflictError, PortInUseError
from onething.stack.ports import Port, check_ports_free, port_is_free

HOST = "127.0.0.1"


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        yield listener.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_listening_port_is_not_free(taken_port: int) -> None:
    assert not port_is_free(HOST, taken_port)
    assert port_is_free(HOST, _free_port())


def test_a_taken_port_gives_a_one_line_error(taken_port: int) -> None:
    ports = [Port(_free_port(), "Temporal Web UI"), Port(taken_port, "Temporal frontend")]

    with pytest.raises(PortInUseError) as caught:
        check_ports_free(HOST, ports)

    assert str(caught.value) == f"port {taken_port} (Temporal frontend) on {HOST} is already in use"
    assert caught.value.port == taken_port


def test_the_same_port_configured_twice_is_refused() -> None:
    port = _free_port()

    with pytest.raises(PortConflictError, match=f"port {port} is configured for both A and B"):
        check_ports_free(HOST, [Port(port, "A"), Port(port, "B")])


def test_free_ports_pass() -> None:
    check_ports_free(HOST, [Port(_free_port(), "A"), Port(_free_port(), "B")])
