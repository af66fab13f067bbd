"""The page ``onething stats`` writes: self-contained HTML, charts as inline SVG, no scripts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from html import escape
from typing import Final

from onething.durations import format_span
from onething.report.stats import CaseStats
from onething.report.svg import SERIES_COLOURS, STATUS_COLOURS, Bar, bar_chart

_STYLE: Final = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#212121;
max-width:60rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.75rem 0}
th,td{border-bottom:1px solid #e0e0e0;padding:.3rem .8rem;text-align:right}
th:first-child,td:first-child{text-align:left}
.note{color:#616161;font-size:.9rem}
"""
#: Chart units for durations: the largest that keeps the longest bar above 1.
_UNITS: Final = (("d", 86_400.0), ("h", 3_600.0), ("min", 60.0), ("s", 1.0))


def stats_page(stats: CaseStats, *, namespace: str) -> str:
    """The statistics as one HTML document.

    Args:
        stats: The figures.
        namespace: The Temporal namespace they come from.

    Returns:
        The page.
    """
    generated = stats.generated_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>onething: case statistics</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>onething: case statistics</h1>",
        f'<p class="note">{stats.cases} case(s) in namespace {escape(namespace)}, '
        f"as of {escape(generated)}.</p>",
        *_cases_section(stats),
        *_durations_section(stats),
        *_materials_section(stats),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cases_section(stats: CaseStats) -> list[str]:
    statuses = sorted({s for counts in stats.by_bundle_status.values() for s in counts})
    bars = [
        Bar(bundle, [(s, counts.get(s, 0), STATUS_COLOURS.get(s, "#9e9e9e")) for s in statuses])
        for bundle, counts in stats.by_bundle_status.items()
    ]
    rows = [
        [bundle, *(str(counts.get(s, 0)) for s in statuses), str(sum(counts.values()))]
        for bundle, counts in stats.by_bundle_status.items()
    ]
    return [
        '<section id="cases"><h2>Cases by bundle and status</h2>',
        bar_chart(bars, label="cases by bundle and status"),
        _table(["bundle", *statuses, "total"], rows),
        "</section>",
    ]


def _durations_section(stats: CaseStats) -> list[str]:
    timed = [d for d in stats.durations if d.p50_s is not None and d.p95_s is not None]
    longest = max((d.p95_s or 0.0 for d in timed), default=0.0)
    unit, seconds = next(((u, s) for u, s in _UNITS if longest >= s), ("s", 1.0))
    bars = [
        Bar(f"{d.bundle} {label}", [(label, round(value / seconds, 1), colour)])
        for d in timed
        for label, value, colour in (
            ("p50", d.p50_s or 0.0, SERIES_COLOURS[0]),
            ("p95", d.p95_s or 0.0, SERIES_COLOURS[1]),
        )
    ]
    rows = [
        [
            d.bundle,
            str(d.closed),
            _span(d.p50_s),
            _span(d.p95_s),
            _span(d.max_s),
            _span(d.to_last_document_p50_s),
        ]
        for d in stats.durations
    ]
    chart = (
        bar_chart(bars, label="case durations p50 and p95 per bundle", unit=f" {unit}")
        if bars
        else '<p class="note">No case has closed yet.</p>'
    )
    return [
        '<section id="durations"><h2>Durations, start to close</h2>',
        chart,
        _table(["bundle", "closed cases", "p50", "p95", "longest", "p50 to last document"], rows),
        "</section>",
    ]


def _materials_section(stats: CaseStats) -> list[str]:
    ways = list(stats.materials_by_way)
    colours = {way: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, way in enumerate(ways)}
    overall = [
        Bar(way, [(way, count, colours[way])]) for way, count in stats.materials_by_way.items()
    ]
    per_bundle = [
        Bar(bundle, [(w, counts.get(w, 0), colours[w]) for w in ways])
        for bundle, counts in stats.materials_by_bundle.items()
    ]
    rows = [
        [bundle, *(str(counts.get(w, 0)) for w in ways), str(sum(counts.values()))]
        for bundle, counts in stats.materials_by_bundle.items()
    ]
    unread = (
        f'<p class="note">{stats.views_unread} case view(s) could not be read and are not '
        "counted here.</p>"
        if stats.views_unread
        else ""
    )
    body = (
        [
            bar_chart(overall, label="materials spared by way"),
            bar_chart(per_bundle, label="materials spared per bundle, by way"),
            _table(["bundle", *ways, "total"], rows),
        ]
        if ways
        else ['<p class="note">No case has spared a material yet.</p>']
    )
    return [
        '<section id="materials"><h2>Materials the citizens were spared, by way</h2>',
        f'<p class="note">From {stats.views_read} case view(s): every material a case did not '
        "ask the citizen for, and how it was replaced.</p>",
        *body,
        unread,
        "</section>",
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _span(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.1f}s" if seconds < 60 else format_span(timedelta(seconds=seconds))
