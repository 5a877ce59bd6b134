"""Plotly figures for the dashboard and the report, built from result-table frames.

Every function takes a pandas frame (already read from a result table) and labels in the
page's language and returns a `plotly.graph_objects.Figure`; none of them queries. The same
figures go into the Streamlit pages and, inline, into the HTML report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

FONT = "Noto Sans CJK KR, Noto Sans KR, Apple SD Gothic Neo, Malgun Gothic, Segoe UI, Arial, sans-serif"
PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#f59e0b", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]


def style(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        colorway=PALETTE,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        title=title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig


def titled(fig: go.Figure, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Axis titles (a chart without them leaves the reader guessing the unit)."""
    if x_title:
        fig.update_xaxes(title=x_title)
    if y_title:
        fig.update_yaxes(title=y_title)
    return fig


def lines(
    df: pd.DataFrame,
    x: str,
    ys: Sequence[str],
    names: Sequence[str],
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    mode: str = "lines+markers",
) -> go.Figure:
    fig = go.Figure()
    for y, name in zip(ys, names, strict=True):
        fig.add_trace(go.Scatter(x=df[x], y=df[y], name=name, mode=mode))
    fig.update_layout(showlegend=len(ys) > 1)
    return style(titled(fig, x_title, y_title or (names[0] if len(names) == 1 else None)), title)


def bars(
    df: pd.DataFrame,
    x: str,
    y: str,
    name: str | None = None,
    color: str | None = None,
    horizontal: bool = False,
    title: str | None = None,
    height: int = 360,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Bars of ``y`` per ``x`` (stacked by ``color``); the value axis is titled ``y_title`` or ``name``."""
    fig = go.Figure()
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    for key, part in groups:
        label = name if key is None else str(key)
        if horizontal:
            fig.add_trace(go.Bar(x=part[y], y=part[x].astype(str), name=label, orientation="h"))
        else:
            fig.add_trace(go.Bar(x=part[x], y=part[y], name=label))
    fig.update_layout(barmode="stack" if color else "group", showlegend=color is not None)
    value_title = y_title or name
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        titled(fig, value_title, x_title)
    else:
        titled(fig, x_title, value_title)
    return style(fig, title, height)


def diverging(
    df: pd.DataFrame,
    x: str,
    group: str,
    y: str,
    net_name: str | None = None,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Signed stacked bars: positive groups stack up from zero, negative ones (leavers) down,
    each visible (``relative`` bar mode); a line shows the net sum per ``x`` when named."""
    fig = go.Figure()
    for key, part in df.groupby(group, sort=False):
        fig.add_trace(go.Bar(x=part[x], y=part[y], name=str(key)))
    if net_name:
        net = df.groupby(x, sort=True)[y].sum().reset_index()
        fig.add_trace(
            go.Scatter(
                x=net[x], y=net[y], name=net_name, mode="lines+markers", line={"color": "#111827", "width": 2}
            )
        )
    fig.update_layout(barmode="relative", showlegend=True)
    fig.add_hline(y=0, line={"color": "#64748b", "width": 1})
    return style(titled(fig, x_title, y_title), title)


def waterfall(
    labels: Sequence[str],
    values: Sequence[float],
    measures: Sequence[str],
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    fig = go.Figure(
        go.Waterfall(
            x=list(labels),
            y=list(values),
            measure=list(measures),
            connector={"line": {"color": "#94a3b8"}},
            increasing={"marker": {"color": "#16a34a"}},
            decreasing={"marker": {"color": "#dc2626"}},
            totals={"marker": {"color": "#2563eb"}},
        )
    )
    return style(titled(fig, x_title, y_title), title)


def heatmap(
    matrix: pd.DataFrame,
    title: str | None = None,
    pct: bool = False,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    reverse_y: bool = True,
) -> go.Figure:
    """Cells coloured by value; the first row on top unless ``reverse_y`` is False (then the
    largest index is on top, e.g. the best grade)."""
    z = matrix.to_numpy(dtype=float)
    text = [[("" if pd.isna(v) else (f"{v * 100:.0f}%" if pct else f"{v:,.0f}")) for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hoverongaps=False,
        )
    )
    fig.update_xaxes(title=x_title, type="category")
    fig.update_yaxes(title=y_title, type="category", autorange="reversed" if reverse_y else True)
    return style(fig, title, height)


def alive_matrix(df: pd.DataFrame, x_title: str, y_title: str, height: int = 460) -> go.Figure:
    """P(alive) per repeat purchases (rows, most on top) and day of the last purchase (columns),
    red for customers probably gone, green for those probably still buying (as lifetimes draws
    its probability-alive matrix); ``df`` has frequency, recency and p_alive."""
    d = df.assign(recency=df["recency"].round(0).astype(int))
    matrix = d.pivot_table(index="frequency", columns="recency", values="p_alive", aggfunc="first")
    matrix = matrix.sort_index().sort_index(axis=1)
    z = matrix.to_numpy(dtype=float)
    show_text = z.size <= 200
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            text=[[("" if pd.isna(v) else f"{v * 100:.0f}%") for v in row] for row in z],
            texttemplate="%{text}" if show_text else None,
            hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>P(alive): %{{z:.0%}}<extra></extra>",
            colorscale="RdYlGn",
            zmin=0.0,
            zmax=1.0,
            hoverongaps=False,
            colorbar={"tickformat": ".0%"},
        )
    )
    fig.update_xaxes(title=x_title, type="category")
    fig.update_yaxes(title=y_title, type="category")
    return style(fig, None, height)


def alive_history(
    df: pd.DataFrame,
    x_title: str,
    y_title: str,
    line_name: str,
    purchase_name: str,
    height: int = 300,
    today: Any = None,
    today_label: str | None = None,
) -> go.Figure:
    """One customer's P(alive) day by day (``day``, ``p_alive``) with a marker on each day she
    bought (``purchase`` true): it jumps up after a purchase and decays while she is silent."""
    fig = go.Figure(go.Scatter(x=df["day"], y=df["p_alive"], name=line_name, mode="lines"))
    bought = df[df["purchase"]]
    fig.add_trace(go.Scatter(x=bought["day"], y=bought["p_alive"], name=purchase_name, mode="markers"))
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    if today is not None and not pd.isna(today):
        mark_day(fig, today, today_label or "")
    return style(titled(fig, x_title, y_title), None, height)


def mark_day(fig: go.Figure, day: Any, label: str) -> go.Figure:
    """A dashed vertical line at ``day`` on a date axis, labelled at its top (the run's cutoff:
    "today" for the data)."""
    x = pd.Timestamp(day).to_pydatetime()
    fig.add_shape(
        type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line={"color": "#475569", "dash": "dash"}
    )
    fig.add_annotation(
        x=x,
        xref="x",
        y=1,
        yref="paper",
        text=label,
        showarrow=False,
        xanchor="right",
        yanchor="top",
        font={"color": "#475569", "size": 12},
        bgcolor="rgba(255,255,255,0.8)",
    )
    return fig


def order_timeline(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    x_title: str,
    y_title: str,
    today: Any = None,
    today_label: str | None = None,
    height: int = 300,
) -> go.Figure:
    """One point per order at its amount on a stem from zero (one colour per ``color`` value),
    and a dashed line on ``today`` (the run's cutoff): readable with one order or a thousand,
    over days or years, where bars of one day's width vanish."""
    fig = go.Figure()
    for i, (key, part) in enumerate(df.groupby(color, sort=False)):
        shade = PALETTE[i % len(PALETTE)]
        stems_x: list[Any] = []
        stems_y: list[Any] = []
        for when, amount in zip(part[x], part[y], strict=True):
            stems_x += [when, when, None]
            stems_y += [0, amount, None]
        fig.add_trace(
            go.Scatter(
                x=stems_x,
                y=stems_y,
                mode="lines",
                line={"color": shade, "width": 1.5},
                legendgroup=str(key),
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                mode="markers",
                name=str(key),
                legendgroup=str(key),
                marker={"color": shade, "size": 8},
            )
        )
    fig.update_yaxes(rangemode="tozero", separatethousands=True)
    fig.update_layout(showlegend=True)
    if today is not None and not pd.isna(today):
        mark_day(fig, today, today_label or "")
    return style(titled(fig, x_title, y_title), None, height)


def curve(
    parts: Sequence[tuple[str, pd.Series, pd.Series]],
    x_title: str,
    y_title: str,
    diagonal: str | None = None,
    title: str | None = None,
) -> go.Figure:
    fig = go.Figure()
    for name, x, y in parts:
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines"))
    if diagonal:
        fig.add_trace(
            go.Scatter(
                x=[0, 1], y=[0, 1], name=diagonal, mode="lines", line={"dash": "dot", "color": "#94a3b8"}
            )
        )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    style(fig, title, 420)
    # the legend below the x axis's title, never over it (both sit under the plot)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        margin={"b": 10, "t": 40 if title else 10},
    )
    return fig


def confusion(
    tp: float, fp: float, fn: float, tn: float, labels: tuple[str, str, str, str], title: str | None = None
) -> go.Figure:
    """2x2 matrix; ``labels`` = (predicted, actual, churned, stayed)."""
    predicted, actual, churned, stayed = labels
    z = [[tp, fn], [fp, tn]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[churned, stayed],
            y=[churned, stayed],
            text=[[f"{v:,.0f}" for v in row] for row in z],
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        )
    )
    fig.update_xaxes(title=predicted, type="category")
    fig.update_yaxes(title=actual, type="category", autorange="reversed")
    return style(fig, title, 300)


def funnel(
    steps: Sequence[str],
    values: Sequence[float],
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Funnel bars with each step's count in full (``61,392``) and its share of the first step."""
    fig = go.Figure(
        go.Funnel(
            y=list(steps),
            x=list(values),
            texttemplate="%{value:,.0f} · %{percentInitial:.1%}",
            hovertemplate="%{y}: %{value:,.0f} (%{percentInitial:.1%})<extra></extra>",
        )
    )
    return style(titled(fig, x_title, y_title), title)


def sankey(
    sources: Sequence[str], targets: Sequence[str], values: Sequence[float], title: str | None = None
) -> go.Figure:
    nodes = list(dict.fromkeys([*sources, *targets]))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            node={"label": nodes, "pad": 12, "thickness": 14},
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "value": list(values),
            },
        )
    )
    return style(fig, title, 460)


def bridge_parts(ctx: Any, df: pd.DataFrame) -> tuple[list[str], list[float], list[str]]:
    """Labels, values and measures (``ctx`` gives ``t`` and ``vlabel``) of the waterfall: base period, components, current period.

    Values are in the table's unit (currency or items): the base is ``base_value`` (integer
    cents, or items) converted back, every component its ``change``, and the end the base
    plus the ``total`` row's change.
    """
    parts = df[df["component"] != "total"]
    total = df[df["component"] == "total"]
    change_total = float(total["change"].iloc[0]) if len(total) else float(parts["change"].sum())
    first = df.iloc[0]
    unit = first.get("unit", "money")
    scale = 100.0 if unit == "money" else 1.0
    base = float(first["base_value"]) / scale if "base_value" in df.columns else 0.0
    labels = [str(first.get("base_period", ctx.t("base_value")))]
    labels += [ctx.vlabel(c) for c in parts["component"]]
    labels += [str(first.get("current_period", ctx.t("current_value")))]
    values = [base, *[float(v) for v in parts["change"]], base + change_total]
    measures = ["absolute", *["relative"] * len(parts), "total"]
    return labels, values, measures


def localize_dates(fig: go.Figure, lang: str) -> go.Figure:
    """Korean month labels (``2022년 7월``) on a date x axis; English keeps Plotly's own."""
    if lang != "ko":
        return fig
    for trace in fig.data:
        x = getattr(trace, "x", None)
        if x is not None and len(x) and isinstance(x[0], datetime | date | np.datetime64 | pd.Timestamp):
            fig.update_xaxes(tickformat="%Y년 %-m월", hoverformat="%Y년 %-m월 %-d일")
            break
    return fig
