"""Products: rankings and trends with category drill-down, reorder rates, cart position,
basket rules, products of churned customers.

Tables: ``product_stats`` (per level, item and period: rankings of the latest period and
the trend of a chosen item), ``product_highlights``, ``product_repeat`` (reorder rates),
``cart_positions`` (reorder rate by position in the cart), ``cart_conversion``,
``basket_rules`` and ``churn_products``. Every table has a ``level`` (product,
category_l1, ...): the level chosen at the top applies to all of them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churnlens.app import figure, people
from churnlens.app.context import Ctx
from churnlens.app.widgets import axis_title, generic, pick, show_table
from churnlens.presentation import charts

TABLES = (
    "product_stats",
    "product_highlights",
    "product_repeat",
    "cart_positions",
    "cart_conversion",
    "basket_rules",
    "churn_products",
)
LEVELS = ("category_l1", "category_l2", "category_l3", "product")


def levels(ctx: Ctx) -> list[str]:
    found: list[str] = []
    for table in TABLES:
        if ctx.has(table) and "level" in ctx.columns(table):
            found += [str(v) for v in ctx.distinct(table, "level")]
    ordered = [lv for lv in LEVELS if lv in found] + sorted(set(found) - set(LEVELS))
    return ordered


def by_level(ctx: Ctx, table: str, level: str | None) -> tuple:
    return (("level", "==", level),) if level and "level" in ctx.columns(table) else ()


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_products"))
    if not ctx.priced:
        st.caption(ctx.t("sidebar_no_prices"))
    found = levels(ctx)
    level = None
    if found:
        level = (
            st.segmented_control(
                ctx.t("level"), found, default=found[0], format_func=ctx.vlabel, key="product_level"
            )
            or found[0]
        )
    rankings(ctx, level)
    highlights(ctx, level)
    reorder(ctx, level)
    cart(ctx, level)
    rules(ctx, level)
    churned(ctx, level)


def measure(ctx: Ctx, cols: list[str]) -> str | None:
    return (
        pick(cols, "revenue", "units", "orders") if ctx.priced else pick(cols, "units", "orders", "revenue")
    )


def rankings(ctx: Ctx, level: str | None) -> None:
    st.subheader(ctx.t("rankings"))
    if not ctx.need("product_stats"):
        return
    cols = ctx.columns("product_stats")
    value = measure(ctx, cols)
    filters = by_level(ctx, "product_stats", level)
    if not (value and "period_start" in cols and "item" in cols):
        show_table(ctx, ctx.frame("product_stats", filters=filters, limit=200))
        return
    last = ctx.grouped("product_stats", [], [("last", "max", "period_start")], filters)["last"].iloc[0]
    latest = filters + (("period_start", "==", last),)
    df = ctx.frame("product_stats", filters=latest, order_by=(value,), descending=True, limit=50)
    st.caption(ctx.month(last))
    name = "name" if "name" in df.columns else "item"
    if len(df):
        figure.show(
            charts.bars(
                df.head(20),
                name,
                value,
                name=ctx.label(value),
                horizontal=True,
                height=480,
                x_title=ctx.t("axis_product"),
                y_title=axis_title(ctx, value),
            ),
            key="rank_chart",
        )
    keep = [c for c in ("item", "name", "revenue", "units", "orders", "buyers", "growth") if c in df.columns]
    show_table(ctx, df[keep], key="rank_table")
    options = df["item"].astype(str).tolist()
    if options:
        labels = dict(zip(df["item"].astype(str), df[name].astype(str), strict=True))
        chosen = st.selectbox(
            ctx.t("product_trends"), options, format_func=lambda i: labels.get(i, i), key="trend_item"
        )
        trend = ctx.frame(
            "product_stats",
            ["period_start", value],
            filters=filters + (("item", "==", chosen),),
            order_by=("period_start",),
        )
        figure.show(
            charts.bars(
                trend,
                "period_start",
                value,
                name=ctx.label(value),
                height=260,
                x_title=ctx.t("axis_month"),
                y_title=axis_title(ctx, value),
            ),
            key="trend_chart",
        )


def highlights(ctx: Ctx, level: str | None) -> None:
    if not ctx.has("product_highlights") or not ctx.rows("product_highlights"):
        return
    st.subheader(ctx.t("highlights"))
    df = ctx.frame("product_highlights", filters=by_level(ctx, "product_highlights", level))
    show_table(ctx, df.drop(columns=["level"], errors="ignore"), key="highlights_table")


def reorder(ctx: Ctx, level: str | None) -> None:
    st.subheader(ctx.t("reorder_rates"))
    if not ctx.need("product_repeat"):
        return
    cols = ctx.columns("product_repeat")
    rate = pick(cols, "reorder_rate", "repeat_buyer_rate")
    order = pick(cols, "purchases", "buyers") or rate
    df = ctx.frame(
        "product_repeat",
        filters=by_level(ctx, "product_repeat", level),
        order_by=(order,) if order else (),
        descending=True,
        limit=30,
    )
    name = pick(df.columns, "name", "item")
    if rate and name and len(df):
        figure.show(
            charts.bars(
                df.dropna(subset=[rate]).head(20),
                name,
                rate,
                name=ctx.label(rate),
                horizontal=True,
                height=420,
                x_title=ctx.t("axis_product"),
                y_title=ctx.label(rate),
            ),
            key="reorder_chart",
        )
    show_table(ctx, df.drop(columns=["level"], errors="ignore"), key="reorder_table")


def cart(ctx: Ctx, level: str | None) -> None:
    st.subheader(ctx.t("cart_position"))
    if ctx.has("cart_positions") and ctx.rows("cart_positions"):
        cols = ctx.columns("cart_positions")
        if {"cart_position", "reorder_rate", "lines"} <= set(cols):
            filters = by_level(ctx, "cart_positions", level)
            df = ctx.grouped(
                "cart_positions",
                ["cart_position"],
                [("lines", "sum", "lines"), ("reorder_rate", "mean", "reorder_rate")],
                filters,
            )
            figure.show(
                charts.bars(
                    df,
                    "cart_position",
                    "reorder_rate",
                    name=ctx.label("reorder_rate"),
                    height=280,
                    x_title=ctx.label("cart_position"),
                    y_title=ctx.label("reorder_rate"),
                ),
                key="cart_chart",
            )
        else:
            generic(ctx, "cart_positions")
    elif ctx.has("cart_conversion") and ctx.rows("cart_conversion"):
        generic(ctx, "cart_conversion")
    else:
        ctx.need("cart_positions")


def rules(ctx: Ctx, level: str | None) -> None:
    st.subheader(ctx.t("basket_rules"))
    if not ctx.need("basket_rules"):
        return
    cols = ctx.columns("basket_rules")
    by = pick(cols, "lift", "confidence", "support")
    df = ctx.frame(
        "basket_rules",
        filters=by_level(ctx, "basket_rules", level),
        order_by=(by,) if by else (),
        descending=True,
        limit=100,
    )
    first = [c for c in ("antecedent_name", "consequent_name") if c in df.columns]  # names before ids
    df = df[first + [c for c in df.columns if c not in first]]
    show_table(ctx, df.drop(columns=["level"], errors="ignore"), key="rules_table")
    if {"antecedent", "consequent", "pair_orders"} <= set(df.columns) and not df.empty:
        rule_people(ctx, df, level)


def rule_people(ctx: Ctx, df: pd.DataFrame, level: str | None) -> None:
    """The customers whose orders hold both items of one rule, each a link to Customer 360."""
    st.markdown(f"**{ctx.t('rule_people')}**")
    rows = df.reset_index(drop=True)

    def name(i: int) -> str:
        row = rows.iloc[i]
        a = row.get("antecedent_name") if pd.notna(row.get("antecedent_name")) else row["antecedent"]
        b = row.get("consequent_name") if pd.notna(row.get("consequent_name")) else row["consequent"]
        return f"{a} → {b} ({ctx.num(row['pair_orders'])})"

    i = st.selectbox(
        ctx.t("rule_people_pick"), list(range(len(rows))), format_func=name, key="rule_people_rule"
    )
    row = rows.iloc[i]
    rule_level = str(row["level"]) if "level" in rows.columns else (level or "product")
    members = people.rule_members(
        ctx.db, ctx.stamp, rule_level, str(row["antecedent"]), str(row["consequent"])
    )
    text = ctx.t(
        "rule_people_count",
        n=ctx.num(len(members)),
        orders=ctx.num(int(members["orders"].sum()) if len(members) else 0),
    )
    if len(members) > people.SHOWN:
        text += " " + ctx.t("list_cut", shown=ctx.num(people.SHOWN))
    st.caption(text)
    show_table(ctx, members.head(people.SHOWN), key="rule_people_table", link_customers=True)


def churned(ctx: Ctx, level: str | None) -> None:
    st.subheader(ctx.t("churn_products"))
    if not ctx.need("churn_products"):
        return
    cols = ctx.columns("churn_products")
    by = pick(cols, "lift_rank", "churn_rate_rank")
    filters = by_level(ctx, "churn_products", level)
    if "eligible" in cols:
        filters += (("eligible", "==", True),)
    df = ctx.frame("churn_products", filters=filters, order_by=(by,) if by else (), limit=50)
    name = pick(df.columns, "name", "item")
    if "lift" in df.columns and name and len(df):
        figure.show(
            charts.bars(
                df.head(15),
                name,
                "lift",
                name=ctx.label("lift"),
                horizontal=True,
                height=380,
                x_title=ctx.t("axis_product"),
                y_title=ctx.label("lift"),
            ),
            key="churn_products_chart",
        )
    show_table(ctx, df.drop(columns=["level"], errors="ignore"), key="churn_products_table")
