"""The behaviour stages of the pipeline: click-stream analytics and order-history analytics.

`clicks_stage` (needs a click stream) writes ``sessions``, ``customer_sessions``,
``funnel_steps``, ``funnel_breakdown``, ``paths_top``, ``path_transitions``, ``path_exits``,
``path_outcomes``, ``search_trends`` and ``visit_kpis``. `orders_stage` (needs orders, so it
also runs on order-only shops) writes ``cohort_retention``, ``customer_lifecycle``,
``lifecycle_monthly``, ``order_funnel_steps`` and ``order_funnel_breakdown``. Columns are
documented in the modules that build them (`sessions`, `funnels`, `paths`, `search`,
`visits`, `cohorts`, `lifecycle`).

Sessionized events and sessions are used by most click-stream tables, so `clicks_stage`
materialises them once in the warehouse: the sessions as the result table ``sessions`` itself
(returned as read back, so the pipeline does not write it again), the rest under hidden names
(``_behaviour_session_events``, the funnel units ``_behaviour_funnel_units``,
``_behaviour_nonbuyer_units``, ``_behaviour_order_units``, and the path steps
``_behaviour_path_steps``; private to the run, never published) instead of recomputing them per table.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from churnlens.analytics import cohorts, funnels, lifecycle, paths, search, sessions, visits
from churnlens.analytics.attributes import with_attributes
from churnlens.analytics.demographics import band_labels
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.schema import EVENT_TYPES
from churnlens.warehouse import Warehouse

#: Funnel breakdowns of click streams and of order histories.
EVENT_DIMENSIONS = ("gender", "age_band", "traffic_source", "device", "customer_type", "month")
ORDER_DIMENSIONS = ("gender", "age_band", "device", "month")
NONBUYER_DIMENSIONS = ("gender", "age_band")
#: The events columns the session tables, funnels and paths read: only these are carried into
#: the sessionized events (not the metadata columns, which search trends read from ``events``).
SESSION_EVENT_COLUMNS = ("event_id", "session_id", "customer_id", "event_ts", "event_type", "traffic_source")


def _optional(wh: Warehouse, name: str) -> ir.Table | None:
    return wh.table(name) if wh.has(name) else None


def _cache(wh: Warehouse, name: str, expr: ir.Table) -> ir.Table:
    wh.write(name, expr)
    return wh.table(name)


def check_config(config: ChurnlensConfig) -> None:
    """Raise DataError on behaviour settings that cannot work, naming the setting and the fix."""
    b, sc = config.behaviour, config.sessions

    def bad(key: str, value: Any, fix: str) -> DataError:
        return DataError(f"Setting '{key}' cannot be used.", file="config", values=[value], fix=fix)

    if sc.gap_minutes <= 0:
        raise bad("sessions.gap_minutes", sc.gap_minutes, "Give a positive number of minutes, e.g. 30.")
    unknown = [s for s in b.funnel_steps if s not in EVENT_TYPES]
    if not b.funnel_steps or unknown:
        raise bad(
            "behaviour.funnel_steps", unknown or b.funnel_steps, f"List steps among {list(EVENT_TYPES)}."
        )
    if b.funnel_unit not in ("session", "visitor"):
        raise bad("behaviour.funnel_unit", b.funnel_unit, "Use 'session' or 'visitor'.")
    if b.search_match not in search.MATCHES:
        raise bad("behaviour.search_match", b.search_match, f"Use one of {list(search.MATCHES)}.")
    if not b.search_groups or not all(isinstance(v, list | tuple) and v for v in b.search_groups.values()):
        raise bad("behaviour.search_groups", b.search_groups, "Give each group a non-empty list of terms.")
    try:
        band_labels(b.age_band_edges)
    except ValueError:
        raise bad(
            "behaviour.age_band_edges", b.age_band_edges, "Give increasing lower edges, e.g. [0, 18, 25]."
        ) from None
    for key in ("path_steps", "path_top", "order_funnel_orders"):
        if getattr(b, key) < 1:
            raise bad(f"behaviour.{key}", getattr(b, key), "Use a whole number of 1 or more.")


def clicks_stage(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    """Sessions, event funnels, paths, search trends and visit KPIs (module docstring)."""
    check_config(config)
    b, sc = config.behaviour, config.sessions
    events = wh.table("events")
    customers, orders = _optional(wh, "customers"), _optional(wh, "orders")
    se = _cache(
        wh,
        "_behaviour_session_events",
        sessions.sessionize(events.select(*SESSION_EVENT_COLUMNS), sc.gap_minutes, sc.split_at_midnight),
    )
    ss = _cache(wh, "sessions", sessions.sessions(se))

    units = funnels.event_units(se, b.funnel_unit)
    window = b.funnel_window_minutes * 60 if b.funnel_window_minutes else None
    reached = funnels.reach(units, b.funnel_steps, window)
    reached = _cache(
        wh, "_behaviour_funnel_units", with_attributes(reached, customers, orders, b.age_band_edges)
    )
    nonbuyers = _cache(wh, "_behaviour_nonbuyer_units", funnels.nonbuyer_units(reached, orders))
    steps = funnels.step_table(reached, b.funnel_steps, "events")
    steps = steps.union(funnels.step_table(nonbuyers, b.funnel_steps, "nonbuyers"))
    breakdown = funnels.breakdown(reached, b.funnel_steps, "events", EVENT_DIMENSIONS).union(
        funnels.breakdown(nonbuyers, b.funnel_steps, "nonbuyers", NONBUYER_DIMENSIONS)
    )

    st = _cache(wh, "_behaviour_path_steps", paths.steps_of(se, b.path_collapse_repeats))
    sessions_attr = with_attributes(ss, customers, orders, b.age_band_edges)
    return {
        "sessions": ss,
        "customer_sessions": sessions.customer_sessions(ss),
        "funnel_steps": steps,
        "funnel_breakdown": breakdown,
        "paths_top": paths.top_paths(st, b.path_steps, b.path_top),
        "path_transitions": paths.transitions(st),
        "path_exits": paths.exits(ss),
        "path_outcomes": paths.outcome_paths(st, b.path_steps, b.path_top),
        "search_trends": search.search_trends(events, b.search_groups, b.search_match),
        "visit_kpis": visits.visit_kpis(sessions_attr),
    }


def orders_stage(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    """Cohort retention, lifecycle states and the order funnel (module docstring)."""
    check_config(config)
    b = config.behaviour
    orders = wh.table("orders")
    customers = _optional(wh, "customers")
    lc = lifecycle.customer_lifecycle(orders)
    steps = funnels.order_steps(b.order_funnel_orders)
    window = b.order_funnel_window_days * 86_400 if b.order_funnel_window_days else None
    reached = funnels.reach(funnels.order_units(orders, b.order_funnel_orders), steps, window)
    reached = _cache(
        wh, "_behaviour_order_units", with_attributes(reached, customers, None, b.age_band_edges)
    )
    return {
        "cohort_retention": cohorts.cohort_retention(orders),
        "customer_lifecycle": lc,
        "lifecycle_monthly": lifecycle.lifecycle_monthly(lc),
        "order_funnel_steps": funnels.step_table(reached, steps, "orders"),
        "order_funnel_breakdown": funnels.breakdown(reached, steps, "orders", ORDER_DIMENSIONS),
    }


def needs_events(caps: Any) -> str | None:
    """Reason to skip `clicks_stage`, or None."""
    return None if caps.has_events else "the shop has no click stream (events table empty)"


def needs_orders(caps: Any) -> str | None:
    """Reason to skip `orders_stage`, or None."""
    return None if caps.has_orders else "the shop has no orders"
