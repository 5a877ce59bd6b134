"""Overview: key numbers against the previous month, monthly sales, revenue bridge, findings.

Tables: ``sales_monthly`` (KPIs: revenue, orders, buyers, aov, failed_share of the last month
against the month before; the sales chart), ``revenue_bridge`` (waterfall from the base to
the current period), ``revenue_bridge_by_segment``, ``category_sales_monthly``, ``findings``
(text_en / text_ko by rank), ``data_profile`` (orders and span while sales are missing).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from churnlens.app import compare, figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import (
    axis_title,
    kpi,
    localized_text,
    metric,
    metric_row,
    pick,
    show_table,
)
from churnlens.presentation import charts

TABLES = (
    "sales_monthly",
    "revenue_bridge",
    "revenue_bridge_by_segment",
    "category_sales_monthly",
    "findings",
)

#: KPI columns of sales_monthly, in the order they are shown (those present).
KPI_COLUMNS = ("revenue", "orders", "buyers", "aov", "failed_share")
MONTH_COLUMNS = ("period_start", "month")


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_overview"))
    if ctx.relative_time:
        st.caption(ctx.t("relative_time", date=ctx.info.get("snapshot_date", "")))
    periods = kpis(ctx)
    findings(ctx)
    sales(ctx, periods)
    bridge(ctx)


def sales_frame(ctx: Ctx) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Monthly sales rows (oldest first), their month column and the KPI columns present."""
    df = ctx.frame("sales_monthly")
    month = pick(df.columns, *MONTH_COLUMNS)
    if month:
        df = df.sort_values(month).reset_index(drop=True)
    cols = [c for c in KPI_COLUMNS if c in df.columns and pd.api.types.is_numeric_dtype(df[c])]
    return df, month, cols


def kpis(ctx: Ctx) -> tuple[compare.Span, compare.Span | None] | None:
    """The KPIs of the chosen months against the comparison period; those (current, previous)."""
    st.subheader(ctx.t("kpis"))
    if ctx.has("sales_monthly") and ctx.rows("sales_monthly"):
        df, month, cols = sales_frame(ctx)
        if month and cols:
            current, previous = compare.period(ctx, df[month].tolist())
            now = compare.summarise(df, month, cols, current) or df.iloc[-1][cols].to_dict()
            before = compare.summarise(df, month, cols, previous)
            note = compare.caption(ctx, current, previous if before else None)
            if note:
                st.caption(note)
            metric_row(ctx, [kpi(ctx, c, now[c], None if before is None else before[c]) for c in cols])
            return current, previous if before else None
    ctx.need("sales_monthly")
    prof = ctx.profile()
    if prof is None:
        return
    rows = prof.set_index("table_name")
    shown = [t for t in ("orders", "customers") if t in rows.index]
    for table, box in zip(shown, st.columns(len(shown) or 1), strict=False):
        with box:
            metric(ctx, ctx.label(table), rows.loc[table, "rows"], "count")
    if "orders" in rows.index:
        st.caption(
            ctx.t(
                "data_span",
                orders=ctx.num(rows.loc["orders", "rows"]),
                first=ctx.date(rows.loc["orders", "first_ts"]),
                last=ctx.date(rows.loc["orders", "last_ts"]),
            )
        )
    return None


def sales(ctx: Ctx, periods: tuple[compare.Span, compare.Span | None] | None = None) -> None:
    st.subheader(ctx.t("monthly_sales"))
    if not ctx.need("sales_monthly"):
        return
    df, month, cols = sales_frame(ctx)
    if not month or not cols:
        show_table(ctx, df)
        return
    main = cols[0]
    fig = charts.bars(
        df, month, main, name=ctx.label(main), x_title=ctx.t("axis_month"), y_title=axis_title(ctx, main)
    )
    if "orders" in df.columns and main != "orders":
        fig.add_trace(
            go.Scatter(x=df[month], y=df["orders"], name=ctx.label("orders"), yaxis="y2", mode="lines")
        )
        # Orders from zero on the right, counts as whole numbers (a count is never negative).
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                "tickmode": "auto",
                "tickformat": ",d",
                "title": ctx.t("orders_axis"),
            },
            showlegend=True,
        )
        fig.update_layout(yaxis={"rangemode": "tozero"})
    if periods:
        compare.mark(fig, ctx, *periods)
    figure.show(fig, key="sales_chart")
    if ctx.has("category_sales_monthly") and ctx.rows("category_sales_monthly"):
        cat = ctx.frame("category_sales_monthly")
        if {"month", "category", "item_revenue"} <= set(cat.columns):
            st.markdown(f"**{ctx.t('category_sales')}**")
            figure.show(
                charts.bars(
                    cat.sort_values("month"),
                    "month",
                    "item_revenue",
                    color="category",
                    x_title=ctx.t("axis_month"),
                    y_title=axis_title(ctx, "item_revenue"),
                ),
                key="category_chart",
            )


def bridge(ctx: Ctx) -> None:
    st.subheader(ctx.t("revenue_bridge"), help=ctx.t("revenue_bridge_help"))
    if not ctx.need("revenue_bridge"):
        return
    df = ctx.frame("revenue_bridge")
    if not {"component", "change"} <= set(df.columns):
        show_table(ctx, df)
        return
    labels, values, measures = charts.bridge_parts(ctx, df)
    labels = [_period_text(ctx, labels[0]), *labels[1:-1], _period_text(ctx, labels[-1])]
    unit = str(df.iloc[0].get("unit", "money"))
    y_title = axis_title(ctx, "revenue") if unit == "money" else ctx.label("items")
    figure.show(
        charts.waterfall(labels, values, measures, x_title=ctx.t("axis_component"), y_title=y_title),
        key="bridge_chart",
    )
    explain(ctx, df)
    show_table(
        ctx,
        df[[c for c in ("component", "customers", "change", "share_of_change") if c in df.columns]],
        key="bridge_table",
    )
    if "share_of_change" in df.columns:
        st.caption(ctx.t("share_of_change_help"))
    if ctx.has("revenue_bridge_by_segment") and ctx.rows("revenue_bridge_by_segment"):
        seg = ctx.frame("revenue_bridge_by_segment")
        if {"segment", "component", "change"} <= set(seg.columns):
            st.markdown(f"**{ctx.t('segment_drivers')}**")
            totals = seg[seg["component"] == "total"].sort_values(
                pick(seg.columns, "segment_rank") or "change"
            )
            totals = totals.assign(segment=totals["segment"].map(ctx.vlabel))
            figure.show(
                charts.bars(
                    totals,
                    "segment",
                    "change",
                    name=ctx.label("change"),
                    horizontal=True,
                    height=300,
                    x_title=ctx.label("segment"),
                    y_title=axis_title(ctx, "change"),
                ),
                key="bridge_segments",
            )


def _period_text(ctx: Ctx, label: str) -> str:
    """A bridge period label (``2022-06..2022-07``) in words (``Jun–Jul 2022``)."""
    span = compare.parse_period(label)
    return label if span is None else span.label(ctx)


def explain(ctx: Ctx, df: pd.DataFrame) -> None:
    """Why a large loss and a small net change are both true: losses and gains, then the net."""
    parts = df[df["component"] != "total"]
    change = pd.to_numeric(parts["change"], errors="coerce")
    lost, gained = change[change < 0].sum(), change[change > 0].sum()
    if not lost or not gained:
        return
    unit = str(df.iloc[0].get("unit", "money"))

    def amount(v: float) -> str:
        return ctx.money(v) if unit == "money" else ctx.value(v, "count")

    st.caption(ctx.t("bridge_explain", lost=amount(-lost), gained=amount(gained), net=amount(lost + gained)))


def findings(ctx: Ctx) -> None:
    st.subheader(ctx.t("findings"))
    if not ctx.need("findings"):
        return
    df = ctx.frame("findings")
    order = pick(df.columns, "rank", "priority")
    if order:
        df = df.sort_values(order)
    text = localized_text(ctx, df)
    if text is None:
        show_table(ctx, df)
        return
    shown = 0
    icons = {"high": ":material/error:", "medium": ":material/warning:"}
    for _, row in df.iterrows():
        body = row[text]
        if pd.isna(body) or not str(body).strip():
            continue
        severity = str(row.get("severity", "info"))
        icon = icons.get(severity, ":material/info:")
        st.markdown(f"{icon} **{ctx.vlabel(severity)}** · {body}")
        shown += 1
    if not shown:
        st.info(ctx.t("no_findings"))
