"""Routine products: what each customer reorders and is due for by their own interval.

A routine product of a customer is one bought in at least ``routine_min_orders`` paid orders
up to the cutoff. Its interval is the customer's own mean gap between those purchases,
``(last - first) / (orders - 1)`` in days; it is **due** when the days since the last purchase
reach ``routine_due_factor`` x that interval. Counting happens in the engine; only the due
(customer, product) rows come back.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd

from churnlens.config import PlaybookConfig


def routine_candidates(
    orders: ibis.Table, order_items: ibis.Table, cutoff: datetime, cfg: PlaybookConfig
) -> ibis.Table:
    """Due routine products: customer_id, product_id, orders, interval_days, days_since, overdue.

    ``overdue`` = days_since / interval_days (>= ``routine_due_factor``).
    """
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    paid = orders.filter((orders.status == "paid") & orders.customer_id.notnull() & (orders.order_ts <= c))
    paid = paid.select(_oid=paid.order_id, customer_id=paid.customer_id, order_ts=paid.order_ts)
    li = order_items.filter(order_items.product_id.notnull())
    j = li.inner_join(paid, li.order_id == paid._oid)
    j = j.select(j.customer_id, j.product_id, j.order_id, j.order_ts).distinct()
    g = j.group_by(["customer_id", "product_id"]).aggregate(
        orders=j.order_id.nunique(), first_ts=j.order_ts.min(), last_ts=j.order_ts.max()
    )
    g = g.filter(g.orders >= cfg.routine_min_orders)
    span = (g.last_ts.epoch_seconds() - g.first_ts.epoch_seconds()) / 86400.0
    interval = span / (g.orders - 1)
    since = (c.epoch_seconds() - g.last_ts.epoch_seconds()) / 86400.0
    g = g.mutate(interval_days=interval.cast("float64"), days_since=since.cast("float64"))
    g = g.filter((g.interval_days > 0) & (g.days_since >= g.interval_days * cfg.routine_due_factor))
    return g.select(
        "customer_id",
        "product_id",
        orders=g.orders.cast("int64"),
        interval_days=g.interval_days,
        days_since=g.days_since,
        overdue=g.days_since / g.interval_days,
    )


def routine_lists(due: pd.DataFrame, names: pd.DataFrame | None, max_products: int) -> pd.DataFrame:
    """Per customer: routine_products (ids, ``;``-separated, most often bought first, then most
    overdue) and routine_product_names, at most ``max_products`` each; routine_due = how many due."""
    cols = ["customer_id", "routine_products", "routine_product_names", "routine_due"]
    if due.empty:
        return pd.DataFrame(columns=cols)
    d = due.sort_values(
        ["customer_id", "orders", "overdue", "product_id"], ascending=[True, False, False, True]
    )
    if names is not None and not names.empty:
        d = d.merge(names[["product_id", "name"]].drop_duplicates("product_id"), on="product_id", how="left")
    else:
        d["name"] = None
    d["name"] = d["name"].fillna(d.product_id).astype(str)
    count = d.groupby("customer_id").size().rename("routine_due")
    top = d.groupby("customer_id", sort=True).head(max_products)
    agg = top.groupby("customer_id", sort=True).agg(
        routine_products=("product_id", lambda s: ";".join(map(str, s))),
        routine_product_names=("name", lambda s: "; ".join(s)),
    )
    out = agg.join(count).reset_index()
    out["routine_due"] = out.routine_due.astype("int64")
    return out[cols]
