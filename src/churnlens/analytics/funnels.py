"""Ordered funnels with a conversion window, on click streams and on order histories.

A funnel follows *units* (a session, or a visitor across sessions) through ordered steps.
A unit enters at its first step-1 event; it reaches step k at its earliest step-k event at or
after the time it reached step k-1 and at most ``window`` after it entered (taking the
earliest event at every step is optimal: it leaves the most room for the later steps). Units
never go back: a step count is never above the previous one.

The same machinery runs the order funnel of order-only shops: every customer's paid orders,
ranked by time, become the steps ``order_1`` -> ``order_2`` -> ``order_3``.

Tables (long format; one row per funnel x dimension x segment x step)
----------------------------------------------------------------------
``funnel_steps`` (dimension ``all``) and ``funnel_breakdown`` (the other dimensions), and
``order_funnel_steps`` / ``order_funnel_breakdown`` for the order funnel:

- ``funnel``: ``events`` (sessions or visitors of the shop), ``nonbuyers`` (units of
  visitors who never had a paid order: where they drop out) or ``orders``;
- ``dimension``, ``segment``: the breakdown (``all``/``all`` for the overall funnel); dimensions
  are ``gender``, ``age_band``, ``device``, ``customer_type`` (new or returning at entry),
  ``month`` (of entry, ``YYYY-MM``) and ``traffic_source`` (click streams only);
- ``step`` (from 1), ``step_name``;
- ``units``: units that reached the step; ``conversion_from_previous``: units / units at
  the previous step (1 at step 1); ``conversion_overall``: units / units at step 1;
- ``median_s_from_previous``: median seconds from the previous step to this one among the
  units that reached it (NULL at step 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from churnlens.analytics.attributes import paid_orders
from churnlens.analytics.months import elapsed_seconds


def reach(
    steps_events: ir.Table,
    steps: Sequence[str],
    window_seconds: float | None = None,
) -> ir.Table:
    """When each unit reached each step: one row per unit that reached step 1.

    Parameters
    ----------
    steps_events:
        Table with ``unit_id``, ``step_key`` (matched against ``steps``), ``event_ts`` and
        ``traffic_source`` (may be NULL) and ``customer_id``.
    steps:
        Ordered step keys, at least one.
    window_seconds:
        Conversion window from entry; ``None`` (or 0) means no limit.

    Returns
    -------
    ``unit_id``, ``customer_id``, ``traffic_source`` (of the entering event), ``start_ts`` and
    ``step_<k>_ts`` for k = 1..len(steps) (NULL when not reached).
    """
    if not steps:
        raise ValueError("a funnel needs at least one step")
    e = steps_events
    first = e.filter(e.step_key == steps[0])
    reached = first.group_by("unit_id").aggregate(
        customer_id=first.customer_id.max(),
        traffic_source=first.traffic_source.argmin(first.event_ts),
        step_1_ts=first.event_ts.min(),
    )
    reached = reached.mutate(start_ts=reached.step_1_ts)
    if window_seconds:
        window = ibis.interval(microseconds=int(round(window_seconds * 1e6)))
        reached = reached.mutate(_deadline=reached.start_ts + window)
    for k, step in enumerate(steps[1:], start=2):
        # one left join per step, the conditions in the join, so each step reads the previous once
        prev = reached[f"step_{k - 1}_ts"]
        cand = e.filter(e.step_key == step).select(_u=e.unit_id, _ts=e.event_ts)
        cond = [reached.unit_id == cand._u, cand._ts > prev if step == steps[k - 2] else cand._ts >= prev]
        if window_seconds:
            cond.append(cand._ts <= reached._deadline)  # plain comparisons keep it a hash join
        j = reached.left_join(cand, cond)
        reached = j.group_by(list(reached.columns)).aggregate(**{f"step_{k}_ts": j._ts.min()})
    return reached.drop("_deadline") if window_seconds else reached


def step_table(
    reached: ir.Table,
    steps: Sequence[str],
    funnel: str,
    dimensions: Sequence[str | None] = (None,),
) -> ir.Table:
    """Step counts, conversions and median times of `reach`'s output (module docstring).

    ``dimensions`` name columns of ``reached`` to break down by; ``None`` stands for the
    overall funnel (``dimension`` and ``segment`` both ``"all"``). The units are first laid out
    long (one row per unit, dimension and step) and then aggregated once, so the engine runs
    one grouping whatever the number of steps and dimensions.
    """
    r = reached
    parts = []
    for dim in dimensions:
        seg = ibis.literal("all", "string") if dim is None else r[dim].cast("string").fill_null("unknown")
        for k in range(1, len(steps) + 1):
            prev = r[f"step_{k - 1}_ts"] if k > 1 else ibis.null(r.step_1_ts.type())
            parts.append(
                r.select(
                    dimension=ibis.literal(dim or "all", "string"),
                    segment=seg,
                    step=ibis.literal(k, "int64"),
                    _ts=r[f"step_{k}_ts"],
                    _prev=prev,
                )
            )
    long = ibis.union(*parts)
    t = long.group_by("dimension", "segment", "step").aggregate(
        units=long._ts.count(),
        median_s_from_previous=elapsed_seconds(long._ts, long._prev).median().cast("float64"),
    )
    w = ibis.window(group_by=[t.dimension, t.segment], order_by=t.step)
    # counts never increase along the steps, so step 1 holds the largest
    t = t.mutate(
        _prev_units=t.units.lag().over(w),
        _first_units=t.units.max().over(ibis.window(group_by=[t.dimension, t.segment])),
    )
    names = ibis.cases(*[(t.step == k, name) for k, name in enumerate(steps, start=1)])
    t = t.mutate(
        funnel=ibis.literal(funnel, "string"),
        step_name=names,
        conversion_from_previous=ibis.ifelse(
            t.step == 1,
            ibis.ifelse(t.units > 0, 1.0, ibis.null("float64")).cast("float64"),
            ibis.ifelse(t._prev_units == 0, ibis.null("float64"), t.units.cast("float64") / t._prev_units),
        ),
        conversion_overall=ibis.ifelse(
            t._first_units == 0, ibis.null("float64"), t.units.cast("float64") / t._first_units
        ),
    )
    return t.select(
        "funnel",
        "dimension",
        "segment",
        "step",
        "step_name",
        "units",
        "conversion_from_previous",
        "conversion_overall",
        "median_s_from_previous",
    )


def breakdown(reached: ir.Table, steps: Sequence[str], funnel: str, dimensions: Sequence[str]) -> ir.Table:
    """`step_table` broken down by each of ``dimensions`` (months written ``YYYY-MM``)."""
    r = reached
    if "month" in dimensions:
        r = r.mutate(month=r.month.strftime("%Y-%m"))
    return step_table(r, steps, funnel, list(dimensions))


def event_units(session_events: ir.Table, unit: str = "session") -> ir.Table:
    """`reach`'s input from sessionized events: ``unit`` is ``"session"`` or ``"visitor"``."""
    if unit not in ("session", "visitor"):
        raise ValueError(f"funnel unit must be 'session' or 'visitor', got {unit!r}")
    e = session_events
    return e.select(
        unit_id=e.session_id if unit == "session" else e.visitor_id,
        customer_id=e.customer_id,
        step_key=e.event_type,
        event_ts=e.event_ts,
        traffic_source=e.traffic_source,
    )


def order_units(orders: ir.Table, n_orders: int = 3) -> ir.Table:
    """`reach`'s input from paid orders: each customer's k-th order has step key ``order_<k>``."""
    p = paid_orders(orders)
    w = ibis.window(group_by=p.customer_id, order_by=[p.order_ts, p.order_id])
    p = p.mutate(_n=ibis.row_number().over(w) + 1)
    p = p.filter(p._n <= n_orders)
    return p.select(
        unit_id=p.customer_id,
        customer_id=p.customer_id,
        step_key="order_" + p._n.cast("string"),
        event_ts=p.order_ts,
        traffic_source=ibis.null("string"),
    )


def order_steps(n_orders: int = 3) -> list[str]:
    """Step keys of the order funnel: ``order_1`` .. ``order_<n>``."""
    return [f"order_{k}" for k in range(1, n_orders + 1)]


def nonbuyer_units(reached: ir.Table, orders: ir.Table | None) -> ir.Table:
    """Rows of ``reached`` whose visitor never had a paid order (anonymous visitors included)."""
    if orders is None:
        return reached
    p = paid_orders(orders)
    buyers = p.select(_buyer=p.customer_id).distinct()
    j = reached.left_join(buyers, reached.customer_id == buyers._buyer)
    return j.filter(j._buyer.isnull()).drop("_buyer")
