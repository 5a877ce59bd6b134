"""The click-stream funnel as the reader sets it on the Behaviour page: a conversion window, a
date range of entry, and conversion per week or month.

The figures come from the canonical events through the same functions the behaviour stage uses
(`churnlens.analytics.sessions`, `churnlens.analytics.funnels`) and from
`churnlens.analytics.funnel_timing`, with the session settings of the last run; only the small
aggregated tables leave the engine, and each answer is cached like `data`'s.

Windows: ``session`` follows sessions (a funnel ends with its session); the others follow a
visitor across sessions for at most that long after entering.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import ibis.expr.types as ir
import pandas as pd
import streamlit as st

from churnlens.analytics import funnel_timing, funnels, sessions
from churnlens.app import data
from churnlens.config import ChurnlensConfig
from churnlens.warehouse import Warehouse

#: Window key -> (funnel unit, window in seconds; None: the session itself).
WINDOWS: dict[str, tuple[str, float | None]] = {
    "session": ("session", None),
    "30min": ("visitor", 1_800.0),
    "1day": ("visitor", 86_400.0),
    "7days": ("visitor", 604_800.0),
}


def run_config(settings: dict[str, Any]) -> ChurnlensConfig:
    """The configuration of the last run (sessions and behaviour settings), defaults elsewhere."""
    sections = {s: settings.get(s) or {} for s in ("sessions", "behaviour")}
    return ChurnlensConfig.from_dict(sections, source="the last run's settings")


def event_reach(wh: Warehouse, config: ChurnlensConfig, unit: str, window_s: float | None) -> ir.Table:
    """`funnels.reach` of the configured click-stream funnel over the warehouse's events."""
    sc = config.sessions
    se = sessions.sessionize(wh.table("events"), sc.gap_minutes, sc.split_at_midnight)
    return funnels.reach(funnels.event_units(se, unit), list(config.behaviour.funnel_steps), window_s)


def default_window(settings: dict[str, Any]) -> str:
    """The window key closest to the run's own funnel (a session funnel is ``session``)."""
    b = settings.get("behaviour") or {}
    if b.get("funnel_unit", "session") == "session":
        return "session"
    seconds = float(b.get("funnel_window_minutes") or 0) * 60
    return min((k for k in WINDOWS if k != "session"), key=lambda k: abs((WINDOWS[k][1] or 0) - seconds))


Range = tuple[date | None, date | None]


@st.cache_data(show_spinner=False, max_entries=64)
def funnel_view(
    db: str,
    stamp: float,
    settings_json: str,
    window: str,
    ranges: tuple[Range, ...] = ((None, None),),
    period: str = "month",
) -> dict[str, Any]:
    """The funnel with ``window``, for the units entering in each of ``ranges`` (first and last
    day; None: no bound): ``unit`` (``session`` or ``visitor``), ``ranges`` (per range: ``steps``
    from `funnels.step_table`, ``times`` from `funnel_timing.convert_times` and ``median_s``) and
    ``over_time`` (`funnel_timing.conversion_over_time` by ``period``, every unit). The units'
    steps are computed once and kept in the engine for the answers."""
    config = run_config(json.loads(settings_json))
    steps = list(config.behaviour.funnel_steps)
    unit, window_s = WINDOWS[window]
    answers = []
    with data._opened(db) as wh:
        reached = event_reach(wh, config, unit, window_s).cache()
        for first, last in ranges:
            part = funnel_timing.entered_between(reached, first, last)
            median = funnel_timing.median_to_convert(part, len(steps)).to_pandas()
            answers.append(
                {
                    "steps": funnels.step_table(part, steps, "events").order_by("step").to_pandas(),
                    "times": funnel_timing.convert_times(part, len(steps)).to_pandas(),
                    "median_s": None if pd.isna(median) else float(median),
                }
            )
        over = funnel_timing.conversion_over_time(reached, len(steps), period).to_pandas()
    return {"unit": unit, "ranges": answers, "over_time": over}
