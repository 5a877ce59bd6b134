"""The ``segments`` pipeline stage: ``rfm``, ``segment_summary`` and ``demographic_segments``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.run_cutoff import run_cutoff
from churnlens.segments.demographic import demographic_segments, per_customer
from churnlens.segments.paid_orders import has_prices, paid_orders
from churnlens.segments.rfm import rfm, segment_summary


def shop_paid_orders(wh) -> tuple[ibis.Table, bool]:
    """The warehouse's paid orders with integer values, and whether the shop has prices."""
    orders = wh.table("orders")
    items = wh.table("order_items") if wh.has("order_items") else None
    priced = has_prices(orders)
    return paid_orders(orders, items, priced), priced


def data_span(wh) -> tuple[datetime, datetime]:
    """First and last order time of the shop."""
    o = wh.table("orders")
    row = o.aggregate(a=o.order_ts.min(), b=o.order_ts.max()).to_pandas().iloc[0]
    if row["a"] is None or row["b"] != row["b"]:
        raise DataError(
            "The shop has no dated orders.",
            file="orders",
            column="order_ts",
            fix="Ingest the shop's orders with their order times (`churnlens ingest`).",
        )
    return row["a"].to_pydatetime(), row["b"].to_pydatetime()


def run_segments(wh, config: ChurnlensConfig) -> dict[str, Any]:
    """RFM scores and segments at the cutoff, their summary, and demographic segments."""
    paid, priced = shop_paid_orders(wh)
    cutoff = run_cutoff(wh, config)
    scored = rfm(paid, cutoff, config.rfm, priced).cache()  # written, then summarised
    out: dict[str, Any] = {"rfm": scored, "segment_summary": segment_summary(scored)}
    if wh.has("customers"):
        events = wh.table("events") if wh.has("events") else None
        if events is not None and int(events.count().to_pyarrow().as_py()) == 0:
            events = None
        per = per_customer(wh.table("customers"), paid, events, cutoff, config.behaviour.age_band_edges)
        out["demographic_segments"] = demographic_segments(per, priced)
    return out
