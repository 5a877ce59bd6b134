"""Findings: a short ranked list of plain sentences, in English and Korean, with their numbers.

Every finding comes from the computed tables by an explicit rule whose thresholds live in
`churnlens.config.DiagnosisConfig`; its text is a template filled with the numbers, which are
also stored as JSON. The rules, in the order they are tried:

=========================  ==========================================================  ========
finding_id                 rule                                                        severity
=========================  ==========================================================  ========
revenue_decline            bridge total change <= -decline_threshold of base revenue   high
revenue_growth             change >= +decline_threshold                                info
revenue_stable             otherwise (reports that there is no decline)                info
high_value_lapse           decline, and the ``lost`` + ``returning_fewer_orders`` parts high
                           of the ``high_value_segments`` make up
                           >= high_value_lapse_share of the lost revenue (the sum of
                           the negative parts of the bridge: lost customers, fewer
                           orders, lower order values, fewer guest orders)
segment_drivers            decline or growth: the segments that moved in the           medium
                           direction of the change, largest first, until they make up
                           >= driver_share of all segments' moves that way
promo_skew_new             customers in their first month got >= promo_new_share of    high on a
                           the current period's discount, or >= promo_new_ratio times  decline,
                           their share of the orders                                   else medium
promo_low_repurchase       repurchase rate after promo orders <= rate after full-price  medium
                           orders - promo_repurchase_gap
promo_roi_negative         estimated incremental revenue of promotions < their cost     medium
signups_up_sales_down      decline, and sign-ups of the current period up by           medium
                           >= signup_growth_threshold on the base period
failed_payments_rise       failed-payment share of the current period up by            medium
                           >= failed_share_rise (absolute) on the base period
category_decline           decline, and one top category explains >= category_share    medium
                           of the fall in item revenue
=========================  ==========================================================  ========

Ranking: severity (high, medium, info), then the weight of each finding (the share of the
change it explains, or of the promotion measure it reports); the revenue finding comes
first. At most ``max_findings`` are kept. Columns of ``findings``: rank, finding_id, severity,
text_en, text_ko, numbers (JSON).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.i18n import (
    COMPONENT_PHRASES,
    amount,
    count,
    join_names,
    pct,
    period_label,
    segment_name,
)
from churnlens.diagnosis.periods import Periods

SEVERITY_ORDER = {"high": 0, "medium": 1, "info": 2}
LAPSE_PARTS = ("lost", "returning_fewer_orders")
REVENUE_IDS = ("revenue_decline", "revenue_growth", "revenue_stable")


@dataclass
class Finding:
    finding_id: str
    severity: str
    weight: float
    text_en: str
    text_ko: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    tables: dict[str, pd.DataFrame]
    p: Periods
    config: ChurnlensConfig
    unit: str
    currency: str | None

    def money(self, v: float, lang: str) -> str:
        return amount(v, self.unit, self.currency, lang)

    def label(self, which: str, lang: str) -> str:
        p = self.p
        if which == "base":
            return period_label(p.base_start, p.base_end, lang)
        return period_label(p.current_start, p.current_end, lang)

    @property
    def total(self) -> pd.Series:
        b = self.tables["revenue_bridge"]
        return b[b.component == "total"].iloc[0]

    @property
    def change_share(self) -> float:
        t = self.total
        return t.change_value / t.base_value if t.base_value else math.nan

    @property
    def declining(self) -> bool:
        s = self.change_share
        return not math.isnan(s) and s <= -self.config.diagnosis.decline_threshold


def _scale(ctx: Context) -> int:
    return 100 if ctx.unit == "money" else 1


def revenue_change(ctx: Context) -> list[Finding]:
    t, s, cfg = ctx.total, ctx.change_share, ctx.config.diagnosis
    scale = _scale(ctx)
    a, b = t.base_value / scale, t.current_value / scale
    nums = {
        "base_period": t.base_period,
        "current_period": t.current_period,
        "base_revenue": a,
        "current_revenue": b,
        "change": t.change_value / scale,
        "change_share": None if math.isnan(s) else s,
        "unit": ctx.unit,
    }
    cur_en, base_en = ctx.label("current", "en"), ctx.label("base", "en")
    cur_ko, base_ko = ctx.label("current", "ko"), ctx.label("base", "ko")
    fig_en = f"({ctx.money(a, 'en')} to {ctx.money(b, 'en')})"
    fig_ko = f"({ctx.money(a, 'ko')} → {ctx.money(b, 'ko')})"
    what = "Revenue" if ctx.unit == "money" else "Items sold"
    what_ko = "매출" if ctx.unit == "money" else "판매 수량"
    if math.isnan(s):
        return [
            Finding(
                "revenue_stable",
                "info",
                0.0,
                f"No {what.lower()} in {base_en} to compare {cur_en} with; no decline can be measured.",
                f"{base_ko}에 {what_ko}이 없어 {cur_ko}과 비교할 수 없습니다. 감소를 측정할 수 없습니다.",
                nums,
            )
        ]
    if s <= -cfg.decline_threshold:
        return [
            Finding(
                "revenue_decline",
                "high",
                math.inf,
                f"{what} fell {pct(s)} over {cur_en} compared with {base_en} {fig_en}.",
                f"{cur_ko} {what_ko}이 {base_ko} 대비 {pct(s)} 감소했습니다 {fig_ko}.",
                nums,
            )
        ]
    if s >= cfg.decline_threshold:
        return [
            Finding(
                "revenue_growth",
                "info",
                math.inf,
                f"{what} grew {pct(s)} over {cur_en} compared with {base_en} {fig_en}; there is no decline.",
                f"{cur_ko} {what_ko}이 {base_ko} 대비 {pct(s)} 증가했습니다 {fig_ko}. 감소는 없습니다.",
                nums,
            )
        ]
    sign = "+" if s >= 0 else "-"
    return [
        Finding(
            "revenue_stable",
            "info",
            math.inf,
            f"{what} held steady over {cur_en} compared with {base_en} ({sign}{pct(s)}, "
            f"{ctx.money(a, 'en')} to {ctx.money(b, 'en')}); there is no decline.",
            f"{cur_ko} {what_ko}은 {base_ko} 대비 {sign}{pct(s)}로 안정적입니다 {fig_ko}. 감소는 없습니다.",
            nums,
        )
    ]


def gross_fall(ctx: Context) -> int:
    """Revenue lost (a positive int): what lost customers, fewer orders, lower order values and
    fewer guest orders took away, before the gains of the other parts offset it."""
    b = ctx.tables["revenue_bridge"].set_index("component").change_value
    return -int(
        sum(min(int(b.get(c, 0)), 0) for c in (*LAPSE_PARTS, "returning_lower_value", "guest_orders"))
    )


def high_value_lapse(ctx: Context) -> list[Finding]:
    cfg = ctx.config.diagnosis
    if not ctx.declining:
        return []
    gross = gross_fall(ctx)
    seg = ctx.tables["revenue_bridge_by_segment"]
    hv = seg[seg.segment.isin(cfg.high_value_segments) & seg.component.isin(LAPSE_PARTS)]
    lapse = -int(hv.change_value.sum())
    share = lapse / gross if gross > 0 else 0.0
    if share < cfg.high_value_lapse_share:
        return []
    by = -hv.groupby("segment").change_value.sum().sort_values()
    names = [s for s, v in by.items() if v > 0 and v >= 0.1 * lapse] or [by.index[0]]
    lost = int(hv[hv.component == "lost"].customers.sum())
    fewer = int(hv[hv.component == "returning_fewer_orders"].customers.sum())
    parts = hv.groupby("component").change_value.sum()
    main = (
        "lost" if parts.get("lost", 0) < parts.get("returning_fewer_orders", 0) else "returning_fewer_orders"
    )
    how_en = "stopping buying or buying less often" if main == "lost" else "buying less often or stopping"
    how_ko = "구매를 중단하거나 줄인" if main == "lost" else "구매 빈도를 줄이거나 중단한"
    scale = _scale(ctx)
    nums = {
        "share_of_lost_revenue": share,
        "high_value_lapse": lapse / scale,
        "lost_revenue": gross / scale,
        "net_change": ctx.total.change_value / scale,
        "segments": names,
        "customers_stopped": lost,
        "customers_buying_less_often": fewer,
        "by_segment": {s: v / scale for s, v in by.items()},
    }
    en_names = join_names([segment_name(s, "en") for s in names], "en")
    ko_names = join_names([segment_name(s, "ko") for s in names], "ko")
    return [
        Finding(
            "high_value_lapse",
            "high",
            share,
            f"{pct(share)} of the lost revenue comes from {en_names} customers {how_en}: "
            f"{ctx.money(lapse / scale, 'en')} of {ctx.money(gross / scale, 'en')} "
            f"({count(lost)} stopped, {count(fewer)} ordered less often).",
            f"줄어든 매출의 {pct(share)}는 {ko_names} 고객이 {how_ko} 데서 비롯되었습니다: "
            f"{ctx.money(gross / scale, 'ko')} 중 {ctx.money(lapse / scale, 'ko')} "
            f"(구매 중단 {count(lost)}명, 구매 빈도 감소 {count(fewer)}명).",
            nums,
        )
    ]


def segment_drivers(ctx: Context) -> list[Finding]:
    """Segments whose revenue moved in the direction of the change, largest first, until they
    make up ``driver_share`` of all the segments' moves in that direction."""
    cfg = ctx.config.diagnosis
    s = ctx.change_share
    if math.isnan(s) or abs(s) < cfg.decline_threshold:
        return []
    sign = -1 if s < 0 else 1
    seg = ctx.tables["revenue_bridge_by_segment"]
    tot = seg[(seg.component == "total") & (seg.change_value * sign > 0)].sort_values("segment_rank")
    moved = int((tot.change_value * sign).sum())
    if moved <= 0:
        return []
    chosen, acc = [], 0.0
    for _, r in tot.iterrows():
        share = r.change_value * sign / moved
        chosen.append((r.segment, share, r.change_value))
        acc += share
        if acc >= cfg.driver_share or len(chosen) == 3:
            break
    scale = _scale(ctx)
    parts_en, parts_ko, detail = [], [], {}
    for name, share, change in chosen:
        comp = seg[(seg.segment == name) & (seg.component != "total") & (seg.change_value * sign > 0)]
        main = comp.loc[comp.change_value.abs().idxmax(), "component"] if len(comp) else "total"
        phrase = COMPONENT_PHRASES.get(main, {"en": "", "ko": ""})
        money_en, money_ko = ctx.money(change / scale, "en"), ctx.money(change / scale, "ko")
        parts_en.append(f"{segment_name(name, 'en')} {money_en} ({pct(share)}, mainly {phrase['en']})")
        parts_ko.append(f"{segment_name(name, 'ko')} {money_ko} ({pct(share)}, 주로 {phrase['ko']})")
        detail[name] = {"change": change / scale, "share": share, "main_component": main}
    what_en, what_ko = ("revenue", "매출") if ctx.unit == "money" else ("items sold", "판매 수량")
    if sign < 0:
        head_en, head_ko = f"Segments whose {what_en} fell most", f"{what_ko}이 가장 많이 줄어든 세그먼트"
    else:
        head_en, head_ko = f"Segments whose {what_en} grew most", f"{what_ko}이 가장 많이 늘어난 세그먼트"
    return [
        Finding(
            "segment_drivers",
            "medium",
            acc,
            f"{head_en}: " + "; ".join(parts_en) + ".",
            f"{head_ko}: " + "; ".join(parts_ko) + ".",
            {"segments": detail, "share_of_segment_moves": acc},
        )
    ]


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


def _months(df: pd.DataFrame, col: str, start, end) -> pd.DataFrame:
    m = pd.to_datetime(df[col])
    return df[(m >= pd.Timestamp(start)) & (m < pd.Timestamp(end))]


def signups_up_sales_down(ctx: Context) -> list[Finding]:
    cfg, p = ctx.config.diagnosis, ctx.p
    a = ctx.tables.get("acquisition_monthly")
    if not ctx.declining or a is None or a.empty:
        return []
    base = int(_months(a, "month", p.base_start, p.base_end).signups.sum())
    cur = int(_months(a, "month", p.current_start, p.current_end).signups.sum())
    if base <= 0 or (cur - base) / base < cfg.signup_growth_threshold:
        return []
    g = (cur - base) / base
    b = ctx.tables["revenue_bridge"].set_index("component")
    new_rev = float(b.loc["new", "change_value"]) / _scale(ctx)
    return [
        Finding(
            "signups_up_sales_down",
            "medium",
            g,
            f"Sign-ups grew {pct(g)} ({count(base)} to {count(cur)}) while revenue fell; first-time buyers "
            f"brought {ctx.money(new_rev, 'en')}, not enough to make up for the fall.",
            f"신규 가입은 {pct(g)} 증가했지만({count(base)} → {count(cur)}) 매출은 감소했습니다. "
            f"첫 구매 고객 매출 {ctx.money(new_rev, 'ko')}로는 감소분을 메우지 못했습니다.",
            {"signups_base": base, "signups_current": cur, "growth": g, "new_customer_revenue": new_rev},
        )
    ]


def failed_payments_rise(ctx: Context) -> list[Finding]:
    cfg, p = ctx.config.diagnosis, ctx.p
    m = ctx.tables.get("sales_monthly")
    if m is None or m.empty:
        return []

    def share(s, e) -> float | None:
        d = _months(m, "period_start", s, e)
        n = d.orders.sum() + d.failed_orders.sum()
        return float(d.failed_orders.sum() / n) if n else None

    a, b = share(p.base_start, p.base_end), share(p.current_start, p.current_end)
    if a is None or b is None or b - a < cfg.failed_share_rise:
        return []
    return [
        Finding(
            "failed_payments_rise",
            "medium",
            b - a,
            f"Failed payments rose from {pct(a)} to {pct(b)} of checkout attempts.",
            f"결제 실패 비율이 {pct(a)}에서 {pct(b)}로 상승했습니다.",
            {"failed_share_base": a, "failed_share_current": b},
        )
    ]


def category_decline(ctx: Context) -> list[Finding]:
    cfg, p = ctx.config.diagnosis, ctx.p
    c = ctx.tables.get("category_sales_monthly")
    if not ctx.declining or c is None or c.empty:
        return []
    a = _months(c, "month", p.base_start, p.base_end).groupby("category").item_revenue.sum()
    b = _months(c, "month", p.current_start, p.current_end).groupby("category").item_revenue.sum()
    d = b.reindex(a.index.union(b.index), fill_value=0) - a.reindex(a.index.union(b.index), fill_value=0)
    fall = d.sum()
    if fall >= 0 or d.empty:
        return []
    cat = d.idxmin()
    share = float(d[cat] / fall)
    if share < cfg.category_share:
        return []
    return [
        Finding(
            "category_decline",
            "medium",
            share,
            f"{cat} accounts for {pct(share)} of the fall in item revenue.",
            f"상품 매출 감소분의 {pct(share)}가 {cat} 카테고리에서 발생했습니다.",
            {"category": cat, "share_of_item_fall": share, "change": float(d[cat])},
        )
    ]


RULES = (
    revenue_change,
    high_value_lapse,
    segment_drivers,
    promo_skew_new,
    promo_low_repurchase,
    promo_roi_negative,
    signups_up_sales_down,
    failed_payments_rise,
    category_decline,
)


def _json(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def findings(
    tables: dict[str, pd.DataFrame],
    p: Periods,
    config: ChurnlensConfig,
    priced: bool = True,
    currency: str | None = None,
) -> pd.DataFrame:
    """Apply every rule to the computed tables and rank what they find."""
    ctx = Context(tables, p, config, "money" if priced else "items", currency)
    found = [f for rule in RULES for f in rule(ctx)]
    found.sort(key=lambda f: (f.finding_id not in REVENUE_IDS, SEVERITY_ORDER[f.severity], -f.weight))
    found = found[: max(1, int(config.diagnosis.max_findings))]
    return pd.DataFrame(
        {
            "rank": pd.Series(range(1, len(found) + 1), dtype="int64"),
            "finding_id": [f.finding_id for f in found],
            "severity": [f.severity for f in found],
            "text_en": [f.text_en for f in found],
            "text_ko": [f.text_ko for f in found],
            "numbers": [json.dumps(_json(f.numbers), ensure_ascii=False) for f in found],
        }
    )
