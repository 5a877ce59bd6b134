"""Paths from or to an event the reader picks on the Behaviour page, over the warehouse's events.

The sessions are re-split with the session settings of the last run and the paths built by
`churnlens.analytics.path_focus` (repeats collapsed as the run's ``path_collapse_repeats`` says);
only the link table leaves the engine, cached like `data`'s. `group_rare` then folds the events
seen least at each position into one "Other" node, and says which events it folded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import ibis
import pandas as pd
import streamlit as st

from churnlens.analytics import path_focus, paths, sessions
from churnlens.analytics.funnel_timing import entered_between
from churnlens.app import data
from churnlens.app.funnel_reader import run_config

#: The node that holds the events folded by `group_rare`.
GROUPED = "(grouped)"
#: Nodes never folded: they frame every path.
FRAME = (paths.START, paths.EXIT)


@st.cache_data(show_spinner=False, max_entries=64)
def path_links(
    db: str,
    stamp: float,
    settings_json: str,
    event: str,
    direction: str,
    n_steps: int,
    expand_other: bool,
    first: date | None = None,
    last: date | None = None,
) -> dict[str, Any]:
    """``links`` (`path_focus.links_from` when ``direction`` is ``from``, else `links_to`) and
    ``sessions`` (sessions holding ``event``), of sessions starting from ``first`` to ``last``."""
    config = run_config(json.loads(settings_json))
    sc = config.sessions
    with data._opened(db) as wh:
        events = wh.table("events")
        se = sessions.sessionize(events, sc.gap_minutes, sc.split_at_midnight)
        if first is not None or last is not None:
            se = _sessions_between(se, first, last)
        labelled = path_focus.labelled_events(se, expand_other)
        steps = paths.steps_of(labelled, config.behaviour.path_collapse_repeats).cache()
        build = path_focus.links_from if direction == "from" else path_focus.links_to
        links = build(steps, event, n_steps).to_pandas()
        count = int(path_focus.anchored_sessions(steps, event).to_pandas())
    return {"links": links, "sessions": count}


def _sessions_between(se, first: date | None, last: date | None):
    """Events of the sessions whose first event falls from ``first`` to ``last``."""
    starts = se.group_by("session_id").aggregate(start_ts=se.event_ts.min())
    kept = entered_between(starts, first, last).select(_sid=starts.session_id)
    return se.semi_join(kept, se.session_id == kept._sid)


@st.cache_data(show_spinner=False, max_entries=16)
def event_labels(db: str, stamp: float) -> list[str]:
    """The event types the shop's click stream holds, most frequent first."""
    with data._opened(db) as wh:
        e = wh.table("events")
        counts = e.group_by("event_type").aggregate(n=e.count()).order_by(ibis.desc("n"), "event_type")
        return [str(v) for v in counts.to_pandas()["event_type"] if v is not None]


def group_rare(links: pd.DataFrame, keep: int, anchor: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links with, at each position, the events beyond the ``keep`` busiest folded into
    `GROUPED` (the anchor, start and exit are never folded); and the folded events:
    ``position``, ``event``, ``sessions`` (through that node)."""
    cols = ["position", "from_event", "to_event", "sessions"]
    if links.empty:
        return links[cols], pd.DataFrame(columns=["position", "event", "sessions"])
    out_side = links.groupby(["position", "from_event"])["sessions"].sum()
    in_side = links.groupby([links["position"] + 1, "to_event"])["sessions"].sum()
    out_side.index.names = in_side.index.names = ["position", "event"]
    nodes = pd.concat([out_side, in_side], axis=1).fillna(0).max(axis=1).rename("sessions").reset_index()
    nodes = nodes.sort_values(["position", "sessions", "event"], ascending=[True, False, True])
    fixed = nodes["event"].isin([*FRAME, anchor])
    rank = nodes[~fixed].groupby("position").cumcount()
    folded = nodes[~fixed][rank >= keep].reset_index(drop=True)
    gone = set(zip(folded["position"], folded["event"], strict=True))
    shown = links.copy()
    shown["from_event"] = [
        GROUPED if (p, e) in gone else e for p, e in zip(shown["position"], shown["from_event"], strict=True)
    ]
    shown["to_event"] = [
        GROUPED if (p + 1, e) in gone else e
        for p, e in zip(shown["position"], shown["to_event"], strict=True)
    ]
    shown = shown.groupby(["position", "from_event", "to_event"], as_index=False)["sessions"].sum()
    return shown.sort_values(["position", "sessions"], ascending=[True, False]).reset_index(drop=True), folded
