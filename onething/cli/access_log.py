"""``onething access-log``: who read a person's data, when, for which case and why."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from onething.access_log import PersonReads, person_reads, verify_local_logs
from onething.cli import app
from onething.cli.console import console, err_console
from onething.cli.times import local_time, to_json
from onething.identifiers import IdentifierError, validate_id_number
from onething.settings import get_settings


@app.command("access-log")
def access_log(
    id_number: Annotated[str | None, typer.Argument(help="the person's resident ID number")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="check every local access log's hash chain instead"),
    ] = False,
) -> None:
    """Every read of a person's data by any department, newest first (a data tracker).

    Each department answers from its own append-only access log: which case read what,
    which department asked, which one holds the data, why and when. Exits 1 if a department
    did not answer (the reads of the others are still shown).

    With ``--verify``, checks that no local department's access log was rewritten: each row
    must follow from the one before. Exits 1 naming the first broken row of each broken log.
    """
    if verify:
        _verify()
        return
    if id_number is None:
        err_console.print("error: give an ID_NUMBER, or --verify", markup=False)
        raise typer.Exit(2)
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


def _verify() -> None:
    broken = False
    for department, check in verify_local_logs(get_settings()).items():
        if check is None:
            console.print(f"{department}: no local database", markup=False)
        elif check.first_broken is None:
            console.print(f"{department}: {check.rows} row(s), chain intact", markup=False)
        else:
            broken = True
            err_console.print(
                f"error: {department}: access log rewritten at row {check.first_broken}",
                markup=False,
            )
    if broken:
        raise typer.Exit(1)
