"""Run the workbench: ``python -m workbench.serve [--port N]`` (``onething up`` starts it).

It serves on ``ONETHING_LOCAL_WEB_PORT`` until SIGTERM or SIGINT, and answers ``/health`` once
it is connected to Temporal.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from onething.settings import get_settings
from workbench.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the workbench until stopped.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m workbench.serve", description=__doc__)
    parser.add_argument("--port", type=int, help="default: ONETHING_LOCAL_WEB_PORT")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.local_host,
        port=args.port or settings.local_web_port,
        log_level="warning",
        # Paths hold case IDs only, never personal data; still, the stack's logs stay quiet.
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
