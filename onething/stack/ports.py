"""Checks that the ports the stack will listen on are free before anything starts."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass

from onething.stack.errors import PortConflictError, PortInUseError


@dataclass(frozen=True)
class Port:
    """A port a part of the stack listens on.

    Attributes:
        number: The TCP port.
        label: What is served there, for error messages, e.g. ``Temporal frontend``.
    """

    number: int
    label: str


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could bind ``host:port`` right now.

    Args:
        host: The address to bind.
        port: The TCP port.

    Returns:
        ``True`` if the bind succeeded.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # Servers set SO_REUSEADDR, so a port held only by TIME_WAIT connections is free to them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_ports_free(host: str, ports: Iterable[Port]) -> None:
    """Fail on the first port that is configured twice or already taken.

    Args:
        host: The address the stack binds.
        ports: Every port the stack will listen on, in the order to report them.

    Raises:
        PortConflictError: Two parts are configured for the same port.
        PortInUseError: A port is already taken.
    """
    wanted: dict[int, str] = {}
    for port in ports:
        if port.number in wanted:
            raise PortConflictError(port=port.number, first=wanted[port.number], second=port.label)
        wanted[port.number] = port.label
    for number, label in wanted.items():
        if not port_is_free(host, number):
            raise PortInUseError(host=host, port=number, label=label)
