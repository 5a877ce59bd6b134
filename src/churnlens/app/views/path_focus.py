"""Behaviour page, paths from or to an event the reader picks: a Sankey of the steps after (or
before) the first time a session does it, for the sessions starting in the chosen months; the
least-seen events at each step folded into one "Other" node, which opens to list them.
Figures from `churnlens.app.path_reader`.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from churnlens.app import figure, path_reader
from churnlens.app.compare import Span
from churnlens.app.context import Ctx
from churnlens.app.widgets import show_table
from churnlens.presentation import charts

DIRECTIONS = ("from", "to")
DEFAULT_EVENT = {"from": "view_item", "to": "purchase"}


def node_name(ctx: Ctx, event: str) -> str:
    return ctx.t("path_grouped") if event == path_reader.GROUPED else ctx.vlabel(event)


def render(ctx: Ctx, current: Span | None) -> None:
    st.subheader(ctx.t("path_focus_title"), help=ctx.t("path_focus_help"))
    events = path_reader.event_labels(ctx.db, ctx.stamp)
    if not events:
        return
    left, middle, right = st.columns(3)
    with left:
        direction = (
            st.segmented_control(
                ctx.t("path_direction"),
                list(DIRECTIONS),
                default="from",
                format_func=lambda d: ctx.t(f"path_direction_{d}"),
                key="path_direction",
            )
            or "from"
        )
    with middle:
        default = DEFAULT_EVENT[direction] if DEFAULT_EVENT[direction] in events else events[0]
        event = st.selectbox(
            ctx.t("path_event"), events, index=events.index(default), format_func=ctx.vlabel, key="path_event"
        )
    with right:
        n_steps = st.slider(ctx.t("path_steps"), 1, 6, 3, key="path_steps")
    left, right = st.columns(2)
    keep = left.slider(ctx.t("path_keep"), 1, 10, 4, key="path_keep")
    expand = right.toggle(
        ctx.t("path_expand_other"), key="path_expand_other", help=ctx.t("path_expand_other_help")
    )
    settings = json.dumps(ctx.info.get("settings", {}), sort_keys=True, default=str)
    first, last = (current.first, current.end_day()) if current else (None, None)
    found = path_reader.path_links(
        ctx.db, ctx.stamp, settings, event, direction, n_steps, expand, first, last
    )
    period = current.label(ctx) if current else ""
    st.caption(
        ctx.t(
            f"path_focus_count_{direction}",
            n=ctx.num(found["sessions"]),
            event=ctx.vlabel(event),
            period=period,
        )
    )
    links, folded = path_reader.group_rare(found["links"], keep, event)
    if links.empty:
        st.info(ctx.t("path_focus_empty"), icon=":material/info:")
        return
    shift = 1 if direction == "from" else n_steps + 1
    sources = [
        ctx.t("path_node", n=p + shift, event=node_name(ctx, e))
        for p, e in zip(links["position"], links["from_event"], strict=True)
    ]
    targets = [
        ctx.t("path_node", n=p + shift + 1, event=node_name(ctx, e))
        for p, e in zip(links["position"], links["to_event"], strict=True)
    ]
    figure.show(charts.sankey(sources, targets, links["sessions"].tolist()), key="path_focus_chart")
    with st.expander(ctx.t("path_grouped_list", n=ctx.num(len(folded)))):
        if folded.empty:
            st.caption(ctx.t("path_grouped_none"))
        else:
            table = pd.DataFrame(
                {
                    ctx.t("axis_step"): [ctx.num(p + shift) for p in folded["position"]],
                    ctx.t("path_event"): [ctx.vlabel(e) for e in folded["event"]],
                    ctx.t("axis_sessions"): [ctx.num(v) for v in folded["sessions"]],
                }
            )
            show_table(ctx, table, key="path_grouped_table")
