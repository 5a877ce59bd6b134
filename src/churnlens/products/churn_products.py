"""Why customers leave, by product: items over-represented in churned customers' last orders.

Labels follow the churn definition (`ChurnConfig`): at a cutoff ``c`` the population is the
customers with a paid order in ``(c - lookback_days, c]``; a customer has churned when there is
no paid order in ``(c, c + window_days]``. The labels come from `churnlens.churn.labels` when
that module is installed, else from `window_labels` below, which applies the same rule. The
default cutoff is the latest one whose window is fully observed: the last order time minus
``window_days``.

For each item (product or category value) and with ``C`` churned and ``R`` retained customers:

- churned_last / retained_last: churned / retained customers whose last paid order (at or
  before the cutoff) holds the item;
- share_churned = churned_last / C, share_retained = retained_last / R,
  lift = share_churned / share_retained (NULL when no retained customer's last order holds it);
- p_value: one-sided Fisher exact test (hypergeometric tail) that the item's last-order buyers
  are churned more often than chance; p_adjusted: Benjamini-Hochberg over the eligible rows;
- eligible: at least ``churn_min_buyers`` last-order buyers; significant: eligible, lift > 1
  and p_adjusted <= ``churn_alpha``; lift_rank: 1 = highest lift among the eligible rows;
- buyers / churned_buyers / churn_rate: customers who bought the item at all in the lookback
  and the share of them that churned; churn_rate_rank ranks the eligible rows by it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from churnlens.config import ChurnConfig, ProductsConfig
from churnlens.products.baskets import basket_items
from churnlens.products.significance import bh_adjust

try:  # the churn stage's own label function, when it is there
    from churnlens.churn.labels import window_labels as _shared_window_labels
except ImportError:  # pragma: no cover - depends on what is installed
    _shared_window_labels = None

LABEL_SOURCE = "churnlens.churn.labels" if _shared_window_labels is not None else "churnlens.products"


def default_cutoff(orders: ibis.Table, window_days: int) -> datetime:
    """The latest cutoff whose label window is fully observed."""
    end = orders.filter(orders.status == "paid").order_ts.max().to_pyarrow().as_py()
    return pd.Timestamp(end).to_pydatetime() - timedelta(days=window_days)


def window_labels(orders: ibis.Table, cutoff: datetime, cfg: ChurnConfig) -> ibis.Table:
    """``customer_id, churned`` (int 0/1) at ``cutoff`` (the rule in the module docstring)."""
    if _shared_window_labels is not None:
        lab = _shared_window_labels(orders, [cutoff], cfg.window_days, cfg.lookback_days)
        return lab.select("customer_id", churned=lab.churned.cast("int64"))
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    p = orders.filter((orders.status == "paid") & orders.customer_id.notnull())
    start = ibis.literal(pd.Timestamp(cutoff - timedelta(days=cfg.lookback_days)), type="timestamp")
    end = ibis.literal(pd.Timestamp(cutoff + timedelta(days=cfg.window_days)), type="timestamp")
    pop = p.filter((p.order_ts > start) & (p.order_ts <= c)).select("customer_id").distinct()
    fut = p.filter((p.order_ts > c) & (p.order_ts <= end)).select(_cid=p.customer_id).distinct()
    j = pop.left_join(fut, pop.customer_id == fut._cid)
    return j.select(j.customer_id, churned=j._cid.isnull().cast("int64"))


def last_orders(orders: ibis.Table, cutoff: datetime) -> ibis.Table:
    """``customer_id, order_id`` of every customer's last paid order at or before ``cutoff``."""
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    p = orders.filter((orders.status == "paid") & orders.customer_id.notnull() & (orders.order_ts <= c))
    w = ibis.window(group_by=p.customer_id, order_by=[ibis.desc(p.order_ts), ibis.desc(p.order_id)])
    p = p.mutate(_n=ibis.row_number().over(w))
    return p.filter(p._n == 0).select("customer_id", "order_id")


def churn_item_counts(
    orders: ibis.Table,
    order_items: ibis.Table,
    products: ibis.Table | None,
    labels: ibis.Table,
    cutoff: datetime,
    lookback_days: int,
    level: str,
) -> ibis.Table:
    """Per item: churned_last, retained_last, buyers, churned_buyers (engine-side counts)."""
    items = basket_items(order_items, level, products, orders)
    last = last_orders(orders, cutoff)
    lab = labels.select(_cid=labels.customer_id, churned=labels.churned)
    li = last.inner_join(lab, last.customer_id == lab._cid)
    li = li.inner_join(items, li.order_id == items.order_id).select("customer_id", "item", "churned")
    li = li.distinct()
    last_counts = li.group_by("item").aggregate(
        churned_last=li.churned.sum(), retained_last=(1 - li.churned).sum()
    )
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    start = ibis.literal(pd.Timestamp(cutoff - timedelta(days=lookback_days)), type="timestamp")
    window = orders.filter(
        (orders.status == "paid")
        & orders.customer_id.notnull()
        & (orders.order_ts > start)
        & (orders.order_ts <= c)
    ).select(_oid=orders.order_id, _cust=orders.customer_id)
    bought = items.inner_join(window, items.order_id == window._oid)
    bought = bought.inner_join(lab, bought._cust == lab._cid).select(
        customer_id=bought._cust, item=bought.item, churned=lab.churned
    )
    bought = bought.distinct()
    buyer_counts = bought.group_by(_item=bought.item).aggregate(
        buyers=bought.count(), churned_buyers=bought.churned.sum()
    )
    j = buyer_counts.left_join(last_counts, buyer_counts._item == last_counts.item)
    return j.select(
        item=j._item,
        churned_last=j.churned_last.fill_null(0).cast("int64"),
        retained_last=j.retained_last.fill_null(0).cast("int64"),
        buyers=j.buyers.cast("int64"),
        churned_buyers=j.churned_buyers.cast("int64"),
    )


def churn_lift(
    counts: pd.DataFrame, churned: int, retained: int, level: str, cfg: ProductsConfig
) -> pd.DataFrame:
    """Lift, Fisher p-values, significance and ranks from `churn_item_counts` (see module doc)."""
    d = counts.copy()
    d.insert(0, "level", level)
    n_cust = churned + retained
    d["customers_churned"] = churned
    d["customers_retained"] = retained
    d["share_churned"] = d.churned_last / churned if churned else np.nan
    d["share_retained"] = d.retained_last / retained if retained else np.nan
    d["lift"] = np.where(
        d.share_retained > 0, d.share_churned / d.share_retained.where(d.share_retained > 0), np.nan
    )
    last_buyers = d.churned_last + d.retained_last
    d["p_value"] = hypergeom.sf(d.churned_last - 1, n_cust, churned, last_buyers) if n_cust else np.nan
    d["eligible"] = last_buyers >= cfg.churn_min_buyers
    d["p_adjusted"] = np.nan
    el = d.eligible.to_numpy()
    d.loc[el, "p_adjusted"] = bh_adjust(d.loc[el, "p_value"].to_numpy())
    d["significant"] = d.eligible & (d.lift > 1) & (d.p_adjusted <= cfg.churn_alpha)
    d["churn_rate"] = np.where(d.buyers > 0, d.churned_buyers / d.buyers.where(d.buyers > 0), np.nan)
    d["lift_rank"] = pd.Series(pd.NA, index=d.index, dtype="Int64")
    d["churn_rate_rank"] = pd.Series(pd.NA, index=d.index, dtype="Int64")
    e = d[d.eligible]
    by_lift = e.sort_values(["lift", "p_value", "item"], ascending=[False, True, True], na_position="last")
    d.loc[by_lift.index, "lift_rank"] = np.arange(1, len(by_lift) + 1)
    by_rate = e.sort_values(["churn_rate", "buyers", "item"], ascending=[False, False, True])
    d.loc[by_rate.index, "churn_rate_rank"] = np.arange(1, len(by_rate) + 1)
    d["label_source"] = LABEL_SOURCE
    return d.sort_values(["lift_rank", "item"], na_position="last").reset_index(drop=True)


def churn_products(
    orders: ibis.Table,
    order_items: ibis.Table,
    products: ibis.Table | None,
    churn_cfg: ChurnConfig,
    cfg: ProductsConfig,
    level: str,
    cutoff: datetime | None = None,
) -> pd.DataFrame:
    """The churn-by-item table of one level (one row per item; see the module docstring)."""
    cutoff = cutoff or default_cutoff(orders, churn_cfg.window_days)
    labels = window_labels(orders, cutoff, churn_cfg)
    tot = labels.aggregate(n=labels.count(), churned=labels.churned.sum()).to_pandas()
    n, churned = int(tot.n.iloc[0]), int(tot.churned.fillna(0).iloc[0])
    counts = churn_item_counts(orders, order_items, products, labels, cutoff, churn_cfg.lookback_days, level)
    out = churn_lift(counts.to_pandas(), churned, n - churned, level, cfg)
    out["cutoff"] = pd.Timestamp(cutoff)
    return out
