"""Headless Chromium (Debian's ``chromium``) for tests that look at a web page as a person would."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from typing import Final

#: Where ``make browser`` installs it; a test that needs it fails (never skips) without it.
CHROMIUM_NAMES: Final = ("chromium", "chromium-browser")
_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Tall, so a virtualised list (the UI's code viewer) renders more of its lines.
    "--window-size=1400,4000",
)


class BrowserMissingError(RuntimeError):
    """No Chromium on PATH."""


def chromium() -> str:
    """The Chromium executable.

    Raises:
        BrowserMissingError: None is installed (``make browser`` installs it).
    """
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissingError("no chromium on PATH: run `make browser` (apt-get install chromium)")


def rendered_dom(url: str, *, budget_ms: int, timeout_s: float = 120.0) -> str:
    """The page's DOM after its scripts ran for ``budget_ms`` of virtual time.

    Virtual time only advances while no request is in flight, so the budget is spent after the
    page's fetches (the UI's API calls, the codec's decoding) have answered.

    Args:
        url: The page.
        budget_ms: Virtual milliseconds the page's scripts may run.
        timeout_s: Real seconds before Chromium is killed.

    Returns:
        The serialised DOM.
    """
    with tempfile.TemporaryDirectory(prefix="onething-chromium-") as profile:
        done = subprocess.run(
            [
                chromium(),
                *_FLAGS,
                f"--user-data-dir={profile}",
                "--dump-dom",
                f"--virtual-time-budget={budget_ms}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dom_until(
    url: str, found: Callable[[str], bool], *, budgets_ms: Sequence[int] = (8_000, 20_000, 45_000)
) -> str:
    """Render ``url`` with growing budgets until ``found(dom)`` holds; the last DOM otherwise."""
    dom = ""
    for budget in budgets_ms:
        dom = rendered_dom(url, budget_ms=budget)
        if found(dom):
            break
    return dom
