"""Point-in-time features of change: the season a year earlier and the last order against
the customer's own history. One row per (customer_id, cutoff, cohort); ``v`` is
`features.visible_paid` (only orders at or before the cutoff).

- ``orders_year_ago_next_{W}d``: paid orders in the W days that followed the same date a year
  earlier (the weeks the label window covers, last year); ``orders_year_ago_next_90d`` the same
  over 90 days;
- ``last_value_over_mean`` / ``last_items_over_mean``: the last order's value / items against
  the customer's mean order.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from churnlens.churn.feature_math import KEY, ratio
from churnlens.churn.labels import paid_orders

YEAR_DAYS = 365.0


def trend_features(v: ibis.Table, window: float) -> ibis.Table:
    """Seasonality a year earlier and the last order against the customer's own history."""
    last = ibis.window(group_by=[v.customer_id, v.cutoff, v.cohort], order_by=ibis.desc(v.seq))
    w = v.mutate(r=ibis.row_number().over(last))

    def year_ago(days: float) -> ibis.Value:
        return ((w.age_days >= YEAR_DAYS - days) & (w.age_days < YEAR_DAYS)).cast("float64").sum()

    def at_last(col: ibis.Value) -> ibis.Value:
        return ibis.ifelse(w.r == 0, col.cast("float64"), ibis.null("float64")).max()

    name = f"orders_year_ago_next_{int(window)}d"
    g = w.group_by(KEY).aggregate(
        **{name: year_ago(window)},
        orders_year_ago_next_90d=year_ago(90.0),
        last_value=at_last(w.total_amount),
        last_items=at_last(w["items"]),
        mean_value=w.total_amount.mean(),
        mean_items=w["items"].mean(),
    )
    return g.select(
        *KEY,
        name,
        "orders_year_ago_next_90d",
        last_value_over_mean=ratio(g.last_value, g.mean_value),
        last_items_over_mean=ratio(g.last_items, g.mean_items),
    )


def season_index(orders: ibis.Table, cutoffs: list, window: float) -> pd.DataFrame:
    """Shop-level season at each cutoff (window mode: a midnight), from the paid orders of the
    365 whole days before it:

    - ``season_index``: the shop's paid orders in the W days after the same date a year
      earlier / its mean per W days over that year (1 = an ordinary stretch, 1.5 = busy);
    - ``days_to_seasonal_peak``: days from the cutoff to the same date as last year's busiest
      week (0-364).
    """
    p = paid_orders(orders)
    daily = p.group_by(day=p.order_ts.date()).aggregate(n=p.count()).to_pandas()
    counts = pd.Series(daily["n"].to_numpy(float), index=pd.to_datetime(daily["day"])).sort_index()
    rows = []
    for cut in cutoffs:
        # whole days before the cutoff (a midnight): a day's orders count only once it is over
        c = pd.Timestamp(cut).normalize()
        start = c - pd.Timedelta(days=YEAR_DAYS)
        year = counts[(counts.index >= start) & (counts.index < c)]
        ahead = counts[(counts.index >= start) & (counts.index < start + pd.Timedelta(days=window))]
        mean = year.sum() / YEAR_DAYS * window
        weekly = year.rolling("7D").sum()
        to_peak = np.nan
        if len(weekly):
            to_peak = float((weekly.idxmax() + pd.Timedelta(days=YEAR_DAYS) - c).days % int(YEAR_DAYS))
        index = ahead.sum() / mean if mean > 0 else np.nan
        rows.append({"cutoff": pd.Timestamp(cut), "season_index": index, "days_to_seasonal_peak": to_peak})
    out = pd.DataFrame(rows, columns=["cutoff", "season_index", "days_to_seasonal_peak"])
    out["cutoff"] = pd.to_datetime(out["cutoff"]).astype("datetime64[us]")
    return out
