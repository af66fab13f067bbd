"""The ``onething`` command line: one module per group of commands, imported when used."""

from __future__ import annotations

import logging
import os
import sys

import typer

from onething.cli.lazy import LazyCommands

app = typer.Typer(
    name="onething",
    help="Event-driven orchestrator for government 'one thing' life-event bundles.",
    cls=LazyCommands,
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Event-driven orchestrator for government 'one thing' life-event bundles."""


def main() -> None:
    """The ``onething`` command: run it, then leave without finalizing the interpreter.

    The Temporal SDK's native threads can crash Python while it finalizes (SIGSEGV or a fatal
    GIL error), turning a command that did its work into a failed one. By then every command has
    finished and flushed what it owes, so the process exits directly with the command's code.

    An error no command foresaw is one line on stderr, not a traceback, unless
    ``ONETHING_TRACEBACK`` is set (for whoever debugs onething itself).
    """
    try:
        app()
        code = 0
    except Exception as err:
        if os.environ.get("ONETHING_TRACEBACK"):
            raise
        from onething.cli.replies import unexpected

        sys.stderr.write(f"error: {unexpected(err)}\n")
        code = 1
    except SystemExit as finished:
        if finished.code is None or isinstance(finished.code, int):
            code = finished.code or 0
        else:
            sys.stderr.write(f"{finished.code}\n")
            code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
