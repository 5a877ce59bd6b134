"""How long a funnel takes and how its conversion moves over time, from `funnels.reach`'s output.

A unit *converts* when it reaches the funnel's last step (within the conversion window `reach`
was given). Its *time to convert* is the time from entering (``start_ts``, its first step-1
event) to its last step.

Tables (small, for the dashboard)
---------------------------------
`convert_times` -> one row per time bucket with converted units in it: ``bucket`` (0 = fastest),
``from_s`` (bucket's lower edge in seconds; a unit with time t is in the bucket with
``from_s <= t < next from_s``), ``units``; plus `median_to_convert` (seconds, one number).

`conversion_over_time` -> one row per week or month of entry: ``period_start`` (a date: Monday of
the week or first day of the month), ``entered`` (units that reached step 1), ``converted``
(units that reached the last step), ``conversion`` (converted / entered).

`entered_between` keeps the units that entered in a date range (both days included); the steps
they reach afterwards count even when they fall after the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir

from churnlens.analytics.months import elapsed_seconds

#: Lower edges (seconds) of the time-to-convert buckets: 0, 1 min, 5 min, 15 min, 30 min, 1 h,
#: 3 h, 12 h, 1 day, 3 days, 7 days, 30 days.
BUCKET_EDGES: tuple[float, ...] = (
    0,
    60,
    300,
    900,
    1800,
    3600,
    10_800,
    43_200,
    86_400,
    259_200,
    604_800,
    2_592_000,
)
PERIODS = ("week", "month")


def _last_ts(reached: ir.Table, n_steps: int) -> ir.TimestampValue:
    return reached[f"step_{n_steps}_ts"]


def entered_between(reached: ir.Table, first: date | None, last: date | None) -> ir.Table:
    """Units of ``reached`` whose ``start_ts`` falls on a day from ``first`` to ``last`` (either
    may be None: no bound)."""
    r = reached
    if first is not None:
        r = r.filter(r.start_ts >= datetime.combine(first, time()))
    if last is not None:
        r = r.filter(r.start_ts < datetime.combine(last + timedelta(days=1), time()))
    return r


def seconds_to_convert(reached: ir.Table, n_steps: int) -> ir.Table:
    """``unit_id`` and ``seconds`` (entry to last step) of every converted unit."""
    end = _last_ts(reached, n_steps)
    done = reached.filter(end.notnull())
    return done.select("unit_id", seconds=elapsed_seconds(_last_ts(done, n_steps), done.start_ts))


def convert_times(reached: ir.Table, n_steps: int, edges: Sequence[float] = BUCKET_EDGES) -> ir.Table:
    """Converted units per time-to-convert bucket (module docstring)."""
    s = seconds_to_convert(reached, n_steps)
    bucket = ibis.literal(0, "int64")
    for k, edge in enumerate(edges[1:], start=1):
        bucket = ibis.ifelse(s.seconds >= edge, ibis.literal(k, "int64"), bucket)
    lower = ibis.cases(*[(bucket == k, float(edge)) for k, edge in enumerate(edges)])
    s = s.mutate(bucket=bucket, from_s=lower)
    return s.group_by("bucket", "from_s").aggregate(units=s.count()).order_by("bucket")


def median_to_convert(reached: ir.Table, n_steps: int) -> ir.FloatingScalar:
    """Median seconds from entry to the last step among converted units (NULL when none)."""
    return seconds_to_convert(reached, n_steps).seconds.median().cast("float64")


def conversion_over_time(reached: ir.Table, n_steps: int, period: str = "month") -> ir.Table:
    """Entered and converted units per week or month of entry (module docstring)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    r = reached
    start = r.start_ts.truncate("W" if period == "week" else "M").date()
    r = r.mutate(period_start=start, _done=_last_ts(r, n_steps).notnull().cast("int64"))
    t = r.group_by("period_start").aggregate(entered=r.count(), converted=r._done.sum())
    t = t.mutate(conversion=t.converted.cast("float64") / t.entered)
    return t.order_by("period_start")
