"""``onething sample-event``, ``onething publish`` and ``onething asyncapi``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from onething.cli import app
from onething.cli.console import console, err_console
from onething.constants import BUNDLES

if TYPE_CHECKING:
    from events.publisher import PublishReport


@app.command()
def publish(
    file: Annotated[
        Path | None, typer.Argument(help="CloudEvents, one JSON object per line; stdin if omitted")
    ] = None,
) -> None:
    """Publish CloudEvents to the topic their ``type`` belongs to."""
    if file is not None and not file.is_file():
        err_console.print(f"error: no such file: {file}")
        raise typer.Exit(2)
    text = file.read_text(encoding="utf-8") if file else sys.stdin.read()
    report = asyncio.run(_publish(text.splitlines()))
    for number, reason in report.refused:
        err_console.print(f"line {number}: not published: {reason}")
    console.print(f"published {report.published} event(s)")
    if report.refused:
        raise typer.Exit(1)


async def _publish(lines: list[str]) -> PublishReport:
    from events.kafka import new_producer
    from events.publisher import publish_lines
    from onething.settings import get_settings

    producer = new_producer(get_settings())
    await producer.start()
    try:
        return await publish_lines(producer, lines)
    finally:
        await producer.stop()


@app.command("sample-event")
def sample_event_command(
    bundle: Annotated[str, typer.Argument(help="newborn, retirement, death or business")],
    seed: Annotated[
        int, typer.Option(min=0, help="another seed gives another case and family")
    ] = 0,
    place: Annotated[str | None, typer.Option(help="death only: hospital, home or other")] = None,
    false_address: Annotated[
        bool, typer.Option(help="business only: pledge an address no registry holds")
    ] = False,
) -> None:
    """Print one valid CloudEvent (one line of JSON) about people the registries hold."""
    if bundle not in BUNDLES:
        err_console.print(f"error: unknown bundle {bundle!r}; choose from {', '.join(BUNDLES)}")
        raise typer.Exit(2)
    if place is not None and place not in ("hospital", "home", "other"):
        err_console.print(f"error: --place must be hospital, home or other, not {place!r}")
        raise typer.Exit(2)
    from events.samples import SampleOptionError, UnknownBundleError, sample_event

    try:
        event = sample_event(
            bundle,
            seed,
            place=place,  # type: ignore[arg-type]
            false_address=false_address,
        )
    except (UnknownBundleError, SampleOptionError) as err:
        err_console.print(f"error: {err}")
        raise typer.Exit(2) from None
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")


@app.command("asyncapi")
def asyncapi_command(
    check: Annotated[
        bool, typer.Option("--check", help="only say whether docs/ is current; exit 1 if not")
    ] = False,
) -> None:
    """Write the event contract (AsyncAPI 3.0 and a JSON Schema per event type) to docs/."""
    from events import asyncapi

    if check:
        stale = asyncapi.check()
        for relative in stale:
            err_console.print(f"docs/{relative} is out of date; run `{asyncapi.REGENERATE}`")
        if stale:
            raise typer.Exit(1)
        console.print("docs/ matches the models")
        return
    for path in asyncapi.write():
        console.print(f"wrote {path.relative_to(asyncapi.DOCS.parent)}")
