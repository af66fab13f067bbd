"""Counting a run: documents read from the department databases, and the figures from them."""

from __future__ import annotations

from pathlib import Path

from departments.documents import issue_document
from departments.store import Store
from onething.chaos.documents import IssuedRecord, department_documents, issued_twice
from onething.chaos.outcomes import CaseOutcome
from onething.chaos.report import KillRecord
from onething.chaos.tally import tally
from onething.chaos.workload import ChaosCase
from onething.settings import Settings


def test_documents_are_read_from_each_department_database(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = Store(settings.department_db("tax"))
    with store.transaction() as conn:
        for case_id in ("newborn-A", "newborn-A", "newborn-B"):
            issue_document(
                conn,
                department="tax",
                kind="infant_care_tax_deduction",
                code="ICD",
                case_id=case_id,
                subject_id_number=None,
                details={},
            )
    store.close()

    records = department_documents(settings)

    assert [(r.department, r.case_id) for r in records] == [
        ("tax", "newborn-A"),
        ("tax", "newborn-A"),
        ("tax", "newborn-B"),
    ]
    assert issued_twice(records) == {("newborn-A", "infant_care_tax_deduction"): 2}


def _case(case_id: str, kind: str = "newborn") -> ChaosCase:
    return ChaosCase(kind=kind, case_id=case_id, event={})


def _record(case_id: str, kind: str, number: str) -> IssuedRecord:
    return IssuedRecord(department="health", kind=kind, case_id=case_id, number=number)


def test_lost_duplicated_and_unlisted_cases_are_counted() -> None:
    cases = [_case("a"), _case("b"), _case("c"), _case("d", "death"), _case("e", "death")]
    outcomes = [
        CaseOutcome("a", runs=1, status="completed", kinds=("x",), numbers=frozenset({"1"})),
        CaseOutcome("b", runs=1, status="completed", kinds=("x",), numbers=frozenset({"2"})),
        CaseOutcome("c", runs=0, status=None),
        CaseOutcome("d", runs=1, status="rejected", kinds=("x", "x"), numbers=frozenset({"4"})),
        CaseOutcome("e", runs=1, status=None),
    ]
    records = [
        _record("a", "x", "1"),
        _record("b", "x", "2"),
        _record("b", "x", "3"),
        _record("d", "x", "4"),
        _record("someone-else", "x", "9"),
    ]

    report = tally(
        cases,
        outcomes,
        records,
        seed=1,
        published=5,
        kills=[KillRecord(at_s=1.0, part="bridge", pid=42)],
        restarts=1,
        elapsed_s=12.34,
        stack_start_s=5.0,
    )

    assert (report.started, report.completed, report.ended_otherwise) == (4, 2, {"rejected": 1})
    assert (report.lost, report.lost_cases) == (2, ["c", "e"])
    assert report.duplicated == 2  # b issued twice, d listed twice
    assert (report.documents_issued, report.documents_issued_twice) == (4, 1)
    assert report.documents_not_in_view == 1
    assert report.by_kind["death"].published == 2
    assert report.by_kind["newborn"].completed == 2
    assert report.elapsed_s == 12.3
    assert not report.clean
