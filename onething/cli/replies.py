"""How every command says no: one line on stderr, in the operator's words, and an exit code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import typer

from onething.cli.console import err_console

#: Exit code of a command given a value it cannot take (as for any other usage error).
USAGE = 2


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print ``error: MESSAGE`` on stderr and end the command with ``code``."""
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def no_case(case_id: str) -> str:
    """What every command says of a case ID that names no case."""
    return f"no case named {case_id}"


def choose(option: str, value: str | None, valid: Iterable[str]) -> None:
    """Refuse ``value`` for ``option`` unless it is one of ``valid`` (None is no filter).

    Raises:
        typer.Exit: with :data:`USAGE`, after naming every valid value.
    """
    choices = list(valid)
    if value is not None and value not in choices:
        fail(f"{option} must be one of {', '.join(choices)}; not {value!r}", code=USAGE)


def unexpected(err: BaseException) -> str:
    """One line for an error no command foresaw, e.g. a server that cannot be reached."""
    text = str(err).strip()
    if isinstance(err, RuntimeError) and text.startswith("Failed client connect"):
        why = "connection refused" if "ConnectionRefused" in text else text.splitlines()[0]
        return f"cannot reach Temporal ({why}); is `onething up` running?"
    if type(err).__name__ == "KafkaConnectionError":
        return "cannot reach Kafka; is `onething up` running?"
    first = text.splitlines()[0] if text else ""
    return first or f"the command stopped on an unexpected {type(err).__name__}"
