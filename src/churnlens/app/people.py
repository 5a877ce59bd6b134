"""The people behind a number on a page: the customers of a cohort cell, the units (sessions,
visitors or customers) that reached a funnel step, the customers of an RFM segment and those
whose baskets hold both items of a basket rule.

Each list is computed by the same functions the analytics stage used for the number
(`churnlens.analytics.cohorts`, `churnlens.analytics.funnels`, `churnlens.products.baskets`), on
the canonical tables and with the settings of the last run, or read from the per-customer result
(``rfm``), so its length is the number the page shows. Only ids leave this
module (no personal column is selected), and every query result is cached like `data`'s.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import streamlit as st

from churnlens.analytics import cohorts, funnels
from churnlens.app import data
from churnlens.app.funnel_reader import event_reach, run_config
from churnlens.products import baskets

#: Rows a list shows at most (the count above it is the full one).
SHOWN = 5_000


@st.cache_data(show_spinner=False, max_entries=64)
def cohort_members(db: str, stamp: float, cohort_month: Any, months_since: int) -> pd.DataFrame:
    """Customers first buying in ``cohort_month`` with a paid order ``months_since`` months later
    (`cohorts.cohort_retention`'s ``active_customers``): customer_id, revenue that month."""
    with data._opened(db) as wh:
        cm = cohorts.customer_months(wh.table("orders"))
        w = ibis.window(group_by=cm.customer_id)
        cm = cm.mutate(
            cohort_month=cm.month.min().over(w), months_since=cm.month_index - cm.month_index.min().over(w)
        )
        cm = cm.filter(
            (cm.cohort_month == pd.Timestamp(cohort_month).to_pydatetime())
            & (cm.months_since == int(months_since))
        )
        return cm.select("customer_id", "revenue").order_by(ibis.desc("revenue"), "customer_id").to_pandas()


@st.cache_data(show_spinner=False, max_entries=64)
def funnel_reach(db: str, stamp: float, funnel: str, settings_json: str) -> pd.DataFrame:
    """Every unit of the overall ``funnel`` (``events``, ``nonbuyers`` or ``orders``) with the
    deepest step it reached: unit_id, customer_id, reached (1..steps)."""
    import json

    config = run_config(json.loads(settings_json))
    b = config.behaviour
    with data._opened(db) as wh:
        orders = wh.table("orders") if wh.has("orders") else None
        if funnel == "orders":
            steps = funnels.order_steps(b.order_funnel_orders)
            window = b.order_funnel_window_days * 86_400 if b.order_funnel_window_days else None
            reached = funnels.reach(
                funnels.order_units(wh.table("orders"), b.order_funnel_orders), steps, window
            )
        else:
            steps = list(b.funnel_steps)
            window = b.funnel_window_minutes * 60 if b.funnel_window_minutes else None
            reached = event_reach(wh, config, b.funnel_unit, window)
            if funnel == "nonbuyers":
                reached = funnels.nonbuyer_units(reached, orders)
        depth = sum(reached[f"step_{k}_ts"].notnull().cast("int64") for k in range(1, len(steps) + 1))
        out = reached.select(
            unit_id=reached.unit_id.cast("string"),
            customer_id=reached.customer_id.cast("string"),
            reached=depth,
        )
        return out.order_by(ibis.desc("reached"), "unit_id").to_pandas()


def funnel_members(db: str, stamp: float, funnel: str, step: int, settings: dict[str, Any]) -> pd.DataFrame:
    """The units that reached ``step`` of the overall ``funnel`` (`funnel_reach`)."""
    import json

    reach = funnel_reach(db, stamp, funnel, json.dumps(settings, sort_keys=True, default=str))
    return reach[reach["reached"] >= int(step)].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def segment_members(db: str, stamp: float, segment: str) -> pd.DataFrame:
    """Customers of one RFM ``segment`` (the ``rfm`` result): customer_id, recency_days,
    frequency, monetary, most valuable first."""
    with data._opened(db) as wh:
        r = wh.table("rfm")
        r = r.filter(r.segment == str(segment))
        cols = [c for c in ("customer_id", "recency_days", "frequency", "monetary") if c in r.columns]
        return r.select(*cols).order_by(ibis.desc(cols[-1]), "customer_id").to_pandas()


@st.cache_data(show_spinner=False, max_entries=64)
def rule_members(db: str, stamp: float, level: str, antecedent: str, consequent: str) -> pd.DataFrame:
    """Customers with paid orders holding both items of a basket rule at ``level``
    (`baskets.basket_items`, as the rule's ``pair_orders`` counts them; orders without a known
    customer are left out): customer_id, orders (their orders holding both)."""
    with data._opened(db) as wh:
        orders = wh.table("orders")
        products = wh.table("products") if wh.has("products") else None
        items = baskets.basket_items(wh.table("order_items"), level, products, orders)
        pair = items.filter(items.item.isin([str(antecedent), str(consequent)]))
        both = pair.group_by("order_id").aggregate(_n=pair.item.nunique())
        both = both.filter(both._n == 2)
        o = orders.filter(orders.customer_id.notnull()).select(
            _oid=orders.order_id, customer_id=orders.customer_id
        )
        j = both.inner_join(o, both.order_id == o._oid)
        t = j.group_by("customer_id").aggregate(orders=j.order_id.nunique())
        return t.order_by(ibis.desc("orders"), "customer_id").to_pandas()
