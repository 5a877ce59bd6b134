"""The churn window that fits the shop: its own purchase rhythm against the fixed window.

A *repeat gap* is the number of days between two consecutive purchase days of one customer
(paid orders; several orders on one day are one purchase day). From the shop's repeat gaps:

- ``shop_window_days``: the gap within which ``ChurnConfig.shop_window_share`` (90 %) of repeat
  purchases happen, rounded up to whole days;
- ``fixed_coverage``: the share of repeat gaps no longer than the fixed ``window_days`` (25).

The rule (``ChurnConfig.window_rule``):

- ``"fixed"``: always ``window_days``;
- ``"shop"``: always the shop's window;
- ``"auto"`` (default): the shop's window when the fixed window covers less than
  ``min_window_coverage`` (half) of the repeat gaps -- then most returning customers would count
  as churned before they are even due -- else the fixed window. A shop with fewer than
  ``min_repeat_gaps`` repeat gaps keeps the fixed window.

`choose_window` returns the decision as one row (table ``churn_window``): the window used, the
rule and why (English and Korean), both candidate windows with their coverage, the shop's median gap, and the
**base rate**: the share of the customers active in the ``lookback_days`` before the latest
cutoff whose window has closed who made no purchase in that window (the share of customers
that "churn" by this definition).
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta

import ibis
import pandas as pd

from churnlens import strings
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError

RULES = ("auto", "fixed", "shop")


def _purchase_days(orders: ibis.Table, cutoff: datetime | None = None) -> ibis.Table:
    p = orders.filter((orders.status == "paid") & orders.customer_id.notnull())
    if cutoff is not None:
        p = p.filter(p.order_ts <= ibis.literal(pd.Timestamp(cutoff), type="timestamp"))
    return p.select("customer_id", day=p.order_ts.date()).distinct()


def repeat_gaps(orders: ibis.Table, cutoff: datetime | None = None) -> ibis.Table:
    """One row per repeat purchase: ``customer_id, day, gap_days`` (days since the customer's
    previous purchase day), from paid orders up to ``cutoff`` (all when None)."""
    d = _purchase_days(orders, cutoff)
    w = ibis.window(group_by=d.customer_id, order_by=d.day)
    prev = d.day.lag().over(w)
    g = d.mutate(prev=prev)
    g = g.filter(g.prev.notnull())
    return g.select("customer_id", "day", gap_days=(g.day.epoch_seconds() - g.prev.epoch_seconds()) / 86400.0)


def gap_summary(orders: ibis.Table, shares: list[float], within: list[float], cutoff=None) -> dict:
    """``n`` repeat gaps, ``median``, the gap quantile for each of ``shares`` (``q<share>``)
    and the share of gaps at most each of ``within`` days (``cover<days>``)."""
    g = repeat_gaps(orders, cutoff)
    aggs = {"n": g.count(), "median": g.gap_days.quantile(0.5)}
    for s in shares:
        aggs[f"q{s:g}"] = g.gap_days.quantile(s)
    for d in within:
        aggs[f"cover{d:g}"] = (g.gap_days <= d).cast("float64").mean()
    row = g.aggregate(**aggs).to_pandas().iloc[0]
    return {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}


def base_rate(
    orders: ibis.Table, window_days: float, lookback_days: float, end: datetime | None = None
) -> tuple[float | None, int, str]:
    """(share churned, customers, cutoff) at the latest cutoff whose window has closed: the
    customers with a paid order in the ``lookback_days`` before the cutoff, and the share of them
    without a paid order in the ``window_days`` after it."""
    p = orders.filter((orders.status == "paid") & orders.customer_id.notnull())
    end = end or p.order_ts.max().to_pyarrow().as_py()
    if end is None:
        return None, 0, ""
    cut = datetime(end.year, end.month, end.day) - timedelta(days=float(window_days))
    c = ibis.literal(pd.Timestamp(cut), type="timestamp")
    start = ibis.literal(pd.Timestamp(cut - timedelta(days=float(lookback_days))), type="timestamp")
    stop = ibis.literal(pd.Timestamp(cut + timedelta(days=float(window_days))), type="timestamp")
    before = p.filter((p.order_ts > start) & (p.order_ts <= c)).select("customer_id").distinct()
    after = p.filter((p.order_ts > c) & (p.order_ts <= stop)).select("customer_id").distinct()
    n = int(before.count().to_pyarrow().as_py())
    if not n:
        return None, 0, f"{cut:%Y-%m-%d}"
    kept = int(before.semi_join(after, "customer_id").count().to_pyarrow().as_py())
    return 1.0 - kept / n, n, f"{cut:%Y-%m-%d}"


def choose_window(
    orders: ibis.Table, config: ChurnlensConfig, relative_time: bool = False, end: datetime | None = None
) -> pd.DataFrame:
    """The ``churn_window`` row (see module docstring). Relative-time shops (next-gap labels)
    keep their own rule and are recorded as such."""
    c = config.churn
    if c.window_rule not in RULES:
        raise DataError(
            f"Unknown churn window rule '{c.window_rule}'.",
            file="config [churn] window_rule",
            values=[c.window_rule],
            fix=f"Use one of {list(RULES)}.",
        )
    fixed = float(c.window_days)
    s = gap_summary(orders, [c.shop_window_share], [fixed])
    q = s.get(f"q{c.shop_window_share:g}")
    shop = float(max(1, math.ceil(q))) if q is not None else None
    coverage = s.get(f"cover{fixed:g}")
    enough = s["n"] is not None and s["n"] >= c.min_repeat_gaps and shop is not None
    share = f"{c.shop_window_share:.0%}"
    if relative_time:
        window, rule = float(c.next_gap_days), "next-gap"
        why, why_ko = strings.both("window_no_calendar", days=f"{c.next_gap_days:g}")
    elif c.window_rule == "fixed" or not enough:
        window, rule = fixed, "fixed"
        if not enough and c.window_rule != "fixed":
            why, why_ko = strings.both("window_too_few", days=f"{fixed:g}", n=f"{s['n'] or 0:.0f}")
        else:
            why, why_ko = strings.both("window_configured", days=f"{fixed:g}")
    elif c.window_rule == "shop" or (coverage is not None and coverage < c.min_window_coverage):
        window, rule = shop, "shop"
        if c.window_rule == "auto":
            why, why_ko = strings.both(
                "window_shop_auto",
                share=share,
                days=f"{shop:g}",
                coverage=f"{coverage:.1%}",
                fixed=f"{fixed:g}",
                minimum=f"{c.min_window_coverage:.0%}",
            )
        else:
            why, why_ko = strings.both("window_shop", share=share, days=f"{shop:g}")
    else:
        window, rule = fixed, "fixed"
        why, why_ko = strings.both("window_fixed_covers", coverage=f"{coverage:.1%}", days=f"{fixed:g}")
    rate, n, cut = base_rate(orders, window, c.lookback_days, end) if not relative_time else (None, 0, "")
    return pd.DataFrame(
        [
            {
                "window_days": window,
                "rule": rule,
                "reason": why,
                "reason_ko": why_ko,
                "fixed_window_days": fixed,
                "fixed_coverage": coverage,
                "shop_window_days": shop,
                "shop_window_share": float(c.shop_window_share),
                "median_gap_days": s["median"],
                "repeat_gaps": int(s["n"] or 0),
                "base_rate": rate,
                "base_rate_customers": n,
                "base_rate_cutoff": cut,
            }
        ]
    )


def with_window(config: ChurnlensConfig, chosen: pd.DataFrame) -> ChurnlensConfig:
    """A copy of ``config`` whose ``churn.window_days`` is the chosen window."""
    window = float(chosen["window_days"].iloc[0])
    if chosen["rule"].iloc[0] == "next-gap" or window == config.churn.window_days:
        return config
    churn = dataclasses.replace(config.churn, window_days=int(window))
    return dataclasses.replace(config, churn=churn)


def resolve(wh, config: ChurnlensConfig) -> tuple[ChurnlensConfig, pd.DataFrame]:
    """(``config`` with the window the shop's rule picks, its ``churn_window`` row): the one
    window every churn command uses (`run`, `train`, `score`, `backtest`)."""
    from churnlens.churn.dataset import WINDOW, label_mode, shop_tables
    from churnlens.run_cutoff import last_observed, run_cutoff

    end = last_observed(run_cutoff(wh, config))
    chosen = choose_window(shop_tables(wh).orders, config, label_mode(wh, config) != WINDOW, end)
    return with_window(config, chosen), chosen
