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

from churnlens.app import charts
from churnlens.app.context import Ctx
from churnlens.app.widgets import kind_of, localized_text, metric, metric_row, pick, show_table

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
    kpis(ctx)
    findings(ctx)
    sales(ctx)
    bridge(ctx)


def sales_frame(ctx: Ctx) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Monthly sales rows (oldest first), their month column and the KPI columns present."""
    df = ctx.frame("sales_monthly")
    month = pick(df.columns, *MONTH_COLUMNS)
    if month:
        df = df.sort_values(month).reset_index(drop=True)
    cols = [c for c in KPI_COLUMNS if c in df.columns and pd.api.types.is_numeric_dtype(df[c])]
    return df, month, cols


def kpis(ctx: Ctx) -> None:
    st.subheader(ctx.t("kpis"))
    if ctx.has("sales_monthly") and ctx.rows("sales_monthly"):
        df, month, cols = sales_frame(ctx)
        if month and cols:
            last = df.iloc[-1]
            prev = df.iloc[-2] if len(df) > 1 else None
            if prev is not None:
                st.caption(ctx.t("kpi_help", period=ctx.month(last[month]), previous=ctx.month(prev[month])))
            metric_row(
                ctx,
                [(ctx.label(c), last[c], kind_of(c), None if prev is None else prev[c]) for c in cols],
            )
            return
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


def sales(ctx: Ctx) -> None:
    st.subheader(ctx.t("monthly_sales"))
    if not ctx.need("sales_monthly"):
        return
    df, month, cols = sales_frame(ctx)
    if not month or not cols:
        show_table(ctx, df)
        return
    main = cols[0]
    fig = charts.bars(df, month, main, name=ctx.label(main))
    if "orders" in df.columns and main != "orders":
        fig.add_trace(
            go.Scatter(x=df[month], y=df["orders"], name=ctx.label("orders"), yaxis="y2", mode="lines")
        )
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False}, showlegend=True)
    charts.show(fig, key="sales_chart")
    if ctx.has("category_sales_monthly") and ctx.rows("category_sales_monthly"):
        cat = ctx.frame("category_sales_monthly")
        if {"month", "category", "item_revenue"} <= set(cat.columns):
            st.markdown(f"**{ctx.t('category_sales')}**")
            charts.show(
                charts.bars(cat.sort_values("month"), "month", "item_revenue", color="category"),
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
    charts.show(charts.waterfall(*charts.bridge_parts(ctx, df)), key="bridge_chart")
    show_table(
        ctx,
        df[[c for c in ("component", "customers", "change", "share_of_change") if c in df.columns]],
        key="bridge_table",
    )
    if ctx.has("revenue_bridge_by_segment") and ctx.rows("revenue_bridge_by_segment"):
        seg = ctx.frame("revenue_bridge_by_segment")
        if {"segment", "component", "change"} <= set(seg.columns):
            st.markdown(f"**{ctx.t('segment_drivers')}**")
            totals = seg[seg["component"] == "total"].sort_values(
                pick(seg.columns, "segment_rank") or "change"
            )
            totals = totals.assign(segment=totals["segment"].map(ctx.vlabel))
            charts.show(
                charts.bars(
                    totals, "segment", "change", name=ctx.label("change"), horizontal=True, height=300
                ),
                key="bridge_segments",
            )


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
