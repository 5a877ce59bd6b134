"""Finding rules on revenue: the change itself, who caused it, and what went with it
(sign-ups, failed payments, categories). Rules and thresholds: `churnlens.diagnosis.findings`."""

from __future__ import annotations

import math

from churnlens import strings
from churnlens.diagnosis import seasonal
from churnlens.diagnosis.finding import LAPSE_PARTS, REVENUE_IDS, Context, Finding, months_between, scale_of
from churnlens.diagnosis.formats import count, join_names, pct, segment_name


def revenue_change(ctx: Context) -> list[Finding]:
    """The revenue finding, followed by the same comparison a year earlier when the data reach
    back that far (`churnlens.diagnosis.seasonal`)."""
    found = _revenue_change(ctx)
    y = seasonal.year_before(ctx)
    if y is None or found[0].finding_id not in REVENUE_IDS or math.isnan(ctx.change_share):
        return found
    f = found[0]
    extra = seasonal.sentences(y, {"en": ctx.measure().en})
    year = strings.pair(extra["en"], extra["ko"])
    text = strings.both(
        "finding_and_year_before", finding=strings.pair(f.text_en, f.text_ko), year_before=year
    )
    f.text_en, f.text_ko = text
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
    periods = {"current": ctx.labels("current"), "base": ctx.labels("base")}
    if math.isnan(s):
        text = strings.both("finding_revenue_no_base", what=ctx.measure(in_text=True), **periods)
        return [Finding("revenue_stable", "info", 0.0, *text, nums)]
    figures = {"before": ctx.amounts(a), "after": ctx.amounts(b), "what": ctx.measure(), **periods}
    if s <= -cfg.decline_threshold:
        text = strings.both("finding_revenue_decline", change=pct(s), **figures)
        return [Finding("revenue_decline", "high", math.inf, *text, nums)]
    if s >= cfg.decline_threshold:
        text = strings.both("finding_revenue_growth", change=pct(s), **figures)
        return [Finding("revenue_growth", "info", math.inf, *text, nums)]
    sign = "+" if s >= 0 else "-"
    text = strings.both("finding_revenue_stable", change=f"{sign}{pct(s)}", **figures)
    return [Finding("revenue_stable", "info", math.inf, *text, nums)]


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
    how = strings.both("finding_lapse_mainly_lost" if main == "lost" else "finding_lapse_mainly_fewer")
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
    named = [segment_name(s) for s in names]
    text = strings.both(
        "finding_high_value_lapse",
        share=pct(share),
        names=strings.pair(*(join_names([n(lang) for n in named], lang) for lang in ("en", "ko"))),
        how=how,
        lapse=ctx.amounts(lapse / scale),
        gross=ctx.amounts(gross / scale),
        stopped=count(lost),
        fewer=count(fewer),
    )
    return [Finding("high_value_lapse", "high", share, *text, nums)]


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
    parts, detail = [], {}
    for name, share, change in chosen:
        comp = seg[(seg.segment == name) & (seg.component != "total") & (seg.change_value * sign > 0)]
        main = comp.loc[comp.change_value.abs().idxmax(), "component"] if len(comp) else "total"
        phrase = f"finding_component_{main}"
        how = strings.both(phrase) if phrase in strings.STRINGS else strings.pair("", "")
        parts.append(
            strings.both(
                "finding_driver",
                segment=segment_name(name),
                change=ctx.amounts(change / scale),
                share=pct(share),
                how=how,
            )
        )
        detail[name] = {"change": change / scale, "share": share, "main_component": main}
    joined = strings.pair("; ".join(p.en for p in parts), "; ".join(p.ko for p in parts))
    key = "finding_drivers_fell" if sign < 0 else "finding_drivers_grew"
    text = strings.both(key, what=ctx.measure(in_text=True), parts=joined)
    return [
        Finding("segment_drivers", "medium", acc, *text, {"segments": detail, "share_of_segment_moves": acc})
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
    text = strings.both(
        "finding_signups_up_sales_down",
        growth=pct(g),
        before=count(base),
        after=count(cur),
        revenue=ctx.amounts(new_rev),
    )
    nums = {"signups_base": base, "signups_current": cur, "growth": g, "new_customer_revenue": new_rev}
    return [Finding("signups_up_sales_down", "medium", g, *text, nums)]


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
    text = strings.both("finding_failed_payments_rise", before=pct(a), after=pct(b))
    return [
        Finding(
            "failed_payments_rise",
            "medium",
            b - a,
            *text,
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
    text = strings.both("finding_category_decline", category=cat, share=pct(share))
    return [
        Finding(
            "category_decline",
            "medium",
            share,
            *text,
            {"category": cat, "share_of_item_fall": share, "change": float(d[cat])},
        )
    ]
