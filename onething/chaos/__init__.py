"""Chaos runs: drive cases while SIGKILLing parts of the stack, then count what survived.

Nothing lost, nothing twice: every case published must close, with each document issued once
at the department that issues it. ``onething chaos`` runs it; the crash tests use its pieces.
"""

from onething.chaos.documents import IssuedRecord, department_documents, documents_of, issued_twice
from onething.chaos.harness import run_chaos
from onething.chaos.kills import NotRunningError, kill_part, part_pid
from onething.chaos.outcomes import CaseOutcome, case_outcomes, wait_closed
from onething.chaos.report import ChaosReport, KillRecord

__all__ = [
    "CaseOutcome",
    "ChaosReport",
    "IssuedRecord",
    "KillRecord",
    "NotRunningError",
    "case_outcomes",
    "department_documents",
    "documents_of",
    "issued_twice",
    "kill_part",
    "part_pid",
    "run_chaos",
    "wait_closed",
]
