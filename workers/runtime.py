"""What every long-running onething process shares: logging, signals, readiness."""

from __future__ import annotations

import asyncio
import logging
import signal

from onething.runfiles import announce_ready
from onething.settings import Settings


def configure_logging(part: str) -> None:
    """Log lines name the part and never carry payloads (they may hold personal data)."""
    logging.basicConfig(
        level=logging.INFO,
        format=f"%(asctime)s {part} %(levelname)s %(name)s: %(message)s",
    )


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, so the process can shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def serve_until_stopped(settings: Settings, part: str, stop: asyncio.Event) -> None:
    """Announce the part ready, then wait for ``stop``."""
    with announce_ready(settings, part):
        logging.getLogger(part).info("ready")
        await stop.wait()
        logging.getLogger(part).info("stopping")
