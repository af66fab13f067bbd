"""The local stack of ``onething up``: Temporal, the broker, departments, workers and bridge.

Start it in-process with::

    async with Stack(settings) as stack:
        ...  # every part is healthy here

or run it until an event is set with :func:`run_stack`.
"""

from onething.stack.backoff import BackoffPolicy, RestartBackoff
from onething.stack.errors import (
    BinaryNotFoundError,
    PartFailedError,
    PortConflictError,
    PortInUseError,
    StackError,
)
from onething.stack.parts import Part, Stage
from onething.stack.ports import Port
from onething.stack.supervisor import PartTiming, Stack, default_stages, run_stack

__all__ = [
    "BackoffPolicy",
    "BinaryNotFoundError",
    "Part",
    "PartFailedError",
    "PartTiming",
    "Port",
    "PortConflictError",
    "PortInUseError",
    "RestartBackoff",
    "Stack",
    "StackError",
    "Stage",
    "default_stages",
    "run_stack",
]
