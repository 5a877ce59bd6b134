"""Campaigns: actions, revenue at stake, expected saved revenue, ROI, export per action.

Tables: ``campaign_summary`` (one row per action) and ``actions`` (one row per customer, for
the export).
"""

from __future__ import annotations

import streamlit as st

from churnlens.app import figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import axis_title, kpi, metric_row, numeric_columns, pick, show_table
from churnlens.presentation import charts
from churnlens.safe_csv import csv_bytes

TABLES = ("campaign_summary", "actions")
EXPORT_LIMIT = 200_000
#: Columns of the per-action export (as `churnlens export` writes them), when present.
EXPORT_COLUMNS = (
    "customer_id",
    "action",
    "reason",
    "churn_probability",
    "value",
    "offer_discount",
    "routine_product_names",
    "revenue_at_stake",
    "expected_saved_revenue",
    "expected_value",
)
#: Of those, the columns shown on screen (the CSV has them all): the chosen action is the same on
#: every row, and more columns would not fit beside the reason.
ON_SCREEN = ("customer_id", "reason", "churn_probability", "value", "offer_discount", "expected_saved_revenue")
TOTALS = (
    ("customers", "count"),
    ("revenue_at_stake", "money"),
    ("expected_saved_revenue", "money"),
    ("cost", "money"),
)


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_campaigns"))
    summary(ctx)
    export(ctx)


def summary(ctx: Ctx) -> None:
    st.subheader(ctx.t("campaign_summary"))
    if not ctx.need("campaign_summary"):
        return
    df = ctx.frame("campaign_summary")
    totals = [(c, k) for c, k in TOTALS if c in df.columns]
    if totals:
        metric_row(ctx, [kpi(ctx, c, df[c].sum(), kind=k) for c, k in totals], per_row=4)
    action = pick(df.columns, f"action_{ctx.lang}", "action", "action_label")
    nums = numeric_columns(df)
    stake = pick(df.columns, "revenue_at_stake", *nums)
    saved = pick(df.columns, "expected_saved_revenue")
    if action and stake:
        df = df.sort_values(stake, ascending=False)
        labelled = df.assign(**{action: df[action].map(ctx.vlabel)})
        fig = charts.bars(
            labelled,
            action,
            stake,
            name=ctx.label(stake),
            x_title=ctx.t("axis_action"),
            y_title=axis_title(ctx, "revenue"),
        )
        if saved:
            import plotly.graph_objects as go

            fig.add_trace(go.Bar(x=labelled[action], y=labelled[saved], name=ctx.label(saved)))
            fig.update_layout(showlegend=True)
        figure.show(fig, key="campaign_chart")
    show_table(ctx, df, key="campaign_table")
    if "roi" in df.columns:
        st.caption(ctx.t("roi_help"))


def export(ctx: Ctx) -> None:
    if not ctx.need("actions"):
        return
    cols = ctx.columns("actions")
    action = pick(cols, "action", "action_label")
    if not action:
        return
    choices = ctx.distinct("actions", action)
    if not choices:
        return
    chosen = st.selectbox(ctx.t("export_action"), choices, format_func=ctx.vlabel, key="export_action")
    filters = ((action, "==", chosen),)
    # the reason in the reader's language (reason_ko), else the English one
    reason = pick(cols, f"reason_{ctx.lang}", "reason") or "reason"
    keep = [reason if c == "reason" else c for c in EXPORT_COLUMNS]
    keep = [c for c in keep if c in cols] or None
    total = ctx.count("actions", filters)
    df = ctx.frame("actions", keep, filters=filters, limit=100).rename(columns={reason: "reason"})
    st.caption(ctx.t("shown_rows", shown=ctx.num(len(df)), total=ctx.num(total)))
    show_table(ctx, df[[c for c in df.columns if c in ON_SCREEN]], key="actions_table")

    def csv() -> bytes:  # built only when the button is clicked
        return csv_bytes(
            ctx.frame("actions", keep, filters=filters, limit=EXPORT_LIMIT).rename(columns={reason: "reason"})
        )

    st.download_button(
        ctx.t("download_csv"),
        csv,
        file_name=f"action_{chosen}.csv".replace(" ", "_").replace("/", "_"),
        mime="text/csv",
        key="actions_csv",
    )
