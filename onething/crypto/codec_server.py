"""Run the codec server: ``python -m onething.crypto.codec_server [--port N]``.

It listens on the local host (``ONETHING_LOCAL_HOST``) at ``ONETHING_LOCAL_CODEC_PORT`` unless
told otherwise; once the socket listens, ``$ONETHING_HOME/run/codec-server.ready`` holds its PID.
SIGTERM and SIGINT stop it and the process exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
from collections.abc import Sequence
from types import FrameType
from typing import Final

import uvicorn

from onething.crypto.codec_api import create_codec_app
from onething.runfiles import announce_ready
from onething.settings import get_settings

PART: Final = "codec-server"


def _exit_cleanly(signum: int, _: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the codec until SIGTERM or SIGINT.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m onething.crypto.codec_server")
    parser.add_argument("--port", type=int, help="default: ONETHING_LOCAL_CODEC_PORT")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {PART} %(levelname)s %(name)s: %(message)s"
    )
    app = create_codec_app(settings)
    # Bound before announcing: a connection that arrives before uvicorn runs waits in the
    # backlog instead of being refused.
    family = socket.AF_INET6 if ":" in settings.local_host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((settings.local_host, args.port or settings.local_codec_port))
    listener.listen(128)
    # uvicorn re-raises SIGTERM after its graceful shutdown; this makes that a normal exit.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    config = uvicorn.Config(app, access_log=False, lifespan="off", log_level="warning")
    try:
        with announce_ready(settings, PART):
            uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
