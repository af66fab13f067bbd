"""Small SVG building blocks: escaped text, colours, and a horizontal bar chart.

Written by hand rather than with a plotting library: the charts are simple, and the output is
plain text that opens in any browser and embeds in a page without scripts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape, quoteattr

FONT: Final = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"

STATE_COLOURS: Final[Mapping[str, str]] = {
    "done": "#2e7d32",
    "running": "#f9a825",
    "pending": "#9e9e9e",
    "skipped": "#00838f",
    "failed": "#c62828",
    "not_run": "#616161",
}
STATUS_COLOURS: Final[Mapping[str, str]] = {
    "completed": "#2e7d32",
    "running": "#f9a825",
    "waiting-department": "#ef6c00",
    "waiting-citizen": "#8e24aa",
    "rejected": "#6d4c41",
    "revoked": "#ad1457",
    "failed": "#c62828",
    "cancelled": "#546e7a",
}
SERIES_COLOURS: Final = ("#1565c0", "#ef6c00", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41")


def text(x: float, y: float, content: str, **attributes: str | float) -> str:
    """A ``<text>`` element with escaped content.

    Args:
        x: Its x.
        y: Its baseline y.
        content: The text.
        **attributes: Further attributes; ``_`` in a name becomes ``-`` (``font_size``).

    Returns:
        The element.
    """
    attrs = "".join(
        f" {name.replace('_', '-')}={quoteattr(str(value))}" for name, value in attributes.items()
    )
    return f'<text x="{x:.1f}" y="{y:.1f}"{attrs}>{escape(content)}</text>'


def title(content: str) -> str:
    """A ``<title>`` element: the tooltip of its parent."""
    return f"<title>{escape(content)}</title>"


def document(width: float, height: float, body: Sequence[str], *, label: str) -> str:
    """A standalone ``<svg>`` element of the given size around ``body``."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label={quoteattr(label)} '
        f'style="{FONT}">' + "".join(body) + "</svg>"
    )


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label and its stacked segments (name, value, colour)."""

    label: str
    segments: Sequence[tuple[str, float, str]]


def bar_chart(bars: Sequence[Bar], *, label: str, unit: str = "", width: float = 640) -> str:
    """A horizontal bar chart, each bar stacked from its segments, with a legend.

    Args:
        bars: The rows, top to bottom.
        label: What the chart shows (its accessible name).
        unit: Appended to the total at each bar's end, e.g. ``" s"``.
        width: The chart's width in pixels.

    Returns:
        The ``<svg>`` element.
    """
    left, right, row, top = 150.0, 80.0, 28.0, 10.0
    largest = max((sum(v for _, v, _ in bar.segments) for bar in bars), default=0.0) or 1.0
    scale = (width - left - right) / largest
    body: list[str] = []
    legend: dict[str, str] = {}
    for i, bar in enumerate(bars):
        y = top + i * row
        body.append(text(left - 8, y + 17, bar.label, text_anchor="end", font_size=13))
        x = left
        for name, value, colour in bar.segments:
            legend.setdefault(name, colour)
            if value <= 0:
                continue
            w = value * scale
            body.append(
                f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{w:.1f}" height="{row - 8:.1f}" '
                f'fill="{colour}">{title(f"{bar.label}: {name} {_number(value)}{unit}")}</rect>'
            )
            x += w
        total = sum(v for _, v, _ in bar.segments)
        body.append(text(x + 6, y + 17, f"{_number(total)}{unit}", font_size=12, fill="#333"))
    height = legend_row(body, legend, x=left, y=top + len(bars) * row + 12, width=width)
    return document(width, height, body, label=label)


def legend_row(
    body: list[str], colours: Mapping[str, str], *, x: float, y: float, width: float
) -> float:
    """Append a legend of coloured squares to ``body``, wrapping at ``width``.

    Returns:
        The y just below the legend.
    """
    start = x
    for name, colour in colours.items():
        step = 24 + 7.5 * len(name)
        if x + step > width and x > start:
            x, y = start, y + 20
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colour}"/>')
        body.append(text(x + 16, y + 11, name, font_size=12))
        x += step
    return y + 24


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) or value >= 100 else f"{value:.1f}"
