"""The ``onething`` command line: one module per group of commands."""

from __future__ import annotations

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
