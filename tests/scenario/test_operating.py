"""Operators' commands on the shared stack, as subprocesses: cases, case, --watch, graph, stats."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from events.samples import sample_event
from onething.constants import TOPIC_BIRTHS, TOPIC_DEATHS
from onething.report.case_graph import EVENT_NODE
from onething.report.svg import STATE_COLOURS
from onething.temporal_client import connect_temporal
from onething.waiting import wait_for_case
from tests.helpers.cases import until
from tests.helpers.cli import onething, start_onething
from tests.helpers.kafka import produce_event
from workflows.models import CaseView

pytestmark = pytest.mark.scenario

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
async def client(stack: Any) -> Client:
    return await connect_temporal(stack.settings)


@pytest.fixture(scope="module")
async def newborn(stack: Any, client: Client) -> CaseView:
    """A completed newborn case of this module's own."""
    event = sample_event("newborn", 4747)
    await produce_event(stack.settings.kafka_target, TOPIC_BIRTHS, event)
    view = await wait_for_case(client, f"newborn-{event['subject']}", timeout_s=120)
    assert view.status == "completed", view.failure
    return view


def case_ids(listed: Any) -> set[str]:
    assert listed.returncode == 0, listed.stderr
    return {row["case_id"] for row in json.loads(listed.stdout)}


def test_cases_json_lists_each_case_with_its_age(stack: Any, newborn: CaseView) -> None:
    listed = onething(stack.env, "cases", "--bundle", "newborn", "--json")

    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["case_id"] == newborn.case_id)
    assert (row["bundle"], row["status"], row["waiting_on"]) == ("newborn", "completed", [])
    assert 0 < row["age_s"] < 3600
    assert datetime.fromisoformat(row["started_at"]) < datetime.fromisoformat(row["closed_at"])


def test_cases_filters_by_age(stack: Any, newborn: CaseView) -> None:
    newer = case_ids(onething(stack.env, "cases", "--newer-than", "1h", "--json"))
    older = case_ids(onething(stack.env, "cases", "--older-than", "PT1H", "--json"))
    table = onething(stack.env, "cases", "--newer-than", "1d", "--bundle", "newborn")
    refused = onething(stack.env, "cases", "--older-than", "soon")

    assert newborn.case_id in newer
    assert newborn.case_id not in older
    assert table.returncode == 0
    assert re.search(rf"{re.escape(newborn.case_id)}.*completed.*\d+(\.\d)?[smhd]", table.stdout)
    assert refused.returncode == 2
    assert "not a duration" in refused.stderr


def test_case_json_is_the_case_view_and_its_timeline(stack: Any, newborn: CaseView) -> None:
    shown = onething(stack.env, "case", newborn.case_id, "--json")

    assert shown.returncode == 0, shown.stderr
    payload = json.loads(shown.stdout)
    timeline = payload.pop("timeline")
    assert CaseView.model_validate(payload) == newborn
    events = [entry["event"] for entry in timeline]
    assert events[0] == "case started"
    assert events[-1] == "case closed"


def test_case_shows_documents_materials_spared_and_the_web_ui_link(
    stack: Any, newborn: CaseView
) -> None:
    shown = onething(stack.env, "case", newborn.case_id)

    assert shown.returncode == 0, shown.stderr
    spared = sum(1 for m in newborn.materials if m.applies)
    assert f"materials spared: {spared} of {len(newborn.materials)}" in shown.stdout
    assert all(doc.number in shown.stdout for doc in newborn.documents)
    assert f"/workflows/{newborn.case_id}" in shown.stdout


async def test_case_shows_a_pending_wait_and_watch_follows_it_to_the_end(
    stack: Any, client: Client
) -> None:
    event = sample_event("death", 7575, place="home")
    case_id = f"death-{event['subject']}"
    await produce_event(stack.settings.kafka_target, TOPIC_DEATHS, event)
    await until(client, case_id, lambda v: bool(v.waits))

    shown = onething(stack.env, "case", case_id)
    gave_up = onething(stack.env, "case", case_id, "--watch", "--timeout", "1")
    watcher = start_onething(stack.env, "case", case_id, "--watch", "--timeout", "120")
    try:
        assert watcher.stdout is not None
        first = watcher.stdout.readline()
        answered = onething(
            stack.env,
            "answer",
            case_id,
            "death_verification",
            "--operator",
            "officer-4711",
            "--reason",
            "saw the deceased at home",
        )
        rest, errors = watcher.communicate(timeout=120)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()

    assert shown.returncode == 0, shown.stderr
    waits = shown.stdout.split("pending waits", 1)[1]
    wait_row = next(line for line in waits.splitlines() if "death_verification" in line)
    assert "police" in wait_row
    assert re.search(r"in 2d 2\dh", wait_row), wait_row  # the deadline is three days away
    assert gave_up.returncode == 1
    assert "still waiting-department" in gave_up.stderr
    assert "waiting-department" in first
    assert answered.returncode == 0, answered.stderr
    assert watcher.returncode == 0, errors
    assert any(re.search(r"completed\s+steps \d+/\d+", line) for line in rest.splitlines())
    assert "operator actions" in rest
    assert "officer-4711" in rest


def test_graph_draws_every_step_coloured_by_state(
    stack: Any, newborn: CaseView, tmp_path: Path
) -> None:
    drawn = onething(stack.env, "graph", newborn.case_id, "--output", str(tmp_path / "case.svg"))

    assert drawn.returncode == 0, drawn.stderr
    root = ET.parse(tmp_path / "case.svg").getroot()
    groups = list(root.iter(f"{SVG}g"))
    steps = {g.get("data-step"): g for g in groups if g.get("class") == "step"}
    assert {name: g.get("data-state") for name, g in steps.items()} == {
        s.name: s.state for s in newborn.steps
    }
    for name, group in steps.items():
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        assert rect.get("stroke") == STATE_COLOURS[str(group.get("data-state"))], name
    edges = {
        (g.get("data-from"), g.get("data-to")): g.get("data-facts")
        for g in groups
        if g.get("class") == "edge"
    }
    assert edges[("birth_medical_certificate", "household_registration")] == (
        "birth_certificate_number"
    )
    assert edges[("parents_marriage", "household_registration")] == "parents_marriage"
    assert "child_id_number" in str(edges[("household_registration", "social_security_card")])
    assert (EVENT_NODE, "birth_medical_certificate") in edges
    assert {target for _, target in edges} <= set(steps)


def test_stats_counts_cases_durations_and_materials(
    stack: Any, newborn: CaseView, tmp_path: Path
) -> None:
    figures = onething(stack.env, "stats", "--json")
    written = onething(stack.env, "stats", "--output", str(tmp_path / "stats.html"))

    assert figures.returncode == 0, figures.stderr
    stats = json.loads(figures.stdout)
    assert stats["by_bundle_status"]["newborn"]["completed"] >= 1
    durations = {d["bundle"]: d for d in stats["durations"]}
    assert 0 < durations["newborn"]["p50_s"] <= durations["newborn"]["p95_s"]
    spared = [m for m in newborn.materials if m.applies]
    for way in {m.way for m in spared}:
        assert stats["materials_by_way"][way] >= sum(1 for m in spared if m.way == way)
    assert written.returncode == 0, written.stderr
    page = (tmp_path / "stats.html").read_text()
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) >= 4
    for chart in charts:
        ET.fromstring(chart)
    assert "<script" not in page
    assert all(f'id="{s}"' in page for s in ("cases", "durations", "materials"))
