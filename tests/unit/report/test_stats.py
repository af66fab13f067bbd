"""Statistics over cases: counts, nearest-rank percentiles, materials spared, and the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from onething.cases import CaseSummary
from onething.report.stats import compute_stats, percentile
from onething.report.stats_page import stats_page
from tests.unit.report.helpers import STARTED, material, view
from workflows.models import CaseView, FactRecord


def summary(case_id: str, bundle: str, status: str, took_s: float | None) -> CaseSummary:
    return CaseSummary(
        case_id=case_id,
        bundle=bundle,
        status=status,
        waiting_on=[],
        started_at=STARTED,
        closed_at=None if took_s is None else STARTED + timedelta(seconds=took_s),
    )


def test_percentiles_are_observed_values_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_cases_are_counted_by_bundle_status_duration_and_materials() -> None:
    summaries = [
        summary("newborn-1", "newborn", "completed", 2.0),
        summary("newborn-2", "newborn", "completed", 4.0),
        summary("newborn-3", "newborn", "waiting-department", None),
        summary("death-1", "death", "rejected", 10.0),
    ]
    spared = [material("cancelled"), material("cancelled"), material("data_query")]
    views = [
        view("newborn-1", materials=[*spared, material("commitment", applies=False)]),
        view("newborn-2", materials=spared),
        None,
        view("death-1", bundle="death", materials=[material("department_verification")]),
    ]

    stats = compute_stats(summaries, views, now=STARTED)

    assert stats.cases == 4
    assert stats.by_bundle_status == {
        "death": {"rejected": 1},
        "newborn": {"completed": 2, "waiting-department": 1},
    }
    durations = {d.bundle: d for d in stats.durations}
    assert (durations["newborn"].closed, durations["newborn"].p50_s) == (2, 2.0)
    assert durations["newborn"].p95_s == 4.0
    assert stats.materials_by_way == {
        "cancelled": 4,
        "data_query": 2,
        "department_verification": 1,
    }
    assert stats.materials_by_bundle["death"] == {"department_verification": 1}
    assert (stats.views_read, stats.views_unread) == (3, 1)


def test_a_case_is_timed_to_its_last_document_as_well_as_to_its_close() -> None:
    # A business case: every document out after 3 s, its pledge checked (and closed) a week on.
    summaries = [summary("business-1", "business", "completed", 7 * 86400.0)]
    views = [
        view(
            "business-1",
            bundle="business",
            status="completed",
            steps_done_at=STARTED + timedelta(seconds=3),
            finished_at=STARTED + timedelta(days=7),
        )
    ]

    (durations,) = compute_stats(summaries, views, now=STARTED).durations

    assert durations.p50_s == 7 * 86400.0
    assert (durations.to_last_document_p50_s, durations.to_last_document_p95_s) == (3.0, 3.0)


def test_the_page_is_self_contained_with_well_formed_charts() -> None:
    stats = compute_stats(
        [summary("newborn-1", "newborn", "completed", 90.0)],
        [view("newborn-1", materials=[material("cancelled")])],
        now=STARTED,
    )
    page = stats_page(stats, namespace="default")

    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) == 4
    for chart in charts:
        ET.fromstring(chart)
    assert "<script" not in page
    assert "src=" not in page
    assert "1m 30s" in page


def test_a_stack_without_cases_still_gives_a_page() -> None:
    page = stats_page(compute_stats([], [], now=STARTED), namespace="default")
    assert "No case has closed yet." in page
    assert "No case has spared a material yet." in page


def _address_case(case_id: str, way_of_fact: str) -> CaseView:
    """A business case whose view still names the catalogue's way for the address material."""
    address = material("commitment").model_copy(update={"id": "address_proof"})
    fact = FactRecord(name="address_basis", source="market_regulation", way=way_of_fact, at=STARTED)
    return view(case_id, bundle="business", materials=[address], facts=[fact])


def test_a_material_is_counted_by_the_way_its_case_took() -> None:
    summaries = [
        summary("business-1", "business", "completed", 3.0),
        summary("business-2", "business", "completed", 3.0),
    ]
    views = [
        _address_case("business-1", "department_verification"),
        _address_case("business-2", "commitment"),
    ]

    stats = compute_stats(summaries, views, now=STARTED)

    assert stats.materials_by_way == {"department_verification": 1, "commitment": 1}
    assert stats.materials_by_bundle["business"] == {
        "department_verification": 1,
        "commitment": 1,
    }
