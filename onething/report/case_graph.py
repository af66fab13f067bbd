"""A case's steps as a graph: one node per step, an edge wherever a step needs a fact another
gives, laid out left to right by dependency depth and coloured by the step's state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from onething.report.svg import STATE_COLOURS, document, legend_row, text, title
from workflows.models import CaseView, StepView

#: The pseudo-node the citizen's facts (the trigger event) come from.
EVENT_NODE: Final = "citizen event"
_NODE_W, _NODE_H = 240.0, 64.0
_COL_GAP, _ROW_GAP, _MARGIN, _TOP = 170.0, 28.0, 24.0, 56.0
_TINTS: Final = {
    "done": "#e8f5e9",
    "running": "#fff8e1",
    "pending": "#f5f5f5",
    "skipped": "#e0f7fa",
    "failed": "#ffebee",
    "not_run": "#eeeeee",
}
_EVENT_COLOUR: Final = "#455a64"


@dataclass(frozen=True)
class Edge:
    """``target`` needs ``facts`` that ``source`` gives (or that the citizen's event carried)."""

    source: str
    target: str
    facts: tuple[str, ...]


def dependencies(view: CaseView) -> list[Edge]:
    """The edges of the case's step graph, from giver to needer.

    Args:
        view: The case view; its steps declare what they need and give.

    Returns:
        One edge per (giver, needer) pair, with the facts that flow along it.
    """
    givers: dict[str, list[str]] = defaultdict(list)
    for step in view.steps:
        for fact in step.gives:
            givers[fact].append(step.name)
    from_event = set(view.citizen_inputs)
    flows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for step in view.steps:
        for fact in step.needs:
            sources = [g for g in givers.get(fact, []) if g != step.name]
            if not sources and fact in from_event:
                sources = [EVENT_NODE]
            for source in sources:
                flows[(source, step.name)].append(fact)
    return [Edge(s, t, tuple(facts)) for (s, t), facts in flows.items()]


def depths(view: CaseView, edges: list[Edge]) -> dict[str, int]:
    """Each node's column: the length of the longest chain of needs leading to it."""
    depth = {EVENT_NODE: 0} | {step.name: 0 for step in view.steps}
    # Longest path by relaxation; a bundle is acyclic, and the bound stops a malformed one.
    for _ in range(len(depth)):
        changed = False
        for edge in edges:
            if depth[edge.target] < depth[edge.source] + 1:
                depth[edge.target] = depth[edge.source] + 1
                changed = True
        if not changed:
            break
    return depth


def case_graph_svg(view: CaseView) -> str:
    """The case's steps as a standalone SVG document.

    Nodes carry ``data-step`` and ``data-state``, edges ``data-from``, ``data-to`` and
    ``data-facts``, so the picture can be read back by tools as well as by people.

    Args:
        view: The case view.

    Returns:
        The SVG text.
    """
    edges = dependencies(view)
    place = _layout(view, edges)
    ports = _ports(edges, place)
    width = max(max(x for x, _ in place.values()) + _NODE_W + _MARGIN, 420.0)
    bottom = max(y for _, y in place.values()) + _NODE_H + 30
    body = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#607d8b"/></marker></defs>',
        text(
            _MARGIN,
            30,
            f"{view.case_id}  ({view.bundle}, {view.status})",
            font_size=16,
            font_weight="bold",
        ),
    ]
    body += [_edge(edge, *ports[edge]) for edge in edges]
    if EVENT_NODE in place:
        body.append(_event_node(place[EVENT_NODE], view.citizen_inputs))
    body += [_step_node(step, place[step.name]) for step in view.steps]
    height = legend_row(body, dict(STATE_COLOURS), x=_MARGIN, y=bottom, width=width)
    return document(width, height, body, label=f"steps of case {view.case_id}")


def _layout(view: CaseView, edges: list[Edge]) -> dict[str, tuple[float, float]]:
    """Top-left corners: a column per depth, each column ordered by its nodes' sources."""
    depth = depths(view, edges)
    has_event = any(edge.source == EVENT_NODE for edge in edges)
    columns: dict[int, list[str]] = defaultdict(list)
    if has_event:
        columns[0].append(EVENT_NODE)
    for step in view.steps:
        columns[depth[step.name]].append(step.name)
    sources: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.source != EVENT_NODE:
            sources[edge.target].append(edge.source)
    shift = 0 if has_event else 1
    row_of: dict[str, float] = {}
    place: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        names = columns[column]
        # Barycentre ordering: a node sits level with the nodes it needs, so fewer edges cross.
        order = {name: i for i, name in enumerate(names)}
        names.sort(
            key=lambda n: (
                sum(row_of[s] for s in sources[n]) / len(sources[n]) if sources[n] else -1.0,
                order[n],
            )
        )
        for row, name in enumerate(names):
            row_of[name] = row
            x = _MARGIN + (column - shift) * (_NODE_W + _COL_GAP)
            place[name] = (x, _TOP + row * (_NODE_H + _ROW_GAP))
    return place


Point = tuple[float, float]


def _ports(edges: list[Edge], place: dict[str, Point]) -> dict[Edge, tuple[Point, Point]]:
    """Where each edge leaves its source and enters its target, spread along the node's side."""
    leaving: dict[str, list[Edge]] = defaultdict(list)
    entering: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        leaving[edge.source].append(edge)
        entering[edge.target].append(edge)
    start: dict[Edge, Point] = {}
    end: dict[Edge, Point] = {}
    for name, out in leaving.items():
        x, y = place[name]
        out.sort(key=lambda e: place[e.target][1])
        for i, edge in enumerate(out):
            start[edge] = (x + _NODE_W, y + _NODE_H * (i + 1) / (len(out) + 1))
    for name, into in entering.items():
        x, y = place[name]
        into.sort(key=lambda e: place[e.source][1])
        for i, edge in enumerate(into):
            end[edge] = (x, y + _NODE_H * (i + 1) / (len(into) + 1))
    return {edge: (start[edge], end[edge]) for edge in edges}


def _edge(edge: Edge, start: Point, end: Point) -> str:
    (x1, y1), (x2, y2) = start, end
    bend = max((x2 - x1) / 2, 40.0)
    facts = ", ".join(edge.facts)
    from_event = edge.source == EVENT_NODE
    # The citizen's facts reach most steps; their edges stay faint and unlabelled (the tooltip
    # names the facts) so the facts passed between departments stand out.
    stroke = 'stroke="#cfd8dc" stroke-dasharray="4 3"' if from_event else 'stroke="#78909c"'
    label = (
        ""
        if from_event
        else text(
            x2 - 10,
            y2 - 5,
            facts,
            font_size=10,
            fill="#37474f",
            text_anchor="end",
            stroke="#fff",
            stroke_width=3,
            paint_order="stroke",
        )
    )
    return (
        f'<g class="edge" data-from="{_attr(edge.source)}" data-to="{_attr(edge.target)}" '
        f'data-facts="{_attr(facts)}">{title(f"{edge.source} → {edge.target}: {facts}")}'
        f'<path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} '
        f'{x2:.1f},{y2:.1f}" fill="none" {stroke} stroke-width="1.5" '
        f'marker-end="url(#arrow)"/>{label}</g>'
    )


def _step_node(step: StepView, at: tuple[float, float]) -> str:
    x, y = at
    colour = STATE_COLOURS.get(step.state, "#9e9e9e")
    tip = f"{step.name} ({step.department}): {step.state}" + (
        f" — {step.note}" if step.note else ""
    )
    return (
        f'<g class="step" data-step="{_attr(step.name)}" data-state="{step.state}">'
        + title(tip)
        + f'<rect x="{x:.1f}" y="{y:.1f}" width="{_NODE_W:.0f}" height="{_NODE_H:.0f}" rx="8" '
        f'fill="{_TINTS.get(step.state, "#fff")}" stroke="{colour}" stroke-width="2"/>'
        + text(x + 12, y + 26, step.name, font_size=13, font_weight="bold")
        + text(x + 12, y + 47, step.department, font_size=11, fill="#455a64")
        + text(x + _NODE_W - 12, y + 47, step.state, font_size=11, fill=colour, text_anchor="end")
        + "</g>"
    )


def _event_node(at: tuple[float, float], inputs: list[str]) -> str:
    x, y = at
    return (
        f'<g class="event" data-step="{EVENT_NODE}">'
        + title(f"supplied by the citizen: {', '.join(inputs)}")
        + f'<rect x="{x:.1f}" y="{y:.1f}" width="{_NODE_W:.0f}" height="{_NODE_H:.0f}" rx="32" '
        f'fill="#eceff1" stroke="{_EVENT_COLOUR}" stroke-width="2"/>'
        + text(
            x + _NODE_W / 2,
            y + 28,
            EVENT_NODE,
            font_size=13,
            font_weight="bold",
            text_anchor="middle",
        )
        + text(
            x + _NODE_W / 2,
            y + 46,
            f"{len(inputs)} fact(s) from the citizen",
            font_size=11,
            fill="#455a64",
            text_anchor="middle",
        )
        + "</g>"
    )


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
