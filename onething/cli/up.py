"""``onething up``: run the local stack in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from onething.cli import app
from onething.cli.console import console, err_console
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
    """Start the local stack in the foreground until Ctrl-C or SIGTERM, then stop it."""
    temporal_args = [
        arg for value in dynamic_config or () for arg in ("--dynamic-config-value", value)
    ]
    code = asyncio.run(_serve(get_settings(), temporal_args))
    raise typer.Exit(code)


async def _serve(settings: Settings, temporal_args: list[str]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        stack = Stack(settings, temporal_args=temporal_args, report=_notice)
        ready = asyncio.Event()
        announcer = asyncio.create_task(_announce(stack, ready))
        try:
            await stack.serve(ready=ready, stop=stop)
        finally:
            announcer.cancel()
    except StackError as error:
        err_console.print(f"error: {error}", markup=False)
        return 1
    finally:
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    return 0


async def _announce(stack: Stack, ready: asyncio.Event) -> None:
    await ready.wait()
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


def _notice(line: str) -> None:
    err_console.print(line, markup=False)
