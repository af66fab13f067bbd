"""``onething access-log``: who read a person's data, when, for which case and why."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from onething.access_log import PersonReads, person_reads
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.times import local_time, to_json
from onething.identifiers import IdentifierError, validate_id_number
from onething.settings import get_settings


@app.command("access-log")
def access_log(
    id_number: Annotated[str, typer.Argument(help="the person's resident ID number")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Every read of a person's data by any department, newest first (a data tracker).

    Each department answers from its own append-only access log: which case read what,
    which department asked, which one holds the data, why and when. Exits 1 if a department
    did not answer (the reads of the others are still shown).
    """
    try:
        id_number = validate_id_number(id_number)
    except IdentifierError as err:
        # The message names what is wrong, never the digits.
        err_console.print(f"error: ID_NUMBER: {err}", markup=False)
        raise typer.Exit(2) from None
    found = asyncio.run(person_reads(get_settings(), id_number))
    if as_json:
        console.print_json(to_json(found), ensure_ascii=False)
    else:
        _render(found)
    for department, why in found.unanswered.items():
        err_console.print(f"error: {department} did not answer: {why}", markup=False)
    if found.unanswered:
        raise typer.Exit(1)


def _render(found: PersonReads) -> None:
    table = Table("when", "case", "read by", "held by", "what", "why")
    for read in found.reads:
        table.add_row(
            local_time(read.at),
            read.case_id,
            read.requested_by,
            read.held_by,
            read.fact,
            read.purpose,
        )
    console.print(table)
    asked = len(found.reads)
    holders = len({read.held_by for read in found.reads})
    console.print(f"{asked} read(s) of this person's data, at {holders} department(s)")
