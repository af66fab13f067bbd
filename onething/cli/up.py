"""``onething up``: run the local stack in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from typing import Annotated

import typer

from onething.cli import app
from onething.cli.console import console, err_console
from onething.owner_only import ExposedHomeError, claim_private_home, restrict_new_files
from onething.runfiles import startup_record_file
from onething.settings import Settings, get_settings
from onething.stack import Stack, StackError
from onething.stack.codec import codec_usage

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@app.command()
def up(
    dynamic_config: Annotated[
        list[str] | None,
        typer.Option(
            "--dynamic-config-value",
            metavar="KEY=VALUE",
            help="A dynamic config value for the Temporal dev server; repeatable.",
        ),
    ] = None,
) -> None:
    """Start the local stack in the foreground until Ctrl-C or SIGTERM, then stop it.

    It refuses a home that other users can read, and makes everything it creates owner-only.
    """
    temporal_args = [
        arg for value in dynamic_config or () for arg in ("--dynamic-config-value", value)
    ]
    settings = get_settings()
    restrict_new_files()
    try:
        claim_private_home(settings.home.absolute())
    except ExposedHomeError as error:
        err_console.print(f"error: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    code = asyncio.run(_serve(settings, temporal_args))
    raise typer.Exit(code)


async def _serve(settings: Settings, temporal_args: list[str]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        stack = Stack(settings, temporal_args=temporal_args, report=_notice, progress=_progress)
        ready = asyncio.Event()
        announcer = asyncio.create_task(_announce(stack, ready))
        try:
            await stack.serve(ready=ready, stop=stop)
        finally:
            announcer.cancel()
            startup_record_file(stack.settings).unlink(missing_ok=True)
    except StackError as error:
        err_console.print(f"error: {error}", markup=False)
        return 1
    finally:
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    return 0


async def _announce(stack: Stack, ready: asyncio.Event) -> None:
    await ready.wait()
    _record_startup(stack)
    console.print("onething ready", markup=False)
    if stack.settings.temporal_address is None:
        console.print(f"Temporal Web UI: {stack.settings.ui_url}", markup=False)
    web = stack.settings.web_url
    console.print(
        f"Workbench: {web}/dept/<department> (officers), {web}/ops (operators)",
        markup=False,
        soft_wrap=True,
    )
    console.print(f"Payload codec: {stack.settings.codec_url}", markup=False)
    console.print(f"  {codec_usage(stack.settings)}", markup=False, soft_wrap=True)
    console.print(f"Logs: {stack.log_dir}", markup=False)


def _record_startup(stack: Stack) -> None:
    """Write each part's start and ready times (seconds from the start) for the bench."""
    record = {
        "parts": {
            name: {"started_s": round(timing.started_s, 3), "ready_s": round(timing.ready_s, 3)}
            for name, timing in stack.timings.items()
        }
    }
    path = startup_record_file(stack.settings)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(record, file)


def _notice(line: str) -> None:
    err_console.print(line, markup=False)


def _progress(part: str, text: str) -> None:
    err_console.print(f"{part}: {text}", markup=False, soft_wrap=True)
