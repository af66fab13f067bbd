"""The ``onething`` command line: one module per group of commands."""

from __future__ import annotations

import logging
import os
import sys

import typer

app = typer.Typer(
    name="onething",
    help="Event-driven orchestrator for government 'one thing' life-event bundles.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    # Importing each module registers its commands on ``app``.
    from onething.cli import (  # noqa: F401
        access_log,
        act,
        bench,
        cases,
        catalogue,
        chaos,
        demo,
        events,
        keys,
        report,
        up,
    )


_register()


def main() -> None:
    """The ``onething`` command: run it, then leave without finalizing the interpreter.

    The Temporal SDK's native threads can crash Python while it finalizes (SIGSEGV or a fatal
    GIL error), turning a command that did its work into a failed one. By then every command has
    finished and flushed what it owes, so the process exits directly with the command's code.
    """
    try:
        app()
        code = 0
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
