"""Promotions: use, depth, who gets them, repurchase after a promotion vs full price.

Tables: ``promo_roi`` (KPIs), ``promo_codes`` (use and depth per code), ``promo_usage`` (who:
promo share per segment, age band, gender, weekday), ``promo_audience`` (first-month vs loyal
customers), ``promo_repurchase`` (repurchase rate after promo vs full-price orders). The
period selector picks ``all``, ``base`` or ``current`` where a table has periods. A shop
without prices or promotion codes gets a plain explanation.
"""

from __future__ import annotations

import streamlit as st

from churnlens.app import compare, figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import axis_title, kpi, metric_row, show_table
from churnlens.presentation import charts

TABLES = ("promo_roi", "promo_codes", "promo_usage", "promo_audience", "promo_repurchase")
ROI_KPIS = (
    ("promo_orders", "count"),
    ("discount_cost", "money"),
    ("incremental_revenue", "money"),
    ("net", "money"),
)
#: KPIs of one period (base or current), summed from ``promo_codes``: KPI -> column summed.
PERIOD_KPIS = (("promo_orders", "orders", "count"), ("promo_revenue", "revenue", "money"), ("discount_cost", "discount", "money"))


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_promotions"))
    if not ctx.priced:
        st.info(ctx.t("no_prices"), icon=":material/info:")
        return
    if ctx.has("promo_codes") and ctx.rows("promo_codes") == 0:
        st.info(ctx.t("no_promos"), icon=":material/info:")
        return
    periods = ["all", "base", "current"]
    period = (
        st.segmented_control(
            ctx.t("period"),
            periods,
            default="all",
            format_func=lambda p: period_name(ctx, p),
            key="promo_period",
        )
        or "all"
    )
    roi(ctx, period)
    codes(ctx, period)
    usage(ctx, period)
    audience(ctx, period)
    repurchase(ctx)


def _period(ctx: Ctx, table: str, period: str) -> tuple:
    return (("period", "==", period),) if "period" in ctx.columns(table) else ()


def period_name(ctx: Ctx, period: str) -> str:
    """``base period · Apr–May 2022``: the diagnosis period's dates with its name."""
    name = ctx.t(f"period_{period}")
    spans = compare.bridge_spans(ctx) if period != "all" else None
    if not spans:
        return name
    return f"{name} · {(spans[0] if period == 'base' else spans[1]).label(ctx)}"


def roi(ctx: Ctx, period: str = "all") -> None:
    """Promotion KPIs of the chosen period: the whole history from ``promo_roi``; the base or
    current period summed from that period's ``promo_codes`` rows."""
    st.subheader(ctx.t("promo_roi"))
    if period != "all" and ctx.has("promo_codes") and "period" in ctx.columns("promo_codes"):
        df = ctx.frame("promo_codes", filters=(("period", "==", period),))
        items = [kpi(ctx, name, df[col].sum(), kind=kind) for name, col, kind in PERIOD_KPIS if col in df]
        metric_row(ctx, items, per_row=4)
        st.caption(ctx.t("promo_period_kpis", period=period_name(ctx, period)))
        return
    if not ctx.need("promo_roi"):
        return
    row = ctx.frame("promo_roi").iloc[0]
    shown = [(c, k) for c, k in ROI_KPIS if c in row.index]
    metric_row(ctx, [kpi(ctx, c, row[c], kind=k) for c, k in shown], per_row=4)
    st.caption(ctx.t("promo_all_kpis"))


def codes(ctx: Ctx, period: str) -> None:
    st.subheader(ctx.t("promo_codes"))
    if not ctx.need("promo_codes"):
        return
    df = ctx.frame(
        "promo_codes", filters=_period(ctx, "promo_codes", period), order_by=("orders",), descending=True
    )
    if {"promo_code", "orders"} <= set(df.columns) and len(df):
        top = df.head(15)
        fig = charts.bars(
            top,
            "promo_code",
            "orders",
            name=ctx.label("orders"),
            height=300,
            x_title=ctx.t("axis_promo_code"),
            y_title=ctx.t("orders_axis"),
        )
        if "discount_depth" in top.columns:
            import plotly.graph_objects as go

            fig.add_trace(
                go.Scatter(
                    x=top["promo_code"],
                    y=top["discount_depth"],
                    name=ctx.label("discount_depth"),
                    yaxis="y2",
                    mode="markers",
                )
            )
            fig.update_layout(
                yaxis2={
                    "overlaying": "y",
                    "side": "right",
                    "tickformat": ".1%",  # depths lie close together: whole percents repeat
                    "showgrid": False,
                    "title": axis_title(ctx, "discount_depth"),
                },
                showlegend=True,
            )
        figure.show(fig, key="promo_codes_chart")
    show_table(ctx, df.drop(columns=["period"], errors="ignore"), key="promo_codes_table")


def usage(ctx: Ctx, period: str) -> None:
    st.subheader(ctx.t("promo_who"))
    if not ctx.need("promo_usage"):
        return
    df = ctx.frame("promo_usage", filters=_period(ctx, "promo_usage", period))
    if not {"dimension", "segment", "promo_share"} <= set(df.columns) or df.empty:
        show_table(ctx, df)
        return
    dims = list(dict.fromkeys(df["dimension"].astype(str)))
    dim = (
        st.segmented_control(
            ctx.t("dimension"), dims, default=dims[0], format_func=ctx.vlabel, key="promo_dim"
        )
        or dims[0]
    )
    part = df[df["dimension"].astype(str) == dim]
    shown = part.assign(segment=part["segment"].map(ctx.vlabel))
    fig = charts.bars(
        shown,
        "segment",
        "promo_share",
        name=ctx.label("promo_share"),
        height=300,
        x_title=ctx.vlabel(dim),
        y_title=axis_title(ctx, "promo_share"),
    )
    fig.update_yaxes(tickformat=".0%")
    figure.show(fig, key="promo_usage_chart")
    show_table(ctx, part.drop(columns=["period", "dimension"], errors="ignore"), key="promo_usage_table")


def audience(ctx: Ctx, period: str) -> None:
    st.subheader(ctx.t("promo_audience"))
    if not ctx.need("promo_audience"):
        return
    df = ctx.frame("promo_audience", filters=_period(ctx, "promo_audience", period))
    show_table(ctx, df.drop(columns=["period"], errors="ignore"), key="promo_audience_table")


def repurchase(ctx: Ctx) -> None:
    st.subheader(ctx.t("promo_repurchase"))
    if not ctx.need("promo_repurchase"):
        return
    df = ctx.frame("promo_repurchase")
    if {"order_type", "audience", "repurchase_rate"} <= set(df.columns):
        shown = df.assign(
            order_type=df["order_type"].map(ctx.vlabel), audience=df["audience"].map(ctx.vlabel)
        )
        fig = charts.bars(
            shown,
            "audience",
            "repurchase_rate",
            color="order_type",
            height=300,
            x_title=ctx.label("audience"),
            y_title=axis_title(ctx, "repurchase_rate"),
        )
        fig.update_layout(barmode="group")
        fig.update_yaxes(tickformat=".0%")
        figure.show(fig, key="promo_repurchase_chart")
    show_table(ctx, df, key="promo_repurchase_table")
