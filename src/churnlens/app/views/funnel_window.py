"""Behaviour page, the funnel as the reader sets it: a conversion window, time to convert and
conversion per week or month, for the units entering in the page's chosen months (and the
conversion compared with the comparison period). Figures from `churnlens.app.funnel_reader`.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from churnlens.app import figure, funnel_reader
from churnlens.app.compare import Span
from churnlens.app.context import Ctx
from churnlens.app.widgets import metric_row, show_table
from churnlens.presentation import charts


def _view(ctx: Ctx, window: str, spans: list[Span], period: str) -> dict:
    """The funnel for each span (their first and last days) and over time."""
    settings = json.dumps(ctx.info.get("settings", {}), sort_keys=True, default=str)
    ranges = tuple((s.first, s.end_day()) for s in spans) or ((None, None),)
    return funnel_reader.funnel_view(ctx.db, ctx.stamp, settings, window, ranges, period)


def conversion(view: dict) -> float | None:
    """Units at the last step / units at step 1 (None when nobody entered)."""
    steps = view["steps"]
    if steps.empty or not steps["units"].iloc[0]:
        return None
    return float(steps["units"].iloc[-1]) / float(steps["units"].iloc[0])


def duration(ctx: Ctx, seconds: float | None) -> str:
    """Seconds as minutes, hours or days, rounded for reading."""
    if seconds is None or pd.isna(seconds):
        return "–"
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= size:
            return ctx.t(f"duration_{unit}", n=ctx.num(seconds / size, 1))
    return ctx.t("duration_seconds", n=ctx.num(seconds))


def render(ctx: Ctx, current: Span | None, previous: Span | None) -> None:
    st.subheader(ctx.t("funnel_window_title"), help=ctx.t("funnel_window_help"))
    settings = ctx.info.get("settings", {})
    keys = list(funnel_reader.WINDOWS)
    default = funnel_reader.default_window(settings)
    left, right = st.columns([2, 1])
    window = (
        left.segmented_control(
            ctx.t("funnel_window"),
            keys,
            default=default,
            format_func=lambda k: ctx.t(f"funnel_window_{k}"),
            key="funnel_window",
        )
        or default
    )
    period = (
        right.segmented_control(
            ctx.t("funnel_period"),
            ["week", "month"],
            default="month",
            format_func=lambda p: ctx.t(f"funnel_period_{p}"),
            key="funnel_period",
        )
        or "month"
    )
    spans = [s for s in (current, previous) if s is not None]
    found = _view(ctx, window, spans, period)
    now = found["ranges"][0]
    before = found["ranges"][1] if previous is not None and current is not None else None
    if now["steps"].empty:
        st.info(ctx.t("funnel_window_empty"), icon=":material/info:")
        return
    unit = ctx.t(f"funnel_unit_{found['unit']}")
    if current is not None:
        st.caption(ctx.t("funnel_window_period", period=current.label(ctx), unit=unit))
    steps = now["steps"]
    entered = int(steps["units"].iloc[0])
    converted = int(steps["units"].iloc[-1])
    rate, old = conversion(now), conversion(before) if before else None
    metric_row(
        ctx,
        [
            (ctx.t("funnel_entered", unit=unit), entered, "count", None, ctx.t("def_funnel_entered")),
            (ctx.t("funnel_converted"), converted, "count", None, ctx.t("def_funnel_converted")),
            (ctx.t("funnel_conversion"), rate, "pct", old, ctx.t("def_funnel_conversion")),
            (
                ctx.t("funnel_median_time"),
                duration(ctx, now["median_s"]),
                "text",
                None,
                ctx.t("def_funnel_median"),
            ),
        ],
        per_row=4,
    )
    labels = [ctx.vlabel(s) for s in steps["step_name"]]
    figure.show(
        charts.funnel(labels, steps["units"].tolist(), x_title=unit, y_title=ctx.t("axis_step")),
        key="funnel_window_chart",
    )
    table = pd.DataFrame(
        {
            ctx.t("axis_step"): labels,
            ctx.t("funnel_units", unit=unit): [ctx.num(v) for v in steps["units"]],
            ctx.label("conversion_from_previous"): [ctx.pct(v) for v in steps["conversion_from_previous"]],
            ctx.t("funnel_median_from_previous"): [duration(ctx, v) for v in steps["median_s_from_previous"]],
        }
    )
    show_table(ctx, table, key="funnel_window_table")
    left, right = st.columns(2)
    with left:
        times(ctx, now["times"])
    with right:
        over_time(ctx, found["over_time"], period, current)


def times(ctx: Ctx, df: pd.DataFrame) -> None:
    """Converted units per time-to-convert bucket."""
    st.markdown(f"**{ctx.t('funnel_time_to_convert')}**")
    if df.empty:
        st.info(ctx.t("funnel_none_converted"), icon=":material/info:")
        return
    shown = df.assign(bucket_label=[ctx.t("funnel_from", time=duration(ctx, s)) for s in df["from_s"]])
    figure.show(
        charts.bars(
            shown,
            "bucket_label",
            "units",
            name=ctx.t("funnel_converted"),
            height=300,
            x_title=ctx.t("axis_time_to_convert"),
            y_title=ctx.t("funnel_converted"),
        ),
        key="funnel_times_chart",
    )


def over_time(ctx: Ctx, df: pd.DataFrame, period: str, current: Span | None) -> None:
    """Conversion per week or month of entry over the whole history, the chosen months shaded."""
    st.markdown(f"**{ctx.t('funnel_over_time')}**")
    if df.empty:
        return
    fig = charts.lines(
        df,
        "period_start",
        ["conversion"],
        [ctx.t("funnel_conversion")],
        x_title=ctx.t(f"axis_{period}"),
        y_title=ctx.t("funnel_conversion"),
    )
    fig.update_yaxes(tickformat=".1%")
    if current is not None:
        fig.add_vrect(
            x0=pd.Timestamp(current.first),
            x1=pd.Timestamp(current.end_day()),
            fillcolor="#1f77b4",
            opacity=0.12,
            line_width=0,
        )
    fig.update_layout(height=300)
    figure.show(fig, key="funnel_over_time_chart")
