"""Promotions: who uses which code, how deep the discounts go, and what they bring back.

A promo order is a paid order with a ``promo_code``. Its **audience** is ``first_month`` when
it was placed less than ``DiagnosisConfig.new_customer_days`` after the customer's first paid
order (the first order included), ``loyal`` otherwise, ``guest`` without a customer.
Discount depth = discount / items amount.

Tables (``period`` is ``all``, ``base`` or ``current``; see `churnlens.diagnosis.periods`):

- ``promo_codes``: period, promo_code, orders, customers, revenue, discount, discount_depth,
  share_of_promo_orders.
- ``promo_usage``: period, dimension (``segment``, ``age_band``, ``gender``, ``weekday``),
  segment, orders, promo_orders, promo_share, discount, discount_depth. Weekdays are in UTC;
  segments are RFM segments at the start of the period (base and current only), ages are
  taken at the start of the period (of the current period for ``all``).
- ``promo_audience``: period, audience, orders, promo_orders, promo_share, promo_revenue,
  discount, share_of_promo_revenue, share_of_discount.
- ``promo_repurchase``: order_type (promo, full_price), audience (all, first_month, loyal),
  orders, repurchased, repurchase_rate, window_days. An order counts when the data go on for
  at least ``window_days`` (the churn window) after it; it is repurchased when the same
  customer's next paid order comes within ``window_days``.
- ``promo_roi`` (one row) estimates what promotions earn back, by this method: the promo
  order itself is assumed to happen anyway, so the only revenue credited to the promotion is
  the *extra* repurchase it is followed by: ``incremental_revenue = eligible promo orders x
  (repurchase rate after promo - after full price) x average order value``, set against the
  cost, the total discount. ``net = incremental_revenue - discount_cost``.
"""

from __future__ import annotations

import ibis

from churnlens.diagnosis.periods import Periods
from churnlens.segments.paid_orders import to_units

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def is_promo(t: ibis.Table) -> ibis.Value:
    return t.promo_code.notnull() & (t.promo_code.strip() != "")


def with_audience(paid: ibis.Table, new_days: int) -> ibis.Table:
    """Paid orders with ``promo`` (bool), ``audience`` and ``first_ts`` of their customer."""
    first = paid.order_ts.min().over(ibis.window(group_by=paid.customer_id))
    t = paid.mutate(first_ts=first, promo=is_promo(paid))
    age = t.order_ts.epoch_seconds() - t.first_ts.epoch_seconds()
    audience = ibis.cases(
        (t.customer_id.isnull(), "guest"), (age < int(new_days) * 86400, "first_month"), else_="loyal"
    )
    return t.mutate(audience=audience)


def _period_slices(t: ibis.Table, p: Periods) -> list[tuple[str, ibis.Table]]:
    out = [("all", t)]
    for name, s, e in (("base", p.base_start, p.base_end), ("current", p.current_start, p.current_end)):
        out.append((name, t.filter((t.order_ts >= p.ts(s)) & (t.order_ts < p.ts(e)))))
    return out


def _depth(discount: ibis.Value, items: ibis.Value) -> ibis.Value:
    return ibis.ifelse(items > 0, discount / items, ibis.null("float64"))


def promo_codes(t: ibis.Table, p: Periods, priced: bool) -> ibis.Table:
    parts = []
    for name, s in _period_slices(t, p):
        pr = s.filter(s.promo)
        g = pr.group_by(pr.promo_code.strip().name("promo_code")).aggregate(
            orders=pr.order_id.count(),
            customers=pr.customer_id.nunique(),
            revenue=to_units(pr.value.sum(), priced),
            discount=pr.discount_amount.fill_null(0).sum(),
            _items=pr.items_amount.fill_null(0).sum(),
        )
        g = g.mutate(
            period=ibis.literal(name),
            discount_depth=_depth(g.discount, g._items),
            share_of_promo_orders=g.orders.cast("float64") / g.orders.sum().over(ibis.window()),
        ).drop("_items")
        parts.append(g)
    return ibis.union(*parts).relocate("period").order_by(["period", ibis.desc("orders"), "promo_code"])


def promo_usage(t: ibis.Table, dims: dict[str, ibis.Table], p: Periods) -> ibis.Table:
    """Promo use by dimension. ``dims`` maps a period name to the per-customer attributes
    (customer_id, segment, age_band, gender) valid for it. One aggregation over the orders of
    every (period, dimension) stacked, so the engine groups once."""
    stacked = []
    for name, s in _period_slices(t, p):
        attrs = dims[name]
        j = s.left_join(attrs, s.customer_id == attrs.customer_id).select(
            s.order_id,
            s.promo,
            s.order_ts,
            _d=ibis.ifelse(s.promo, s.discount_amount.fill_null(0), 0.0),
            _it=ibis.ifelse(s.promo, s.items_amount.fill_null(0), 0.0),
            segment=attrs.segment,
            age_band=attrs.age_band,
            gender=attrs.gender,
        )
        wd = j.order_ts.day_of_week.index()
        j = j.mutate(weekday=ibis.cases(*[(wd == i, d) for i, d in enumerate(WEEKDAYS)], else_="unknown"))
        for dim in ("segment", "age_band", "gender", "weekday"):
            if dim == "segment" and name == "all":
                continue
            stacked.append(
                j.select(
                    "order_id",
                    "promo",
                    "_d",
                    "_it",
                    period=ibis.literal(name),
                    dimension=ibis.literal(dim),
                    segment=j[dim].fill_null("unknown"),
                )
            )
    u = ibis.union(*stacked)
    g = u.group_by(["period", "dimension", "segment"]).aggregate(
        orders=u.order_id.count(),
        promo_orders=u.promo.cast("int64").sum(),
        discount=u._d.sum(),
        _items=u._it.sum(),
    )
    return g.select(
        "period",
        "dimension",
        "segment",
        "orders",
        "promo_orders",
        promo_share=g.promo_orders.cast("float64") / g.orders.cast("float64"),
        discount=g.discount,
        discount_depth=_depth(g.discount, g._items),
    ).order_by(["period", "dimension", "segment"])


def promo_audience(t: ibis.Table, p: Periods, priced: bool) -> ibis.Table:
    parts = []
    for name, s in _period_slices(t, p):
        zero = ibis.literal(0, "int64")
        g = s.group_by("audience").aggregate(
            orders=s.order_id.count(),
            promo_orders=s.promo.cast("int64").sum(),
            _pv=ibis.ifelse(s.promo, s.value, zero).sum(),
            discount=ibis.ifelse(s.promo, s.discount_amount.fill_null(0), 0.0).sum(),
        )
        w = ibis.window()
        tot_pv = g._pv.sum().over(w)
        tot_d = g.discount.sum().over(w)
        parts.append(
            g.select(
                period=ibis.literal(name),
                audience=g.audience,
                orders=g.orders,
                promo_orders=g.promo_orders,
                promo_share=g.promo_orders.cast("float64") / g.orders.cast("float64"),
                promo_revenue=to_units(g._pv, priced),
                discount=g.discount,
                share_of_promo_revenue=ibis.ifelse(
                    tot_pv != 0, g._pv.cast("float64") / tot_pv.cast("float64"), ibis.null("float64")
                ),
                share_of_discount=ibis.ifelse(tot_d != 0, g.discount / tot_d, ibis.null("float64")),
            )
        )
    return ibis.union(*parts).order_by(["period", "audience"])


def repurchase_orders(t: ibis.Table, window_days: int, data_end_epoch: int) -> ibis.Table:
    """Known customers' paid orders old enough to judge, with ``repurchased`` (bool)."""
    k = t.filter(t.customer_id.notnull())
    w = ibis.window(group_by=k.customer_id, order_by=[k.order_ts, k.order_id])
    k = k.mutate(_next=k.order_ts.lead().over(w), _e=k.order_ts.epoch_seconds())
    span = int(window_days) * 86400
    k = k.filter(k._e + span <= data_end_epoch)
    rep = k._next.notnull() & ((k._next.epoch_seconds() - k._e) <= span)
    return k.mutate(
        repurchased=ibis.ifelse(rep, True, False),
        order_type=ibis.ifelse(k.promo, "promo", "full_price"),
    )


def promo_repurchase(t: ibis.Table, window_days: int, data_end_epoch: int) -> ibis.Table:
    k = repurchase_orders(t, window_days, data_end_epoch).filter(lambda x: x.audience != "guest")
    parts = []
    for by_audience in (False, True):
        keys = ["order_type", "audience"] if by_audience else ["order_type"]
        g = k.group_by(keys).aggregate(
            orders=k.order_id.count(), repurchased=k.repurchased.cast("int64").sum()
        )
        if not by_audience:
            g = g.mutate(audience=ibis.literal("all"))
        parts.append(
            g.select(
                "order_type",
                "audience",
                "orders",
                "repurchased",
                repurchase_rate=g.repurchased.cast("float64") / g.orders.cast("float64"),
                window_days=ibis.literal(int(window_days), "int64"),
            )
        )
    return ibis.union(*parts).order_by(["audience", "order_type"])


def promo_roi(t: ibis.Table, window_days: int, data_end_epoch: int, priced: bool) -> ibis.Table:
    """One row: promotion cost against the incremental revenue estimate (module doc)."""
    k = repurchase_orders(t, window_days, data_end_epoch)
    zero = ibis.literal(0, "int64")
    r = k.aggregate(
        eligible_promo_orders=k.promo.cast("int64").sum(),
        _rp=ibis.ifelse(k.promo, k.repurchased.cast("int64"), zero).sum(),
        _nf=(~k.promo).cast("int64").sum(),
        _rf=ibis.ifelse(~k.promo, k.repurchased.cast("int64"), zero).sum(),
    )
    a = t.aggregate(
        promo_orders=t.promo.cast("int64").sum(),
        discount_cost=ibis.ifelse(t.promo, t.discount_amount.fill_null(0), 0.0).sum(),
        promo_revenue=to_units(ibis.ifelse(t.promo, t.value, zero).sum(), priced),
        aov=to_units(t.value.sum(), priced) / t.order_id.count().cast("float64"),
    )
    j = r.cross_join(a)
    rate_p = ibis.ifelse(
        j.eligible_promo_orders > 0, j._rp.cast("float64") / j.eligible_promo_orders, ibis.null("float64")
    )
    rate_f = ibis.ifelse(j._nf > 0, j._rf.cast("float64") / j._nf, ibis.null("float64"))
    j = j.mutate(repurchase_rate_promo=rate_p, repurchase_rate_full=rate_f)
    inc = j.eligible_promo_orders.cast("float64") * (j.repurchase_rate_promo - j.repurchase_rate_full) * j.aov
    j = j.mutate(incremental_revenue=inc)
    return j.select(
        "promo_orders",
        "eligible_promo_orders",
        "discount_cost",
        "promo_revenue",
        "repurchase_rate_promo",
        "repurchase_rate_full",
        "aov",
        "incremental_revenue",
        net=j.incremental_revenue - j.discount_cost,
        return_per_cost=ibis.ifelse(
            j.discount_cost > 0, j.incremental_revenue / j.discount_cost, ibis.null("float64")
        ),
        window_days=ibis.literal(int(window_days), "int64"),
    )
