"""Worker options that decide throughput, shared with the bench's baseline so both run alike.

``docs/benchmark.md`` has the measurements behind each value.
"""

from __future__ import annotations

from typing import Final

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

#: Workflows kept in memory between their tasks; one pushed out is replayed from its history on
#: its next task. Each costs tens of kilobytes, so memory stays bounded under any backlog.
MAX_CACHED_WORKFLOWS: Final = 2000
#: Workflow tasks run at once: they are short and CPU-bound, so a few suffice.
MAX_CONCURRENT_WORKFLOW_TASKS: Final = 100
#: Activities run at once: they mostly wait on a department or the broker.
MAX_CONCURRENT_ACTIVITIES: Final = 200

#: onething's own packages hold no state a workflow could change, so the sandbox passes them
#: through instead of importing them again for every workflow run.
PASSTHROUGH_MODULES: Final = ("workflows", "activities", "events", "onething", "departments")


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox every workflow worker uses: Temporal's restrictions, onething passed through."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )
