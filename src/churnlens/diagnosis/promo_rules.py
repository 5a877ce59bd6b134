"""Finding rules on promotions: who gets the discount, what it brings back.
Rules and thresholds: `churnlens.diagnosis.findings`."""

from __future__ import annotations

import math

import pandas as pd

from churnlens import strings
from churnlens.diagnosis.finding import Context, Finding
from churnlens.diagnosis.formats import pct


def promo_skew_new(ctx: Context) -> list[Finding]:
    cfg = ctx.config.diagnosis
    a = ctx.tables.get("promo_audience")
    if a is None or a.empty:
        return []
    cur = a[(a.period == "current") & (a.audience != "guest")].set_index("audience")
    if "first_month" not in cur.index or not (cur.discount.sum() > 0):
        return []
    share = float(cur.loc["first_month", "discount"] / cur.discount.sum())
    order_share = float(cur.loc["first_month", "orders"] / cur.orders.sum())
    ratio = share / order_share if order_share > 0 else math.inf
    if share < cfg.promo_new_share and ratio < cfg.promo_new_ratio:
        return []
    base = a[(a.period == "base") & (a.audience != "guest")].set_index("audience")
    base_share = (
        float(base.loc["first_month", "discount"] / base.discount.sum())
        if "first_month" in base.index and base.discount.sum() > 0
        else None
    )
    nums = {
        "share_of_discount_first_month": share,
        "share_of_orders_first_month": order_share,
        "skew_ratio": None if math.isinf(ratio) else ratio,
        "share_of_discount_loyal": 1 - share,
        "base_share_of_discount_first_month": base_share,
        "promo_orders_first_month": int(cur.loc["first_month", "promo_orders"]),
        "new_customer_days": cfg.new_customer_days,
    }
    was = (
        strings.both("finding_promo_skew_was", share=pct(base_share), base=ctx.labels("base"))
        if base_share is not None
        else ""
    )
    text = strings.both(
        "finding_promo_skew_new",
        share=pct(share),
        current=ctx.labels("current"),
        was=was,
        orders=pct(order_share),
        rest=pct(1 - share),
    )
    return [Finding("promo_skew_new", "high" if ctx.declining else "medium", share, *text, nums)]


def promo_low_repurchase(ctx: Context) -> list[Finding]:
    cfg = ctx.config.diagnosis
    r = ctx.tables.get("promo_repurchase")
    if r is None or r.empty:
        return []
    r = r[r.audience == "all"].set_index("order_type")
    if not {"promo", "full_price"} <= set(r.index):
        return []
    a, b = float(r.loc["promo", "repurchase_rate"]), float(r.loc["full_price", "repurchase_rate"])
    if b - a < cfg.promo_repurchase_gap:
        return []
    days = int(r.loc["promo", "window_days"])
    text = strings.both("finding_promo_low_repurchase", days=days, promo=pct(a), full=pct(b))
    nums = {"repurchase_rate_promo": a, "repurchase_rate_full": b, "window_days": days}
    return [Finding("promo_low_repurchase", "medium", b - a, *text, nums)]


def promo_roi_negative(ctx: Context) -> list[Finding]:
    r = ctx.tables.get("promo_roi")
    if r is None or r.empty or ctx.unit != "money":
        return []
    row = r.iloc[0]
    cost, inc = float(row.discount_cost or 0), row.incremental_revenue
    if cost <= 0 or inc is None or pd.isna(inc) or inc >= cost:
        return []
    return [
        Finding(
            "promo_roi_negative",
            "medium",
            min(1.0, (cost - inc) / cost),
            *strings.both("finding_promo_roi_negative", cost=ctx.amounts(cost), revenue=ctx.amounts(inc)),
            {"discount_cost": cost, "incremental_revenue": float(inc), "net": float(inc - cost)},
        )
    ]
