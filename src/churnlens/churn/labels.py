"""Churn labels at a cutoff, computed in the engine. Two modes:

- **window** (shops with calendar time, the default): at cutoff ``c`` the population is the
  customers with a paid order in ``(c - lookback_days, c]``; a customer has churned when she has
  no paid order in ``(c, c + window_days]``. A cutoff whose window is not fully observed
  (``c + window_days`` after the last order time of the shop) gives no labels at all: its
  customers are excluded, never counted as churned.
- **next-gap** (shops with relative time, e.g. Instacart): at a customer's paid order k the
  label is "the gap to order k + 1 is at least ``window_days``". The gap is the source's
  ``days_since_prior`` of order k + 1 when given, else the time between the two orders. A
  censored gap (``gap_censored``: the source wrote a cap, "30 or more") below the window is
  unknown and excluded; a customer's last order has no next order and gives no label.
  ``label_rank`` 1 is the label of each customer's latest labelled order (the gap to the
  Instacart train/test order), 2 the one before, and so on.

Both return one row per labelled (customer_id, cutoff) with ``churned`` (int64 0/1). The
``monthly`` flag of the original analysis is `monthly_labels`: window labels at the first day
of every month, one row per customer per month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pandas as pd

from churnlens.paid import customer_paid_orders

DAY_SECONDS = 86400.0


def seconds(ts: ibis.Value) -> ibis.Value:
    """Whole seconds since 1970 (DuckDB keeps fractions, Spark does not: floor on both)."""
    return ts.epoch_seconds().floor()


def paid_orders(orders: ibis.Table) -> ibis.Table:
    """Paid orders of known customers, with ``seq``: the customer's n-th paid order from 1."""
    p = customer_paid_orders(orders)
    w = ibis.window(group_by=p.customer_id, order_by=[p.order_ts, p.order_number, p.order_id])
    return p.mutate(seq=(ibis.row_number().over(w) + 1).cast("int64"))


def data_end(orders: ibis.Table) -> datetime:
    """The last order time of the shop: the end of what is observed."""
    value = orders.order_ts.max().to_pyarrow().as_py()
    return pd.Timestamp(value).to_pydatetime()


def cutoff_frame(cutoffs: list[datetime], window_days: float, lookback_days: float) -> pd.DataFrame:
    """Cutoffs with the bounds of their lookback and label windows (computed here, not in SQL)."""
    cs = sorted({pd.Timestamp(c).to_pydatetime() for c in cutoffs})
    return pd.DataFrame(
        {
            "cutoff": pd.to_datetime(cs).astype("datetime64[us]"),
            "lookback_start": pd.to_datetime([c - timedelta(days=lookback_days) for c in cs]).astype(
                "datetime64[us]"
            ),
            "window_end": pd.to_datetime([c + timedelta(days=window_days) for c in cs]).astype(
                "datetime64[us]"
            ),
        }
    )


def observed_cutoffs(cutoffs: list[datetime], window_days: float, end: datetime) -> list[datetime]:
    """The cutoffs whose label window ``(c, c + window_days]`` ends at or before ``end``."""
    return [c for c in cutoffs if c + timedelta(days=window_days) <= end]


def population(orders: ibis.Table, cutoffs: list[datetime], lookback_days: float) -> ibis.Table:
    """``customer_id, cutoff``: customers with a paid order in ``(c - lookback, c]``."""
    p = paid_orders(orders)
    cuts = ibis.memtable(cutoff_frame(cutoffs, 0, lookback_days)[["cutoff", "lookback_start"]])
    j = p.join(cuts, [p.order_ts <= cuts.cutoff, p.order_ts > cuts.lookback_start])
    return j.select(j.customer_id, j.cutoff).distinct()


def window_labels(
    orders: ibis.Table,
    cutoffs: list[datetime],
    window_days: float,
    lookback_days: float,
    end: datetime | None = None,
) -> ibis.Table:
    """Window labels: ``customer_id, cutoff, churned, next_order_ts`` for every observed cutoff.

    ``end`` is the end of observation (default: the shop's last order time); cutoffs whose
    window reaches past it are dropped.
    """
    end = end or data_end(orders)
    kept = observed_cutoffs(cutoffs, window_days, end)
    if not kept:
        return _empty_window()
    pop = population(orders, kept, lookback_days)
    cuts = ibis.memtable(cutoff_frame(kept, window_days, lookback_days)[["cutoff", "window_end"]])
    pop = pop.join(cuts, "cutoff")
    p = paid_orders(orders)
    fut = pop.join(
        p, [pop.customer_id == p.customer_id, p.order_ts > pop.cutoff, p.order_ts <= pop.window_end]
    )
    nxt = fut.group_by([fut.customer_id, fut.cutoff]).aggregate(next_order_ts=fut.order_ts.min())
    out = pop.left_join(nxt, ["customer_id", "cutoff"])
    return out.select(
        customer_id=out.customer_id,
        cutoff=out.cutoff,
        churned=out.next_order_ts.isnull().cast("int64"),
        next_order_ts=out.next_order_ts,
    )


def _empty_window() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": pd.Series([], dtype=object),
                "cutoff": pd.Series([], dtype="datetime64[us]"),
                "churned": pd.Series([], dtype="int64"),
                "next_order_ts": pd.Series([], dtype="datetime64[us]"),
            }
        )
    )


def month_starts(start: datetime, end: datetime) -> list[datetime]:
    """First days of the months after ``start`` up to ``end`` (midnight)."""
    first = pd.Timestamp(start).to_period("M").to_timestamp() + pd.offsets.MonthBegin(1)
    return [t.to_pydatetime() for t in pd.date_range(first, pd.Timestamp(end), freq="MS")]


def monthly_labels(orders: ibis.Table, window_days: float, lookback_days: float) -> ibis.Table:
    """The monthly flag: for each month m and customer active in the lookback before its end,
    churned = no paid order in the ``window_days`` after the month. Columns: customer_id,
    month (first day of m), cutoff (first day of the next month), churned."""
    bounds = orders.aggregate(a=orders.order_ts.min(), b=orders.order_ts.max()).to_pandas().iloc[0]
    cuts = month_starts(bounds["a"], bounds["b"])
    lab = window_labels(orders, cuts, window_days, lookback_days)
    month = (lab.cutoff.date() - ibis.interval(months=1)).cast("date")
    return lab.select("customer_id", month=month, cutoff=lab.cutoff, churned=lab.churned)


def next_gap_labels(
    orders: ibis.Table, window_days: float, max_per_customer: int | None = None
) -> ibis.Table:
    """Next-gap labels: ``customer_id, cutoff, seq, label_rank, gap_days, churned``.

    ``cutoff`` is the time of order k (``seq`` = k), ``gap_days`` the gap to order k + 1.
    Only the latest ``max_per_customer`` labels per customer are kept (all when None).
    """
    p = paid_orders(orders)
    w = ibis.window(group_by=p.customer_id, order_by=p.seq)
    nxt_ts = p.order_ts.lead().over(w)
    nxt_given = p.days_since_prior.lead().over(w)
    nxt_cens = p.gap_censored.lead().over(w)
    secs = seconds(nxt_ts) - seconds(p.order_ts)
    p = p.mutate(
        gap_days=ibis.coalesce(nxt_given.cast("float64"), secs.cast("float64") / DAY_SECONDS),
        next_censored=nxt_cens.fill_null(False),
        has_next=nxt_ts.notnull(),
    )
    known = p.has_next & (~p.next_censored | (p.gap_days >= window_days))
    lab = p.filter(known)
    rank = ibis.row_number().over(ibis.window(group_by=lab.customer_id, order_by=ibis.desc(lab.seq))) + 1
    lab = lab.mutate(label_rank=rank.cast("int64"))
    if max_per_customer is not None:
        lab = lab.filter(lab.label_rank <= max_per_customer)
    return lab.select(
        "customer_id",
        cutoff=lab.order_ts,
        seq=lab.seq,
        label_rank=lab.label_rank,
        gap_days=lab.gap_days,
        churned=(lab.gap_days >= window_days).cast("int64"),
    )


def latest_orders(orders: ibis.Table) -> ibis.Table:
    """``customer_id, cutoff, seq`` of each customer's latest paid order (next-gap scoring)."""
    p = paid_orders(orders)
    last = p.group_by("customer_id").aggregate(seq=p.seq.max())
    j = p.join(last, ["customer_id", "seq"])
    return j.select("customer_id", cutoff=j.order_ts, seq=j.seq)
