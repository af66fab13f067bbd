"""From what Temporal and the departments hold to the figures of a chaos run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from onething.chaos.documents import IssuedRecord, documents_of, issued_twice
from onething.chaos.outcomes import CaseOutcome
from onething.chaos.report import ChaosReport, KillRecord, KindFigures
from onething.chaos.workload import ChaosCase


def tally(
    cases: Sequence[ChaosCase],
    outcomes: Sequence[CaseOutcome],
    records: Sequence[IssuedRecord],
    *,
    seed: int,
    published: int,
    kills: Sequence[KillRecord],
    restarts: int,
    elapsed_s: float,
    stack_start_s: float,
) -> ChaosReport:
    """Count what became of every case.

    Args:
        cases: The cases the run drove.
        outcomes: How each ended, in the same order.
        records: Every document in the department databases (other cases' are ignored).
        seed: The run's seed.
        published: Events the broker acknowledged.
        kills: The kills made.
        restarts: Restarts the supervisor reported.
        elapsed_s: How long the run took.
        stack_start_s: How long the stack took to start.

    Returns:
        The report.
    """
    ours = {case.case_id for case in cases}
    records = [record for record in records if record.case_id in ours]
    twice = issued_twice(records)
    issued = documents_of(records, ours)
    statuses = Counter(outcome.status for outcome in outcomes if outcome.status is not None)
    lost = [outcome.case_id for outcome in outcomes if not outcome.finished]
    duplicated = {
        outcome.case_id for outcome in outcomes if outcome.runs > 1 or outcome.listed_twice
    } | {case_id for case_id, _ in twice}
    not_in_view = sum(
        len(issued[outcome.case_id] - outcome.numbers) for outcome in outcomes if outcome.finished
    )
    by_kind: dict[str, KindFigures] = {}
    for case, outcome in zip(cases, outcomes, strict=True):
        figures = by_kind.get(case.kind, KindFigures())
        by_kind[case.kind] = KindFigures(
            published=figures.published + 1,
            completed=figures.completed + (outcome.status == "completed"),
        )
    return ChaosReport(
        seed=seed,
        cases_published=published,
        started=sum(1 for outcome in outcomes if outcome.runs),
        completed=statuses.pop("completed", 0),
        ended_otherwise=dict(sorted(statuses.items())),
        lost=len(lost),
        lost_cases=sorted(lost),
        duplicated=len(duplicated),
        documents_issued=len(records),
        documents_issued_twice=sum(count - 1 for count in twice.values()),
        documents_not_in_view=not_in_view,
        kills=list(kills),
        restarts=restarts,
        by_kind=dict(sorted(by_kind.items())),
        elapsed_s=round(elapsed_s, 1),
        stack_start_s=round(stack_start_s, 1),
    )
