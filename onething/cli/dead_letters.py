"""``onething dead-letters``: the inputs that could not be accepted, and why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from onething.cli import app
from onething.cli.console import console
from onething.cli.replies import USAGE, choose, fail
from onething.cli.times import local_time, parse_since, to_json

if TYPE_CHECKING:
    from onething.dead_letters import DeadLetterEntry


@app.command("dead-letters")
def dead_letters(
    since: Annotated[
        str | None,
        typer.Option(
            help="only those from the last 2h, 1d, PT30M..., or since a time, e.g. "
            "2026-12-02T09:00 (in ONETHING_TZ unless it gives an offset)"
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="only those with this reason, e.g. invalid_event")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """List the inputs that could not be accepted, and why (never their values)."""
    from onething.dead_letters import REASONS, read_dead_letters
    from onething.settings import get_settings

    choose("--reason", reason, REASONS)
    now = datetime.now(UTC)
    try:
        start = parse_since(since, now) if since else None
    except ValueError as err:
        fail(f"--since: {err}", code=USAGE)
    letters = asyncio.run(read_dead_letters(get_settings(), since=start, reason=reason))
    if as_json:
        console.print_json(to_json(letters), ensure_ascii=False)
        return
    _table(letters)


def _table(letters: list[DeadLetterEntry]) -> None:
    from rich.table import Table

    table = Table("dead-lettered", "reason", "detail", "from", "case")
    for letter in letters:
        table.add_row(
            local_time(letter.dead_lettered_at),
            letter.reason,
            letter.detail,
            f"{letter.source_topic} [{letter.partition}] @{letter.offset}",
            letter.case_id or "",
        )
    console.print(table)
    console.print(f"{len(letters)} dead letter(s)")
