"""Customer value: who is probably still a customer, what the customers are worth, and how well
the purchase model behind those numbers predicts (the checks lifetimes draws: the P(alive)
matrix, calibration against the holdout, cumulative repeat purchases).

Tables: ``customer_value`` (KPIs), ``clv_p_alive_matrix``, ``clv_calibration_holdout``,
``clv_repeat_purchases``, ``clv_model`` (parameters), all written by the customer_value stage.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from churnlens.app import figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import metric_row, show_table
from churnlens.presentation import charts

TABLES = (
    "customer_value",
    "clv_p_alive_matrix",
    "clv_calibration_holdout",
    "clv_repeat_purchases",
    "clv_model",
)
#: The calibration check pools this many repeat purchases and more into its last group
#: (`churnlens.clv.diagnostics.diagnostics_from_orders`).
POOLED_FREQUENCY = 7
#: A customer counts as probably still buying from this P(alive) on.
ALIVE = 0.5


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_value"))
    if not ctx.need("customer_value"):
        return
    headline(ctx)
    alive_matrix(ctx)
    start, days = holdout(ctx)
    calibration(ctx, start, days)
    repeat_purchases(ctx, start)
    models(ctx)


def clv_column(ctx: Ctx) -> str | None:
    """The lifetime-value column (``clv_12m`` for a 12-month horizon)."""
    return next((c for c in ctx.columns("customer_value") if re.fullmatch(r"clv_\d+m", c)), None)


def headline(ctx: Ctx) -> None:
    clv = clv_column(ctx) if ctx.priced else None
    metrics = [("customers", "count", None), ("purchases", "sum", "expected_purchases_90d")]
    if clv:
        metrics.append(("clv", "sum", clv))
    totals = ctx.grouped("customer_value", (), metrics).iloc[0]
    customers = int(totals["customers"])
    alive = ctx.count("customer_value", (("p_alive", ">=", ALIVE),))
    cutoff = ctx.frame("customer_value", ["cutoff"], limit=1)["cutoff"].iloc[0]
    items = [
        (
            ctx.t("value_customers"),
            customers,
            "count",
            None,
            ctx.t("def_value_customers", cutoff=ctx.date(cutoff)),
        ),
        (
            ctx.t("value_alive"),
            alive / customers if customers else None,
            "pct",
            None,
            ctx.t("def_value_alive"),
        ),
        (ctx.t("value_purchases"), totals["purchases"], "count", None, ctx.t("def_value_purchases")),
    ]
    if clv:
        months = clv[4:-1]
        items.append(
            (
                ctx.t("value_clv", months=months),
                totals["clv"],
                "money",
                None,
                ctx.t("def_value_clv", months=months),
            )
        )
    metric_row(ctx, items, per_row=len(items))


def alive_matrix(ctx: Ctx) -> None:
    st.subheader(ctx.t("alive_matrix"))
    if not ctx.need("clv_p_alive_matrix"):
        return
    df = ctx.frame("clv_p_alive_matrix")
    st.caption(ctx.t("alive_matrix_help", age=ctx.num(df["recency"].max())))
    fig = charts.alive_matrix(
        df, x_title=ctx.t("axis_last_purchase_day"), y_title=ctx.t("axis_repeat_purchases")
    )
    figure.show(fig, key="value_alive_matrix")


def holdout(ctx: Ctx) -> tuple[str, int]:
    """The first day the model checks did not see, as the page writes it, and the holdout length."""
    days = int(round(float(ctx.info.get("settings", {}).get("clv", {}).get("holdout_days", 90))))
    if not ctx.has("clv_repeat_purchases"):
        return "–", days
    first = ctx.frame(
        "clv_repeat_purchases", ["day"], filters=(("period", "==", "holdout"),), order_by=("day",), limit=1
    )
    return (ctx.date(first["day"].iloc[0]) if len(first) else "–"), days


def calibration(ctx: Ctx, start: str, days: int) -> None:
    st.subheader(ctx.t("calibration_holdout"))
    if not ctx.need("clv_calibration_holdout"):
        return
    st.caption(ctx.t("calibration_holdout_help", start=start, days=days))
    df = ctx.frame("clv_calibration_holdout").sort_values("frequency").reset_index(drop=True)
    labels = [ctx.num(f) for f in df["frequency"]]
    if len(df) > 1 and int(df["frequency"].iloc[-1]) == POOLED_FREQUENCY:
        labels[-1] = ctx.t("or_more", n=POOLED_FREQUENCY)
    shown = df.assign(group=labels)
    fig = charts.lines(
        shown,
        "group",
        ["actual", "predicted"],
        [ctx.t("model_actual"), ctx.t("model_expected")],
        x_title=ctx.t("axis_calibration_purchases", start=start),
        y_title=ctx.t("axis_holdout_purchases", days=days),
    )
    fig.update_xaxes(type="category")
    figure.show(fig, key="value_calibration")
    with st.expander(ctx.t("table")):
        show_table(ctx, df, key="value_calibration_table")


def repeat_purchases(ctx: Ctx, start: str) -> None:
    st.subheader(ctx.t("repeat_purchases"))
    if not ctx.need("clv_repeat_purchases"):
        return
    st.caption(ctx.t("repeat_purchases_help", start=start))
    df = ctx.frame("clv_repeat_purchases", ["day", "actual", "predicted", "period"], order_by=("day",))
    fig = charts.lines(
        df,
        "day",
        ["actual", "predicted"],
        [ctx.t("model_actual"), ctx.t("model_expected")],
        x_title=ctx.t("axis_day"),
        y_title=ctx.t("axis_cumulative_repeat"),
        mode="lines",
    )
    split = df.loc[df["period"] == "holdout", "day"]
    if len(split):
        fig.add_vline(x=pd.Timestamp(split.iloc[0]), line={"dash": "dot", "color": "#64748b"})
    figure.show(fig, key="value_repeat")


def models(ctx: Ctx) -> None:
    if not ctx.has("clv_model"):
        return
    with st.expander(ctx.t("value_model")):
        st.caption(ctx.t("value_model_help"))
        df = ctx.frame("clv_model", ["model", "parameter", "value", "standard_error", "n_customers"])
        df = df.assign(model=df["model"].map(ctx.vlabel)).rename(columns={"value": "estimate"})
        show_table(ctx, df, key="value_model_table")
