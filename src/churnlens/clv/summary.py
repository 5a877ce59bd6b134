"""Per-customer (frequency, recency, T, monetary_value) summaries at a cutoff, in the engine.

The value models see each customer through four numbers computed from paid orders:

- ``frequency``: repeat purchases, i.e. purchase events after the first (events are calendar
  days with at least one paid order when ``unit="day"``, or single orders when ``unit="order"``);
- ``recency``: time from the first to the last purchase event (0 without repeat purchases);
- ``T``: time from the first purchase event to the cutoff;
- ``monetary_value``: mean value of the repeat purchase events (lifetimes' convention: the
  first purchase is left out; 0 without repeat purchases; NULL when the shop has no amounts).

Times are in units of ``time_unit_days`` days (1 = days, 7 = weeks). Only orders at or before
the cutoff affect these columns. With ``holdout_end``, the holdout columns describe the
purchases in (cutoff, holdout_end] of the same customers. Everything is one Ibis expression,
so it runs on DuckDB or Spark without pulling orders into Python.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd

from churnlens.errors import DataError

_UNITS = ("day", "order")
_NAMED_TIME_UNITS = {"day": 1.0, "days": 1.0, "week": 7.0, "weeks": 7.0}
_SECONDS_PER_DAY = 86_400.0


def time_unit_in_days(time_unit_days: float | str) -> float:
    """1.0 for "day", 7.0 for "week", or a positive number of days as given."""
    if isinstance(time_unit_days, str):
        if time_unit_days.lower() not in _NAMED_TIME_UNITS:
            raise DataError(
                f"Unknown time unit {time_unit_days!r}.",
                column="time_unit_days",
                values=[time_unit_days],
                fix='Use "day", "week" or a number of days.',
            )
        return _NAMED_TIME_UNITS[time_unit_days.lower()]
    value = float(time_unit_days)
    if not value > 0:
        raise DataError(
            "time_unit_days must be > 0.",
            column="time_unit_days",
            values=[time_unit_days],
            fix="Use e.g. 1 or 7.",
        )
    return value


def as_timestamp(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value) if isinstance(value, str | datetime | date | pd.Timestamp) else None
    except ValueError:
        ts = None
    if ts is None or pd.isna(ts):
        raise DataError(
            f"'{name}' must be a date or timestamp.",
            column=name,
            values=[value],
            fix="Pass an ISO date such as '2022-06-30' or a datetime.",
        )
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def _epoch_seconds(ts: pd.Timestamp) -> float:
    return (ts - pd.Timestamp("1970-01-01")).total_seconds()


def _check_columns(orders: Any) -> None:
    needed = {"customer_id", "order_ts", "status", "total_amount"}
    missing = sorted(needed - set(orders.columns))
    if missing:
        raise DataError(
            "The orders table lacks columns the value summary needs.",
            file="orders",
            column=", ".join(missing),
            fix="Pass the canonical orders table (churnlens.schema.ORDERS).",
        )


def purchase_events(orders: Any, start: Any, end: Any, unit: str = "day") -> Any:
    """Paid purchase events of known customers with start < time <= end (start None: no lower
    bound): customer_id, ts (the event's time; midnight for days), order_id (the first order of
    the event, a tie-breaker), value (summed over the event's orders; NULL without amounts)."""
    if unit not in _UNITS:
        raise DataError(
            f"Unknown purchase unit {unit!r}.", column="unit", values=[unit], fix='Use "day" or "order".'
        )
    _check_columns(orders)
    end = as_timestamp(end, "end")
    paid = orders.filter((orders.status == "paid") & orders.customer_id.notnull() & orders.order_ts.notnull())
    paid = paid.filter(paid.order_ts <= ibis.literal(end.to_pydatetime(), type="timestamp"))
    if start is not None:
        start = as_timestamp(start, "start")
        paid = paid.filter(paid.order_ts > ibis.literal(start.to_pydatetime(), type="timestamp"))
    order_id = paid.order_id.cast("string") if "order_id" in paid.columns else ibis.literal("")
    # a NaN amount means "unknown" like NULL (Spark keeps NaN apart from NULL; DuckDB may not)
    amount = paid.total_amount.cast("float64")
    amount = ibis.ifelse(amount.isnan(), ibis.null("float64"), amount)
    if unit == "order":
        return paid.select(customer_id=paid.customer_id, ts=paid.order_ts, order_id=order_id, value=amount)
    day = paid.mutate(ts=paid.order_ts.truncate("D"), order_id=order_id, amount=amount)
    return day.group_by(["customer_id", "ts"]).aggregate(order_id=day.order_id.min(), value=day.amount.sum())


def summary_from_orders(
    orders: Any,
    cutoff: Any,
    unit: str = "day",
    time_unit_days: float | str = 1.0,
    holdout_end: Any = None,
) -> Any:
    """Ibis table, one row per customer with a paid purchase at or before ``cutoff``:
    customer_id, frequency, recency, T, monetary_value, and with ``holdout_end`` also
    frequency_holdout, monetary_holdout (NULL without holdout purchases), duration_holdout.

    ``orders`` is the canonical orders table (customer_id, order_ts, status, total_amount).
    ``unit`` "day" counts at most one purchase per calendar day, "order" every order.
    """
    unit_days = time_unit_in_days(time_unit_days)
    cut = as_timestamp(cutoff, "cutoff")
    events = purchase_events(orders, None, cut, unit)
    per_unit = _SECONDS_PER_DAY * unit_days
    # T runs to the cutoff's day for daily events (lifetimes' convention), to the instant otherwise.
    end_epoch = _epoch_seconds(cut.normalize() if unit == "day" else cut)
    events = events.mutate(
        sec=events.ts.epoch_seconds().cast("float64"),
        rn=ibis.row_number().over(group_by=events.customer_id, order_by=[events.ts, events.order_id]),
    )
    first = events.sec.min()
    summary = events.group_by("customer_id").aggregate(
        frequency=(events.count() - 1).cast("int64"),
        recency=((events.sec.max() - first) / per_unit).cast("float64"),
        T=((ibis.literal(end_epoch) - first) / per_unit).cast("float64"),
        repeat_value=events.value.mean(where=events.rn > 0),
        any_value=events.value.count(),
    )
    summary = summary.select(
        "customer_id",
        "frequency",
        "recency",
        "T",
        monetary_value=ibis.cases(
            (summary.any_value == 0, ibis.null("float64")),
            (summary.frequency == 0, ibis.literal(0.0)),
            else_=summary.repeat_value.cast("float64"),
        ),
    )
    if holdout_end is None:
        return summary
    end = as_timestamp(holdout_end, "holdout_end")
    if end <= cut:
        raise DataError(
            "holdout_end must be after the cutoff.",
            column="holdout_end",
            values=[str(end), str(cut)],
            fix="Pass a holdout end later than the cutoff.",
        )
    hold = purchase_events(orders, cut, end, unit)
    hold = hold.group_by("customer_id").aggregate(
        frequency_holdout=hold.count().cast("int64"), monetary_holdout=hold.value.mean().cast("float64")
    )
    joined = summary.left_join(hold, summary.customer_id == hold.customer_id)
    duration = (_epoch_seconds(end) - _epoch_seconds(cut)) / per_unit
    return joined.select(
        summary.customer_id,
        summary.frequency,
        summary.recency,
        summary.T,
        summary.monetary_value,
        frequency_holdout=joined.frequency_holdout.fill_null(0).cast("int64"),
        monetary_holdout=joined.monetary_holdout,
        duration_holdout=ibis.literal(duration, type="float64"),
    )


def daily_purchase_counts(orders: Any, cohort_end: Any, end: Any, unit: str = "day") -> Any:
    """Ibis table, one row per calendar day up to ``end``: day, events (purchase events that
    day) and first_purchases (customers whose first purchase event was that day), counting
    only the customers whose first purchase was at or before ``cohort_end`` (a fixed cohort,
    for tracking plots). Small: one row per day, whatever the number of customers."""
    cohort = as_timestamp(cohort_end, "cohort_end")
    events = purchase_events(orders, None, end, unit)
    events = events.mutate(
        first=events.ts.min().over(group_by=events.customer_id),
        rn=ibis.row_number().over(group_by=events.customer_id, order_by=[events.ts, events.order_id]),
    )
    events = events.filter(events.first <= ibis.literal(cohort.to_pydatetime(), type="timestamp"))
    events = events.mutate(day=events.ts.truncate("D"))
    return events.group_by("day").aggregate(
        events=events.count().cast("int64"), first_purchases=(events.rn == 0).sum().cast("int64")
    )
