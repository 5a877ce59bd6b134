"""Point-in-time churn features, computed in the engine: one row per (customer_id, cutoff, cohort).

`build_features(tables, anchors, cfg)` takes the canonical tables and an *anchors* table
(``customer_id, cutoff, upto_seq, cohort``): the customers to describe and the moment to
describe them at. Only rows at or before the anchor's cutoff are read (and, when ``upto_seq``
is set, as in next-gap mode, only the customer's first ``upto_seq`` paid orders), so nothing
that happens after a cutoff can change a feature. ``cohort`` groups the anchors that are
ranked together (RFM grades are quantiles within a cohort).

The feature names and their meaning are listed once, in `churnlens.churn.feature_docs`.
Missing sources (no order lines, no products, no click stream, no customer table) simply
leave their features NULL; the model drops columns that are NULL everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from churnlens.churn.feature_math import KEY
from churnlens.churn.feature_math import days_between as _days
from churnlens.churn.feature_math import ratio as _ratio
from churnlens.churn.gap_model import GAP_COUNT, GAP_LOG, exposure_column
from churnlens.churn.labels import paid_orders
from churnlens.churn.trend_features import trend_features
from churnlens.config import ChurnConfig, RFMConfig

#: The columns `rfm_scores` grades (with the key).
RFM_INPUTS = [*KEY, "recency_days", "frequency", "monetary", "items_total"]


@dataclass
class ShopTables:
    """The canonical tables a feature build reads (None when the shop lacks one)."""

    orders: ibis.Table
    order_items: ibis.Table | None = None
    products: ibis.Table | None = None
    events: ibis.Table | None = None
    customers: ibis.Table | None = None


def visible_paid(tables: ShopTables, anchors: ibis.Table) -> ibis.Table:
    """Paid orders visible at each anchor, with per-order items, lines, weekday and hour."""
    p = paid_orders(tables.orders)
    # only the anchored customers' orders and lines go through the joins below
    p = p.semi_join(anchors.select("customer_id").distinct(), "customer_id")
    if tables.order_items is not None:
        oi = tables.order_items.semi_join(p.select("order_id"), "order_id")
        per = oi.group_by("order_id").aggregate(
            items=oi.quantity.sum().cast("float64"),
            lines=oi.count().cast("float64"),
            reordered_lines=oi.reordered.cast("int64").sum().cast("float64"),
        )
        p = p.left_join(per, "order_id").drop("order_id_right")
    else:
        p = p.mutate(
            items=ibis.null("float64"), lines=ibis.null("float64"), reordered_lines=ibis.null("float64")
        )
    a = anchors.select("customer_id", "cutoff", "upto_seq", "cohort")
    j = p.join(a, ["customer_id", p.order_ts <= a.cutoff])
    j = j.filter(j.upto_seq.isnull() | (j.seq <= j.upto_seq))
    return j.mutate(
        age_days=_days(j.cutoff, j.order_ts),
        dow=ibis.coalesce(j.order_dow.cast("int64"), j.order_ts.day_of_week.index().cast("int64")),
        hour=ibis.coalesce(j.order_hour.cast("int64"), j.order_ts.hour().cast("int64")),
        promo=(j.promo_code.notnull() | (j.discount_amount.fill_null(0) > 0)).cast("float64"),
    )


def order_features(v: ibis.Table, windows: list[int]) -> ibis.Table:
    """Recency, frequency, money, recent activity, basket, promo and habit aggregates."""
    aggs = {
        "frequency": v.count().cast("float64"),
        "recency_days": v.age_days.min(),
        "tenure_days": v.age_days.max(),
        "monetary": v.total_amount.sum(),
        "aov": v.total_amount.mean(),
        "items_total": v["items"].sum(),
        "items_per_order": v["items"].mean(),
        "reorder_ratio": _ratio(v.reordered_lines.sum(), v.lines.sum()),
        "promo_share": v.promo.mean(),
        "discount_depth": _ratio(v.discount_amount.sum(), v.items_amount.sum()),
        "hour_mean": v.hour.cast("float64").mean(),
        "hour_std": v.hour.cast("float64").std(),
        "purchase_days": v.order_ts.date().nunique().cast("float64"),
        "first_to_last_days": v.age_days.max() - v.age_days.min(),
    }
    for w in windows:
        recent = v.age_days <= w
        aggs[f"orders_{w}d"] = recent.cast("float64").sum()
        aggs[f"spend_{w}d"] = ibis.ifelse(recent, v.total_amount, 0.0).sum()
    if len(windows) >= 1:
        w = windows[0]
        prev = (v.age_days > w) & (v.age_days <= 2 * w)
        aggs[f"orders_prev_{w}d"] = prev.cast("float64").sum()
    g = v.group_by(KEY).aggregate(**aggs)
    if windows:
        w = windows[0]
        g = g.mutate(**{f"orders_trend_{w}d": g[f"orders_{w}d"] - g[f"orders_prev_{w}d"]})
    if len(windows) >= 2:
        a, b = windows[0], windows[1]
        # rate in the last `a` days over the rate in the last `b` days (1 = steady)
        g = g.mutate(
            **{
                f"orders_trend_{a}_{b}d": _ratio(g[f"orders_{a}d"] * (b / a), g[f"orders_{b}d"]),
                f"spend_trend_{a}_{b}d": _ratio(g[f"spend_{a}d"] * (b / a), g[f"spend_{b}d"]),
            }
        )
    return g


def interval_features(v: ibis.Table, shapes: list = (), floor: float = 0.5) -> ibis.Table:
    """The "cycle": statistics of the gaps (days) between a customer's consecutive orders, and
    the sums the gap model (`churnlens.churn.gap_model`) is fitted from: sum(gap^k) for each
    shape k (gaps below ``floor`` days count as ``floor``), the uncensored gaps and the sum
    of their logs (a capped gap, ``gap_censored``, is censored)."""
    w = ibis.window(group_by=[v.customer_id, v.cutoff, v.cohort], order_by=[v.seq])
    gaps = v.mutate(gap=v.age_days.lag().over(w) - v.age_days)
    back = ibis.window(group_by=[gaps.customer_id, gaps.cutoff, gaps.cohort], order_by=ibis.desc(gaps.seq))
    gaps = gaps.mutate(from_last=ibis.row_number().over(back))
    gaps = gaps.filter(gaps.gap.notnull())
    g_floor = ibis.greatest(gaps.gap, ibis.literal(float(floor)))
    exact = ~gaps.gap_censored.fill_null(False)
    model_sums = {exposure_column(k): (g_floor ** float(k)).sum() for k in shapes}
    if shapes:
        model_sums[GAP_COUNT] = ibis.ifelse(exact, 1.0, 0.0).sum()
        model_sums[GAP_LOG] = ibis.ifelse(exact, g_floor.ln(), 0.0).sum()
    g = gaps.group_by(KEY).aggregate(
        interval_mean=gaps.gap.mean(),
        interval_median=gaps.gap.median(),
        interval_std=gaps.gap.std(),
        interval_last=ibis.ifelse(gaps.from_last == 0, gaps.gap, ibis.null("float64")).max(),
        interval_recent3=ibis.ifelse(gaps.from_last < 3, gaps.gap, ibis.null("float64")).mean(),
        **model_sums,
    )
    return g.mutate(
        interval_trend=_ratio(g.interval_recent3, g.interval_mean),
        last_over_mean=_ratio(g.interval_last, g.interval_mean),
    ).drop("interval_recent3")


def habit_features(v: ibis.Table) -> ibis.Table:
    """Weekday habit: share of orders on the favourite weekday; last order off that weekday."""
    c = v.group_by([*KEY, "dow"]).aggregate(n=v.count())
    w = ibis.window(group_by=[c.customer_id, c.cutoff, c.cohort], order_by=[ibis.desc(c.n), c.dow])
    c = c.mutate(
        r=ibis.row_number().over(w),
        total=c.n.sum().over(ibis.window(group_by=[c.customer_id, c.cutoff, c.cohort])),
    )
    fav = c.filter(c.r == 0).select(*KEY, fav_dow="dow", top_weekday_share=_ratio(c.n, c.total))
    lw = ibis.window(group_by=[v.customer_id, v.cutoff, v.cohort], order_by=ibis.desc(v.seq))
    last = v.mutate(r=ibis.row_number().over(lw))
    last = last.filter(last.r == 0).select(*KEY, last_dow="dow", last_hour="hour")
    j = fav.join(last, KEY)
    return j.select(
        *KEY,
        top_weekday_share=j.top_weekday_share,
        last_order_off_weekday=(j.last_dow != j.fav_dow).cast("float64"),
        last_hour=j.last_hour.cast("float64"),
    )


def category_features(v: ibis.Table, tables: ShopTables) -> ibis.Table | None:
    """Category breadth, the top category and its share of the customer's order lines."""
    if tables.order_items is None or tables.products is None:
        return None
    oi, pr = tables.order_items, tables.products
    oi = oi.semi_join(v.select("order_id").distinct(), "order_id")
    lines = oi.join(pr.select("product_id", "category_l1"), "product_id").select("order_id", "category_l1")
    lines = lines.filter(lines.category_l1.notnull())
    # lines per (order, category) first: the join with every anchor then carries far fewer rows
    per_order = lines.group_by(["order_id", "category_l1"]).aggregate(n=lines.count())
    vo = v.select(*KEY, "order_id")
    j = vo.join(per_order, "order_id")
    c = j.group_by([*KEY, "category_l1"]).aggregate(n=j.n.sum())
    part = ibis.window(group_by=[c.customer_id, c.cutoff, c.cohort])
    w = ibis.window(group_by=[c.customer_id, c.cutoff, c.cohort], order_by=[ibis.desc(c.n), c.category_l1])
    c = c.mutate(r=ibis.row_number().over(w), total=c.n.sum().over(part), breadth=c.n.count().over(part))
    top = c.filter(c.r == 0)
    return top.select(
        *KEY,
        category_breadth=top.breadth.cast("float64"),
        top_category=top.category_l1,
        top_category_share=_ratio(top.n, top.total),
    )


def failed_features(tables: ShopTables, anchors: ibis.Table) -> ibis.Table:
    """Failed payment attempts and cancelled orders at or before the cutoff (shares of all
    orders), and days since the last cancellation."""
    o = tables.orders.filter(tables.orders.customer_id.notnull())
    a = anchors.select("customer_id", "cutoff", "cohort")
    j = o.join(a, ["customer_id", o.order_ts <= a.cutoff])
    failed = (j.status == "failed").cast("float64")
    cancelled = j.status == "cancelled"
    return j.group_by(KEY).aggregate(
        failed_payments=failed.sum(),
        failed_share=failed.mean(),
        cancelled_orders=cancelled.cast("float64").sum(),
        cancelled_share=cancelled.cast("float64").mean(),
        days_since_cancel=ibis.ifelse(cancelled, _days(j.cutoff, j.order_ts), ibis.null("float64")).min(),
    )


def event_features(tables: ShopTables, anchors: ibis.Table, w: int) -> ibis.Table | None:
    """Click-stream activity: sessions, events, searches, funnel ratios, days since last visit
    (recent counts over the last ``w`` days, ``ChurnConfig.event_window_days``)."""
    if tables.events is None:
        return None
    e = tables.events.filter(tables.events.customer_id.notnull())
    a = anchors.select("customer_id", "cutoff", "cohort")
    j = e.join(a, ["customer_id", e.event_ts <= a.cutoff])
    age = _days(j.cutoff, j.event_ts)
    recent = age <= w

    def n(kind: str) -> ibis.Value:
        return (recent & (j.event_type == kind)).cast("float64").sum()

    g = j.group_by(KEY).aggregate(
        **{
            "sessions_total": j.session_id.nunique().cast("float64"),
            f"sessions_{w}d": ibis.ifelse(recent, j.session_id, ibis.null("string"))
            .nunique()
            .cast("float64"),
            f"events_{w}d": recent.cast("float64").sum(),
            f"searches_{w}d": n("search"),
            "views": n("view_item"),
            f"carts_{w}d": n("add_to_cart"),
            "purchases": n("purchase"),
            "days_since_visit": age.min(),
        }
    )
    return g.mutate(
        view_to_cart=_ratio(g[f"carts_{w}d"], g.views),
        cart_to_purchase=_ratio(g.purchases, g[f"carts_{w}d"]),
    ).drop("views", "purchases")


def customer_features(tables: ShopTables, anchors: ibis.Table) -> ibis.Table | None:
    """Age at the cutoff, days since sign-up, gender, device and region."""
    if tables.customers is None:
        return None
    c = tables.customers
    a = anchors.select("customer_id", "cutoff", "cohort")
    j = a.join(c, "customer_id")
    signed = _days(j.cutoff, j.signup_ts)
    return j.select(
        *KEY,
        age_years=_days(j.cutoff, j.birth_date.cast("timestamp")) / 365.25,
        signup_days=ibis.ifelse(signed >= 0, signed, ibis.null("float64")),
        gender=j.gender,
        device_type=j.device_type,
        region=j.region,
        country=j.country,
    )


def rfm_scores(f: ibis.Table, rfm: RFMConfig) -> ibis.Table:
    """RFM grades as quantiles within each cohort (the rule of `churnlens.segments.rfm`)."""

    def grade(value: ibis.Value, grades: int, higher_is_better: bool) -> ibis.Value:
        order = value if higher_is_better else ibis.desc(value)
        beaten = ibis.rank().over(ibis.window(group_by=f.cohort, order_by=order))
        n = value.count().over(ibis.window(group_by=f.cohort))
        return (1 + (beaten * grades) // n).cast("float64")

    money = ibis.coalesce(f.monetary, f.items_total, f.frequency)
    f = f.mutate(
        r_score=grade(f.recency_days, rfm.recency_grades, False),
        f_score=grade(f.frequency, rfm.frequency_grades, True),
        m_score=grade(money, rfm.monetary_grades, True),
    )
    rules = getattr(rfm, "segment_rules", None)
    if rules:
        from churnlens.segments.rfm import level, segment_of

        seg = segment_of(
            level(f.r_score, rfm.recency_grades),
            level(f.f_score, rfm.frequency_grades),
            level(f.m_score, rfm.monetary_grades),
            rules,
        )
        f = f.mutate(rfm_segment=seg)
    return f


def _left(out: ibis.Table, part: ibis.Table) -> ibis.Table:
    return out.left_join(part, KEY).drop(*[f"{k}_right" for k in KEY])


def build_features(tables: ShopTables, anchors: ibis.Table, cfg: ChurnConfig, rfm: RFMConfig) -> ibis.Table:
    """All engine-side features for every anchor (see `churnlens.churn.feature_docs`)."""
    return rfm_scores(anchor_features(tables, anchors, cfg), rfm)


def anchor_features(tables: ShopTables, anchors: ibis.Table, cfg: ChurnConfig) -> ibis.Table:
    """Every feature that describes one anchor alone (all but the RFM grades, which rank the
    anchors of a cohort against each other), so that anchors can be computed in batches."""
    v = visible_paid(tables, anchors)
    out = anchors.select(*KEY)
    out = _left(out, order_features(v, list(cfg.recent_windows_days)))
    out = out.mutate(days_per_order=_ratio(out.tenure_days, out.frequency))
    parts = [
        interval_features(v, list(cfg.gap_shapes), cfg.gap_floor_days),
        habit_features(v),
        failed_features(tables, anchors),
        trend_features(v, cfg.window_days),
        category_features(v, tables),
        event_features(tables, anchors, cfg.event_window_days),
        customer_features(tables, anchors),
    ]
    for part in parts:
        if part is not None:
            out = _left(out, part)
    return out.mutate(
        recency_over_mean=_ratio(out.recency_days, out.interval_mean),
        last_hour_deviation=(out.last_hour - out.hour_mean).abs(),
        last_gap_over_median=_ratio(out.interval_last, out.interval_median),
    )
