"""Finding rules on promotions: who gets the discount, what it brings back.
Rules and thresholds: `churnlens.diagnosis.findings`."""

from __future__ import annotations

import math

import pandas as pd

from churnlens.diagnosis.finding import Context, Finding
from churnlens.diagnosis.i18n import pct


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
    was_en = f"; {pct(base_share)} in {ctx.label('base', 'en')}" if base_share is not None else ""
    was_ko = f" ({ctx.label('base', 'ko')}: {pct(base_share)})" if base_share is not None else ""
    return [
        Finding(
            "promo_skew_new",
            "high" if ctx.declining else "medium",
            share,
            f"Promotions went {pct(share)} to customers in their first month (share of the discount in "
            f"{ctx.label('current', 'en')}{was_en}), who placed only {pct(order_share)} of the orders; "
            f"loyal customers got {pct(1 - share)}.",
            f"{ctx.label('current', 'ko')} 프로모션 할인의 {pct(share)}가 첫 구매 후 한 달 이내의 고객에게 "
            f"돌아갔지만 이들의 주문 비중은 {pct(order_share)}에 불과합니다{was_ko}. "
            f"기존 고객 몫은 {pct(1 - share)}입니다.",
            nums,
        )
    ]


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
    return [
        Finding(
            "promo_low_repurchase",
            "medium",
            b - a,
            f"Customers bought again within {days} days after {pct(a)} of promo orders, against "
            f"{pct(b)} after full-price orders.",
            f"프로모션 주문 후 {days}일 이내 재구매율은 {pct(a)}로, 정가 주문 후 {pct(b)}보다 낮습니다.",
            {"repurchase_rate_promo": a, "repurchase_rate_full": b, "window_days": days},
        )
    ]


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
            f"Promotions cost {ctx.money(cost, 'en')} in discounts and bring back an estimated "
            f"{ctx.money(inc, 'en')} of extra repurchases.",
            f"프로모션 할인 비용은 {ctx.money(cost, 'ko')}이지만 추가 재구매로 인한 예상 매출은 "
            f"{ctx.money(inc, 'ko')}에 그칩니다.",
            {"discount_cost": cost, "incremental_revenue": float(inc), "net": float(inc - cost)},
        )
    ]
