"""A command group that imports a command's module only when that command runs.

Every command module pulls in what its work needs (the Temporal SDK, Kafka, the web stack,
Faker); importing them all made ``onething --help`` take seconds. The group knows each
command's module and one-line summary up front, so listing them imports nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches

import typer
import typer.main
from typer import _click as click
from typer._click.exceptions import UsageError
from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a command lives and what ``--help`` says of it (its docstring's first line)."""

    module: str
    summary: str


class LazyCommands(TyperGroup):
    """The top-level ``onething`` group: its commands come from :data:`COMMANDS` on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, in the order of :data:`COMMANDS`."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the command's module (it registers its commands on the app) and build it."""
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        importlib.import_module(found.module)
        from onething.cli import app

        return typer.main.get_group(app).commands.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Plain help, without importing Rich or any command module."""
        # Typer's own click, vendored: the group is one of its commands.
        click.Command.format_help(self, ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their summaries from :data:`COMMANDS`."""
        rows = [(name, command.summary) for name, command in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve ``args[0]``; an unknown name is answered with the closest known ones."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as err:
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in err.message:
                err.message = f"{err.message.rstrip('.')}. Did you mean {', '.join(matches)}?"
            raise


def _command(module: str, summary: str) -> LazyCommand:
    return LazyCommand(module=f"onething.cli.{module}", summary=summary)


#: Every command of ``onething``: name, module, summary. A unit test keeps it true to the code.
COMMANDS: dict[str, LazyCommand] = {
    "up": _command(
        "up", "Start the local stack in the foreground until Ctrl-C or SIGTERM, then stop it."
    ),
    "demo": _command(
        "demo", "Start the local stack, run one case of each bundle end to end, print them, stop."
    ),
    "sample-event": _command(
        "events", "Print one valid CloudEvent (one line of JSON) about people the registries hold."
    ),
    "publish": _command("events", "Publish CloudEvents to the topic their ``type`` belongs to."),
    "asyncapi": _command(
        "events",
        "Write the event contract (AsyncAPI 3.0 and a JSON Schema per event type) to docs/.",
    ),
    "dead-letters": _command(
        "dead_letters", "List the inputs that could not be accepted, and why (never their values)."
    ),
    "cases": _command(
        "cases", "List cases, newest first, with each case's age; a stuck one says what fails."
    ),
    "case": _command(
        "cases",
        "Show one case: status, steps, waits, checks, documents, facts, materials, timeline.",
    ),
    "answer": _command(
        "act",
        "Answer a department verification the case is waiting on, as a person at the provider.",
    ),
    "cancel": _command(
        "act", "Cancel a case: running steps stop, and every document it obtained is revoked."
    ),
    "ask": _command(
        "act", "Ask the citizen for a fact a waiting step needs (once, ever, per fact)."
    ),
    "supply": _command("act", "Enter the citizen's answer to an ask; the case goes on with it."),
    "retry": _command("act", "Run a case's failed step again, after the fault was fixed."),
    "graph": _command(
        "report", "Draw a case's steps as an SVG graph, coloured by each step's state."
    ),
    "stats": _command("report", "Write an HTML page of case statistics, with inline SVG charts."),
    "catalogue": _command(
        "catalogue", "Print how many materials each way replaces, per bundle and overall."
    ),
    "access-log": _command(
        "access_log",
        "Every read of a person's data by any department, newest first (a data tracker).",
    ),
    "keys": _command("keys", "Payload keys and service tokens."),
    "bench": _command(
        "bench",
        "Run N newborn cases from Kafka and N bare workflows of the same shape; compare them.",
    ),
    "chaos": _command(
        "chaos",
        "Start a stack, publish N cases while SIGKILLing K parts, wait, and count the outcome.",
    ),
}
