"""Demographic segments: age band, gender, region and device, with what each segment buys.

``demographic_segments`` has one row per (dimension, segment) for the dimensions ``all``,
``age_band`` (age at the cutoff from ``birth_date``, bands from ``BehaviourConfig.age_band_edges``
via `churnlens.analytics.demographics.age_band`), ``gender``, ``region`` and ``device``; missing
values form the segment ``unknown``. Only paid orders before the cutoff count. Columns:

- customers: customers in the customers table (plus buyers missing from it);
- buyers: those with a paid order; buyer_share = buyers / customers;
- visits: click-stream sessions of the segment's customers (NULL without a click stream);
  visits_per_customer = visits / customers;
- orders, purchase_conversion = orders / visits (paid orders per visit);
- revenue (currency, or items without prices), aov = revenue / orders,
  items_per_order = items / orders, revenue_per_customer = revenue / customers, unit.
"""

from __future__ import annotations

from datetime import datetime

import ibis

from churnlens.analytics.demographics import age_band
from churnlens.segments.paid_orders import ITEMS, MONEY, to_units

DIMENSIONS: dict[str, str] = {
    "all": "all",
    "age_band": "age_band",
    "gender": "gender",
    "region": "region",
    "device": "device_type",
}


def customer_attributes(customers: ibis.Table, cutoff: datetime, edges: list) -> ibis.Table:
    """customer_id, age_band, gender, region, device_type (age at ``cutoff``)."""
    at = ibis.literal(cutoff.date(), "date")
    return customers.select(
        "customer_id",
        age_band=age_band(customers.birth_date, at, [int(e) for e in edges]),
        gender=customers.gender,
        region=customers.region,
        device_type=customers.device_type,
    )


def per_customer(
    customers: ibis.Table,
    paid: ibis.Table,
    events: ibis.Table | None,
    cutoff: datetime,
    edges: list,
) -> ibis.Table:
    """One row per customer: attributes, orders, value, items and visits before ``cutoff``."""
    attrs = customer_attributes(customers, cutoff, edges)
    p = paid.filter(paid.customer_id.notnull() & (paid.order_ts < cutoff))
    buys = p.group_by("customer_id").aggregate(
        orders=p.order_id.count(), value=p.value.sum(), items=p["items"].fill_null(0).sum()
    )
    extra = buys.anti_join(attrs, buys.customer_id == attrs.customer_id).select(
        "customer_id",
        age_band=ibis.null("string"),
        gender=ibis.null("string"),
        region=ibis.null("string"),
        device_type=ibis.null("string"),
    )
    everyone = ibis.union(attrs, extra)
    j = everyone.left_join(buys, everyone.customer_id == buys.customer_id).select(
        *[everyone[c] for c in everyone.columns],
        orders=buys.orders.fill_null(0),
        value=buys.value.fill_null(0),
        items=buys["items"].fill_null(0),
    )
    if events is None:
        return j.mutate(visits=ibis.null("int64"))
    e = events.filter(events.customer_id.notnull() & (events.event_ts < cutoff))
    v = e.group_by("customer_id").aggregate(visits=e.session_id.nunique())
    return j.left_join(v, j.customer_id == v.customer_id).select(
        *[j[c] for c in j.columns], visits=v.visits.fill_null(0)
    )


def demographic_segments(per: ibis.Table, priced: bool) -> ibis.Table:
    parts = []
    for dim, col in DIMENSIONS.items():
        key = ibis.literal("all") if col == "all" else per[col].cast("string").fill_null("unknown")
        t = per.mutate(_key=key)
        g = t.group_by("_key").aggregate(
            customers=t.customer_id.count(),
            buyers=(t.orders > 0).cast("int64").sum(),
            visits=t.visits.sum(),
            orders=t.orders.sum(),
            _value=t.value.sum(),
            _items=t["items"].sum(),
        )
        f = g.customers.cast("float64")
        o = g.orders.cast("float64")
        revenue = to_units(g._value, priced)
        parts.append(
            g.select(
                dimension=ibis.literal(dim),
                segment=g._key,
                customers=g.customers,
                buyers=g.buyers,
                buyer_share=g.buyers.cast("float64") / f,
                visits=g.visits.cast("int64"),
                visits_per_customer=g.visits.cast("float64") / f,
                orders=g.orders.cast("int64"),
                purchase_conversion=ibis.ifelse(
                    g.visits > 0, o / g.visits.cast("float64"), ibis.null("float64")
                ),
                revenue=revenue,
                aov=ibis.ifelse(g.orders > 0, revenue / o, ibis.null("float64")),
                items_per_order=ibis.ifelse(g.orders > 0, g._items.cast("float64") / o, ibis.null("float64")),
                revenue_per_customer=revenue / f,
                unit=ibis.literal(MONEY if priced else ITEMS),
            )
        )
    return ibis.union(*parts).order_by(["dimension", "segment"])
