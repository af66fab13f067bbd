"""Run one simulated department: ``python -m departments.serve --department health [--port N]``.

The database is prepared before the server starts (copied from its template, see
``departments.templates``), each step told in ``$ONETHING_HOME/run/department-<d>.progress``.
Once the server listens, the file ``$ONETHING_HOME/run/department-<d>.ready`` holds the process
ID; it is removed when the server stops. SIGTERM and SIGINT stop the server gracefully and the
process exits 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import cast

import uvicorn

from departments.app import create_app
from onething.constants import DEPARTMENTS, Department
from onething.owner_only import private_dir
from onething.runfiles import report_progress
from onething.settings import Settings, get_settings

log = logging.getLogger("departments.serve")


def ready_file(settings: Settings, department: Department) -> Path:
    """The file that exists, holding the server's PID, while a department is serving."""
    return settings.home / "run" / f"department-{department}.ready"


class ReadyFileServer(uvicorn.Server):
    """A uvicorn server that announces readiness in a file once its socket listens.

    Args:
        config: The uvicorn configuration.
        ready_path: The file to write the PID to when listening, and to remove on shutdown.
    """

    def __init__(self, config: uvicorn.Config, ready_path: Path) -> None:
        super().__init__(config)
        self.ready_path = ready_path

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start, then write the ready file if the server is listening."""
        await super().startup(sockets)
        if self.started and not self.should_exit:
            private_dir(self.ready_path.parent)
            partial = self.ready_path.with_suffix(".partial")
            partial.write_text(f"{os.getpid()}\n")
            partial.replace(self.ready_path)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Withdraw the ready file first: a stopping server is no longer ready."""
        self.ready_path.unlink(missing_ok=True)
        await super().shutdown(sockets)


def _exit_cleanly(signum: int, _: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the department's database, then serve it until SIGTERM or SIGINT.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m departments.serve", description=__doc__)
    parser.add_argument("--department", required=True, choices=DEPARTMENTS)
    parser.add_argument("--port", type=int, help="default: the department's port in settings")
    args = parser.parse_args(argv)
    department = cast(Department, args.department)
    settings = get_settings()
    port: int = args.port or settings.department_port(department)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; this handler turns it into a
    # normal exit so that the clean-up below runs and the exit status is 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)

    ready_path = ready_file(settings, department)
    ready_path.unlink(missing_ok=True)
    part = f"department-{department}"

    def progress(text: str) -> None:
        report_progress(settings, part, text)

    started = time.perf_counter()
    app = create_app(department, settings, progress=progress)
    log.info(
        "%s database %s in %.2fs",
        department,
        "copied from its template" if app.state.seeded else "opened",
        time.perf_counter() - started,
    )
    progress("starting the HTTP server")
    # httptools parses HTTP in C: a department then needs about a sixth less CPU per request
    # than with h11 (docs/benchmark.md).
    config = uvicorn.Config(
        app,
        host=settings.local_host,
        port=port,
        access_log=False,
        lifespan="off",
        http="httptools",
    )
    try:
        ReadyFileServer(config, ready_path).run()
    finally:
        ready_path.unlink(missing_ok=True)
        app.state.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
