"""Charts of the HTML report as plain SVG shapes: no JavaScript, nothing to download.

The report draws three kinds of chart, and none needs an interactive library:

- `columns`: one vertical bar per period (monthly sales);
- `ranges`: one horizontal bar per row from a start to an end value; plain bars start at 0
  (segments, the model card) and a waterfall is a chain of them (the revenue bridge, `waterfall`).

Each function returns a `Chart`: the shapes (rectangles, lines, texts) in the coordinates of the
SVG's view box, which the report's template draws (`churnlens/templates/report_charts.html.j2`).
Every bar carries a tooltip with its exact value; every axis has its title. Values are formatted
by the caller's ``fmt`` (money with the currency, shares as percentages).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH = 960
BLUE, GREEN, RED, GREY = "#2563eb", "#16a34a", "#dc2626", "#94a3b8"
FONT_PX = 12


@dataclass
class Chart:
    """Shapes of one chart; ``label`` names it for screen readers."""

    label: str
    height: int
    width: int = WIDTH
    rects: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)


def _text(x: float, y: float, text: str, anchor: str, title: bool = False, rotate: int = 0) -> dict:
    return {"x": x, "y": y, "text": text, "anchor": anchor, "title": title, "rotate": rotate}


def text_width(text: str, px: int = FONT_PX) -> float:
    """About how wide ``text`` is drawn: wide (CJK) characters take a full em, others about half."""
    return sum(px if unicodedata.east_asian_width(ch) in "WF" else px * 0.58 for ch in text)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (0 included), about ``count`` of them."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    n = int(round((last - first) / step))
    return [first + i * step for i in range(n + 1)]


def columns(
    labels: Sequence[str],
    values: Sequence[float],
    fmt: Callable[[float], str],
    y_title: str,
    x_title: str,
    label: str,
    height: int = 300,
    tick_fmt: Callable[[float], str] | None = None,
) -> Chart:
    """Vertical bars, one per label, on a value axis with round ticks."""
    left, right, top, bottom = 90, 16, 16, 58
    chart = Chart(label, height)
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
    lo, hi = ticks[0], ticks[-1]
    plot_h = height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    for t in ticks:
        chart.lines.append({"x1": left, "y1": y(t), "x2": WIDTH - right, "y2": y(t), "stroke": "#e2e8f0"})
        chart.texts.append(_text(left - 6, y(t) + 4, (tick_fmt or fmt)(t), "end"))
    slot = (WIDTH - left - right) / max(len(values), 1)
    every = max(1, math.ceil(max((text_width(s) for s in labels), default=0) / (slot - 4)))
    for i, (name, v) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.15
        y0, y1 = sorted((y(0.0), y(v)))
        chart.rects.append(
            {
                "x": x,
                "y": y0,
                "w": slot * 0.7,
                "h": max(y1 - y0, 0.5),
                "fill": BLUE,
                "tip": f"{name}: {fmt(v)}",
            }
        )
        if i % every == 0:
            chart.texts.append(_text(x + slot * 0.35, height - bottom + 16, name, "middle"))
    chart.lines.append({"x1": left, "y1": y(0.0), "x2": WIDTH - right, "y2": y(0.0), "stroke": "#64748b"})
    chart.texts.append(_text((left + WIDTH) / 2, height - 8, x_title, "middle", title=True))
    chart.texts.append(_text(14, top + plot_h / 2, y_title, "middle", title=True, rotate=-90))
    return chart


def ranges(
    labels: Sequence[str],
    starts: Sequence[float],
    ends: Sequence[float],
    colors: Sequence[str],
    fmt: Callable[[float], str],
    x_title: str,
    label: str,
    shown: Sequence[float] | None = None,
    connect: bool = False,
    tick_fmt: Callable[[float], str] | None = None,
) -> Chart:
    """Horizontal bars from ``starts`` to ``ends``, one row per label, each with its value written
    beside it (``shown``, default end - start); ``connect`` draws a waterfall's connectors."""
    row, top, bottom = 30, 8, 52
    label_w = min(340.0, max((text_width(s) for s in labels), default=0.0) + 16)
    value_w = max((text_width(fmt(v)) for v in (shown or [])), default=60.0) + 16
    left, right = label_w, max(value_w, 70.0)
    height = top + row * len(labels) + bottom
    chart = Chart(label, int(height))
    ticks = nice_ticks(min([*starts, *ends], default=0.0), max([*starts, *ends], default=0.0))
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return left + (WIDTH - left - right) * (v - lo) / (hi - lo)

    axis_y = top + row * len(labels)
    for t in ticks:
        chart.lines.append({"x1": x(t), "y1": top, "x2": x(t), "y2": axis_y, "stroke": "#e2e8f0"})
        chart.texts.append(_text(x(t), axis_y + 16, (tick_fmt or fmt)(t), "middle"))
    values = shown if shown is not None else [e - s for s, e in zip(starts, ends, strict=True)]
    for i, (name, s, e, c, v) in enumerate(zip(labels, starts, ends, colors, values, strict=True)):
        y = top + i * row
        x0, x1 = sorted((x(s), x(e)))
        chart.rects.append(
            {
                "x": x0,
                "y": y + 5,
                "w": max(x1 - x0, 0.5),
                "h": row - 10,
                "fill": c,
                "tip": f"{name}: {fmt(v)}",
            }
        )
        chart.texts.append(_text(left - 8, y + row / 2 + 4, name, "end"))
        chart.texts.append(_text(x1 + 6, y + row / 2 + 4, fmt(v), "start"))
        if connect and i + 1 < len(labels):
            chart.lines.append({"x1": x(e), "y1": y + row - 5, "x2": x(e), "y2": y + row + 5, "stroke": GREY})
    chart.lines.append({"x1": x(0.0), "y1": top, "x2": x(0.0), "y2": axis_y, "stroke": "#64748b"})
    chart.texts.append(_text((left + WIDTH - right) / 2, height - 10, x_title, "middle", title=True))
    return chart


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    fmt: Callable[[float], str],
    x_title: str,
    label: str,
    tick_fmt: Callable[[float], str] | None = None,
) -> Chart:
    """Plain horizontal bars from 0."""
    n = len(values)
    return ranges(labels, [0.0] * n, list(values), [BLUE] * n, fmt, x_title, label, values, tick_fmt=tick_fmt)


def waterfall(
    labels: Sequence[str],
    values: Sequence[float],
    measures: Sequence[str],
    fmt: Callable[[float], str],
    x_title: str,
    label: str,
) -> Chart:
    """A horizontal waterfall: ``absolute`` / ``total`` rows from 0 (blue), ``relative`` rows as
    steps from the running total (green up, red down); each row shows its own value."""
    starts, ends, colors = [], [], []
    running = 0.0
    for v, m in zip(values, measures, strict=True):
        if m == "relative":
            starts.append(running)
            running += v
            ends.append(running)
            colors.append(GREEN if v >= 0 else RED)
        else:
            running = v
            starts.append(0.0)
            ends.append(v)
            colors.append(BLUE)
    return ranges(labels, starts, ends, colors, fmt, x_title, label, list(values), connect=True)
