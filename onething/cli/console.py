"""The consoles every command prints through: results to stdout, diagnostics to stderr."""

from __future__ import annotations

import sys

from rich.console import Console

# Piped output (scripts, CI logs) is not squeezed to 80 columns: tables stay readable.
_WIDTH = None if sys.stdout.isatty() else 160
console = Console(highlight=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
