"""Finding rules on revenue: the change itself, who caused it, and what went with it
(sign-ups, failed payments, categories). Rules and thresholds: `churnlens.diagnosis.findings`."""

from __future__ import annotations

import math

from churnlens.diagnosis import seasonal
from churnlens.diagnosis.finding import LAPSE_PARTS, REVENUE_IDS, Context, Finding, months_between, scale_of
from churnlens.diagnosis.i18n import COMPONENT_PHRASES, count, join_names, pct, segment_name


def revenue_change(ctx: Context) -> list[Finding]:
    """The revenue finding, followed by the same comparison a year earlier when the data reach
    back that far (`churnlens.diagnosis.seasonal`)."""
    found = _revenue_change(ctx)
    y = seasonal.year_before(ctx)
    if y is None or found[0].finding_id not in REVENUE_IDS or math.isnan(ctx.change_share):
        return found
    f = found[0]
    what = {"en": "Revenue" if ctx.unit == "money" else "Items sold"}
    extra = seasonal.sentences(y, what)
    f.text_en, f.text_ko = f"{f.text_en} {extra['en']}", f"{f.text_ko} {extra['ko']}"
    f.numbers.update(y.numbers())
    return found


def _revenue_change(ctx: Context) -> list[Finding]:
    t, s, cfg = ctx.total, ctx.change_share, ctx.config.diagnosis
    scale = scale_of(ctx)
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
    scale = scale_of(ctx)
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
    scale = scale_of(ctx)
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


def signups_up_sales_down(ctx: Context) -> list[Finding]:
    cfg, p = ctx.config.diagnosis, ctx.p
    a = ctx.tables.get("acquisition_monthly")
    if not ctx.declining or a is None or a.empty:
        return []
    base = int(months_between(a, "month", p.base_start, p.base_end).signups.sum())
    cur = int(months_between(a, "month", p.current_start, p.current_end).signups.sum())
    if base <= 0 or (cur - base) / base < cfg.signup_growth_threshold:
        return []
    g = (cur - base) / base
    b = ctx.tables["revenue_bridge"].set_index("component")
    new_rev = float(b.loc["new", "change_value"]) / scale_of(ctx)
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
        d = months_between(m, "period_start", s, e)
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
    a = months_between(c, "month", p.base_start, p.base_end).groupby("category").item_revenue.sum()
    b = months_between(c, "month", p.current_start, p.current_end).groupby("category").item_revenue.sum()
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
