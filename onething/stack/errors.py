"""Why the local stack could not start: each error reads as one line for the operator."""

from __future__ import annotations

from pathlib import Path


class StackError(Exception):
    """The local stack could not start or keep a part running.

    ``str(error)`` is a single line fit to print after ``error:``.
    """


class PortInUseError(StackError):
    """A port the stack would bind is already taken."""

    def __init__(self, *, host: str, port: int, label: str) -> None:
        """Record which port is taken.

        Args:
            host: The address the port was probed on.
            port: The port number.
            label: What the stack would have served there, e.g. ``Temporal frontend``.
        """
        self.host = host
        self.port = port
        self.label = label
        super().__init__(f"port {port} ({label}) on {host} is already in use")


class PortConflictError(StackError):
    """Two parts are configured to listen on the same port."""

    def __init__(self, *, port: int, first: str, second: str) -> None:
        """Record the port and the two parts that want it.

        Args:
            port: The port number configured twice.
            first: The label of the first part that wants it.
            second: The label of the second part that wants it.
        """
        self.port = port
        self.first = first
        self.second = second
        super().__init__(f"port {port} is configured for both {first} and {second}")


class BinaryNotFoundError(StackError):
    """An executable the stack needs is not installed."""

    def __init__(self, *, name: str, hint: str) -> None:
        """Record which executable is missing.

        Args:
            name: The executable, e.g. ``temporal``.
            hint: Where it was looked for or how to install it.
        """
        self.name = name
        self.hint = hint
        super().__init__(f"{name} binary not found ({hint})")


class PartFailedError(StackError):
    """A part did not become healthy, exited while starting, or could not be set up."""

    def __init__(self, *, part: str, reason: str, log_path: Path | None = None) -> None:
        """Record which part failed and where its output went.

        Args:
            part: The part's name, e.g. ``temporal`` or ``department-health``.
            reason: What went wrong, without the part's name.
            log_path: The part's log file, when the stack started the part itself.
        """
        self.part = part
        self.reason = reason
        self.log_path = log_path
        where = f"; see {log_path}" if log_path is not None else ""
        super().__init__(f"{part} {reason}{where}")
