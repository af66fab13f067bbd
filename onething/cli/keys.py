"""``onething keys``: rotate the local stack's payload key."""

from __future__ import annotations

import typer

from onething.cli import app
from onething.cli.console import console, err_console
from onething.crypto.keys import rotate_local_key_ring
from onething.settings import get_settings

keys = typer.Typer(help="Payload keys and service tokens.", no_args_is_help=True)
app.add_typer(keys, name="keys")


@keys.command()
def rotate() -> None:
    """Add a new payload key to the local key ring and encrypt with it from now on.

    The old keys stay in the ring, so every payload written with them still decrypts.
    """
    settings = get_settings()
    if settings.payload_keys is not None:
        err_console.print(
            "error: the payload keys come from ONETHING_PAYLOAD_KEYS; rotate them there: add a "
            "key and point ONETHING_PAYLOAD_ACTIVE_KEY at it (see docs/security.md)",
            markup=False,
        )
        raise typer.Exit(1)
    ring = rotate_local_key_ring(settings.home)
    console.print(
        f"payload key {ring.active_id} now encrypts; {len(ring.keys)} key(s) decrypt. "
        "Restart onething up to have every process encrypt with it.",
        markup=False,
    )
