"""The picture of a case: nodes per step, edges from giver to needer, layered by depth."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from onething.report.case_graph import EVENT_NODE, case_graph_svg, dependencies, depths
from onething.report.svg import STATE_COLOURS
from tests.unit.report.helpers import view

SVG = "{http://www.w3.org/2000/svg}"


def test_edges_run_from_the_step_that_gives_a_fact_to_those_needing_it() -> None:
    edges = {(e.source, e.target): e.facts for e in dependencies(view())}

    assert edges == {
        (EVENT_NODE, "a"): ("mother",),
        ("a", "b"): ("x",),
        (EVENT_NODE, "b"): ("child",),
        ("b", "c"): ("y",),
        ("a", "c"): ("x",),
        (EVENT_NODE, "d"): ("mother",),
        ("b", "e & <f>"): ("y",),
    }


def test_each_step_sits_one_column_after_the_deepest_step_it_needs() -> None:
    case = view()
    assert depths(case, dependencies(case)) == {
        EVENT_NODE: 0,
        "a": 1,
        "b": 2,
        "c": 3,
        "d": 1,
        "e & <f>": 3,
    }


def test_the_svg_is_well_formed_and_colours_each_step_by_state() -> None:
    case = view()
    root = ET.fromstring(case_graph_svg(case))

    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert {g.get("data-step"): g.get("data-state") for g in steps} == {
        s.name: s.state for s in case.steps
    }
    for group in steps:
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        assert rect.get("stroke") == STATE_COLOURS[str(group.get("data-state"))]
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]) == 7
    xs = {
        g.get("data-step"): float(g.find(f"{SVG}rect").get("x", "0"))  # type: ignore[union-attr]
        for g in steps
    }
    assert xs["a"] < xs["b"] < xs["c"] == xs["e & <f>"]


def test_a_case_without_citizen_facts_draws_no_event_node() -> None:
    case = view(citizen_inputs=[])
    root = ET.fromstring(case_graph_svg(case))
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "event"]
