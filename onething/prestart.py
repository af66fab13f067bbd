"""Load a part's code early, run it when told: ``python -m onething.prestart MODULE [ARGS...]``.

Importing a worker's code takes a Python process most of its start-up. The stack starts such a
part at once, beside the servers it needs, so the import overlaps their start; the part waits
for one line on its standard input (the stack writes it once those servers are healthy) and only
then runs ``MODULE`` as ``python -m MODULE ARGS...`` would.
"""

from __future__ import annotations

import importlib
import runpy
import sys
from collections.abc import Sequence

#: What the stack writes to a held part's standard input to let it run.
GO = b"go\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Import ``MODULE``, wait for the go line, then run it as ``__main__``.

    Args:
        argv: ``MODULE`` and its arguments (``sys.argv[1:]`` when None).

    Returns:
        1 if standard input closed without the go line (the stack went away), else whatever
        ``MODULE`` exits with (through ``SystemExit``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write("usage: python -m onething.prestart MODULE [ARGS...]\n")
        return 2
    module, *rest = args
    importlib.import_module(module)
    if sys.stdin.buffer.readline() != GO:
        return 1
    # Run afresh as __main__: its own body again (cheap), everything it imports already loaded.
    del sys.modules[module]
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
