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

    A usage error (a missing option, a value out of range) and an error no command foresaw are
    one line on stderr, not a box or a traceback; ``ONETHING_TRACEBACK`` set shows the
    traceback (for whoever debugs onething itself).
    """
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    try:
        outcome = app(prog_name="onething", standalone_mode=False)
        code = outcome if isinstance(outcome, int) else 0
    except NoArgsIsHelpError as asked:
        asked.show()
        code = asked.exit_code
    except UsageError as wrong:
        where = f" (see {wrong.ctx.command_path} --help)" if wrong.ctx else ""
        sys.stderr.write(f"error: {wrong.format_message().rstrip('.')}{where}\n")
        code = wrong.exit_code
    except ClickException as refused:
        sys.stderr.write(f"error: {refused.format_message()}\n")
        code = refused.exit_code
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        code = 1
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
