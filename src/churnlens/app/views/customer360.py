"""Customer 360: one customer's orders, RFM, P(alive), value, churn probability, the timing of
the next order (expected days, P(order within 7 / 14 / 30 days)), action.

Tables: ``customer_scores``, ``rfm``, ``customer_value``, ``actions``, ``routine_products``
(or ``customer_products``) for the customer looked up, and the canonical ``orders`` (only
id, time, status, amounts and promo code) for the timeline. The id typed is only ever
compared as a literal value.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churnlens.app import alive_history, figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import metric_row, pick, show_table
from churnlens.presentation import charts

TABLES = ("customer_scores", "rfm", "customer_value", "actions", "routine_products", "clv_model")
SOURCES = ("customer_scores", "rfm", "customer_value", "actions")
#: (label, format, [(table, column), ...]): the first table with the column gives the number.
HEADLINE = (
    (
        "churn_probability",
        "pct",
        (("customer_scores", "churn_probability"), ("actions", "churn_probability")),
    ),
    ("expected_days_to_next_order", "count", (("customer_scores", "expected_days_to_next_order"),)),
    ("p_order_7d", "pct", (("customer_scores", "p_order_7d"),)),
    ("p_order_14d", "pct", (("customer_scores", "p_order_14d"),)),
    ("p_order_30d", "pct", (("customer_scores", "p_order_30d"),)),
    ("p_alive", "pct", (("customer_value", "p_alive"), ("customer_scores", "p_alive"))),
    ("clv_12m", "money", (("customer_value", "clv_12m"), ("customer_scores", "clv_12m"))),
    ("recency_days", "count", (("rfm", "recency_days"),)),
    ("frequency", "count", (("rfm", "frequency"),)),
    ("monetary", "money", (("rfm", "monetary"),)),
)


def example_id(ctx: Ctx) -> str | None:
    for table in SOURCES:
        if ctx.has(table) and ctx.rows(table) and "customer_id" in ctx.columns(table):
            prob = pick(ctx.columns(table), "churn_probability", "p_churn")
            df = ctx.frame(
                table,
                ["customer_id"],
                order_by=(prob,) if prob else ("customer_id",),
                descending=bool(prob),
                limit=1,
            )
            if len(df):
                return str(df["customer_id"].iloc[0])
    if ctx.canonical("orders"):
        df = ctx.frame(
            "orders", ["customer_id"], filters=(("status", "==", "paid"),), order_by=("customer_id",), limit=1
        )
        if len(df):
            return str(df["customer_id"].iloc[0])
    return None


def lookup(ctx: Ctx, table: str, customer_id: str) -> pd.Series | None:
    if not ctx.has(table) or "customer_id" not in ctx.columns(table):
        return None
    df = ctx.frame(table, filters=(("customer_id", "==", customer_id),), limit=1)
    return None if df.empty else df.iloc[0]


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_customer360"))
    example = example_id(ctx)
    if example is None:
        ctx.need("customer_scores")
        return
    # a link from a list of customers (``?customer=<id>``) opens the page on that customer
    asked = st.query_params.get("customer")
    customer_id = st.text_input(
        ctx.t("lookup"),
        value=asked or example,
        max_chars=80,
        help=ctx.t("lookup_help", example=example),
        key="c360_id",
    ).strip()
    if not customer_id:
        return
    rows = {t: lookup(ctx, t, customer_id) for t in SOURCES}
    orders = timeline_frame(ctx, customer_id)
    if all(r is None for r in rows.values()) and (orders is None or orders.empty):
        st.warning(ctx.t("not_found", id=customer_id))
        return
    shown = []
    for label, kind, sources in HEADLINE:
        for table, col in sources:
            row = rows.get(table)
            if row is not None and col in row.index and not pd.isna(row[col]):
                shown.append((label, row[col], kind))
                break
    if shown:
        metric_row(ctx, [(ctx.label(label), value, kind, None) for label, value, kind in shown])
    facts(ctx, rows)
    reasons(ctx, rows["customer_scores"])
    action(ctx, rows["actions"], rows["customer_scores"])
    today = cutoff(rows, orders)
    timeline(ctx, orders, today)
    alive_over_time(ctx, orders, rows["customer_value"], today)
    routine(ctx, customer_id)


def facts(ctx: Ctx, rows: dict[str, pd.Series | None]) -> None:
    segment = None
    for table in ("rfm", "customer_scores", "actions"):
        row = rows[table]
        if row is not None and (col := pick(row.index, f"segment_{ctx.lang}", "segment")):
            segment = row[col]
            break
    band = (
        rows["customer_scores"]["risk_band"]
        if rows["customer_scores"] is not None and "risk_band" in rows["customer_scores"].index
        else None
    )
    parts = []
    if segment is not None and not pd.isna(segment):
        parts.append(f"{ctx.t('segment')}: **{ctx.vlabel(segment)}**")
    if band is not None and not pd.isna(band):
        parts.append(f"{ctx.t('risk_band')}: **{ctx.vlabel(band)}**")
    if parts:
        st.markdown(" · ".join(parts))


def reasons(ctx: Ctx, row: pd.Series | None) -> None:
    if row is None:
        return
    col = pick(row.index, f"reasons_{ctx.lang}", "reasons_en", "reasons", "top_reasons")
    if col and not pd.isna(row[col]) and str(row[col]).strip():
        st.subheader(ctx.t("reasons"))
        items = [r.strip() for r in str(row[col]).replace("|", ";").split(";") if r.strip()]
        st.markdown("\n".join(f"- {r}" for r in items))


def action(ctx: Ctx, row: pd.Series | None, scores: pd.Series | None) -> None:
    st.subheader(ctx.t("recommended_action"))
    for r in (row, scores):
        if r is not None and (col := pick(r.index, "action")):
            st.markdown(f"**{ctx.vlabel(r[col])}**")
            why = pick(r.index, f"reason_{ctx.lang}", "reason")
            if why and not pd.isna(r[why]):
                st.caption(str(r[why]))
            if "expected_value" in r.index and not pd.isna(r["expected_value"]):
                st.markdown(f"{ctx.label('expected_value')}: **{ctx.money(r['expected_value'])}**")
            return
    ctx.need("actions")


def cutoff(rows: dict[str, pd.Series | None], orders: pd.DataFrame | None) -> pd.Timestamp | None:
    """The day the scores were computed on: the results' cutoff (the data's last day); without
    one, the customer's last order."""
    for table in ("customer_value", "customer_scores", "actions", "rfm"):
        row = rows.get(table)
        if row is not None and "cutoff" in row.index and not pd.isna(row["cutoff"]):
            return pd.Timestamp(row["cutoff"])
    if orders is not None and len(orders) and orders["order_ts"].notna().any():
        return pd.Timestamp(orders["order_ts"].max())
    return None


#: Money columns of the canonical orders (not a result table: no declaration gives their kind).
ORDER_MONEY = {"total_amount": "money", "discount_amount": "money"}


def timeline_frame(ctx: Ctx, customer_id: str) -> pd.DataFrame | None:
    if not ctx.canonical("orders"):
        return None
    return ctx.frame(
        "orders", filters=(("customer_id", "==", customer_id),), order_by=("order_ts", "order_id")
    )


def timeline(ctx: Ctx, orders: pd.DataFrame | None, today: pd.Timestamp | None = None) -> None:
    st.subheader(ctx.t("orders_timeline"), help=ctx.t("orders_timeline_help"))
    if orders is None or orders.empty:
        st.info(ctx.t("not_found", id=""))
        return
    value = "total_amount" if ctx.priced and orders["total_amount"].notna().any() else None
    if value:
        shown = orders.assign(status=orders["status"].map(ctx.vlabel))
        fig = charts.order_timeline(
            shown[shown[value].notna()],
            "order_ts",
            value,
            color="status",
            x_title=ctx.t("axis_day"),
            y_title=f"{ctx.label(value)} ({ctx.currency})",
            today=today,
            today_label=ctx.t("today_marker", date=ctx.date(today)) if today is not None else None,
        )
        figure.show(fig, key="c360_timeline")
    cols = [
        c
        for c in ("order_id", "order_ts", "status", "total_amount", "discount_amount", "promo_code")
        if c in orders.columns
    ]
    kinds = ORDER_MONEY if ctx.priced else {}
    show_table(ctx, orders[cols], key="c360_orders", kinds=kinds)


def alive_over_time(
    ctx: Ctx, orders: pd.DataFrame | None, value: pd.Series | None, today: pd.Timestamp | None = None
) -> None:
    """The customer's P(alive) on every day since her first purchase (the customer_value model)."""
    if orders is None or orders.empty or value is None or not ctx.has("clv_model"):
        return
    model = alive_history.count_model(ctx.frame("clv_model", ["model", "parameter", "value"]))
    if model is None:
        return
    unit = ctx.info.get("settings", {}).get("clv", {}).get("purchase_unit", "day")
    history = alive_history.p_alive_history(orders, model, pd.Timestamp(value["cutoff"]), unit)
    if history.empty:
        return
    st.subheader(ctx.t("alive_history"), help=ctx.t("alive_history_help"))
    fig = charts.alive_history(
        history,
        x_title=ctx.t("axis_day"),
        y_title=ctx.label("p_alive"),
        line_name=ctx.label("p_alive"),
        purchase_name=ctx.t("purchase_marker"),
        today=today,
        today_label=ctx.t("today_marker", date=ctx.date(today)) if today is not None else None,
    )
    figure.show(fig, key="c360_alive")


def routine(ctx: Ctx, customer_id: str) -> None:
    table = next((t for t in ("routine_products", "customer_products") if ctx.has(t)), None)
    if table is None:
        return
    st.subheader(ctx.t("routine_products"))
    df = ctx.frame(table, filters=(("customer_id", "==", customer_id),), limit=50)
    if df.empty:
        st.caption(ctx.t("no_routine"))
        return
    cols = [
        c
        for c in ("name", "product_id", "orders", "interval_days", "days_since", "overdue")
        if c in df.columns
    ]
    show_table(ctx, df[cols] if cols else df.drop(columns=["customer_id"]), key="c360_routine")
