"""Behaviour: funnels with breakdowns, paths (Sankey), sessions, search trends.

Tables: ``funnel_steps`` / ``funnel_breakdown`` (click-stream funnel), ``order_funnel_steps``
/ ``order_funnel_breakdown`` (1st -> 2nd -> 3rd order, also for shops without a click stream),
``path_transitions`` (Sankey of next steps), ``paths_top``, ``path_exits``, ``visit_kpis``
(visits and conversion per month), ``search_trends``. A shop without a click stream gets
one plain sentence for the click-stream sections.
"""

from __future__ import annotations

import streamlit as st

from churnlens.app import charts
from churnlens.app.context import Ctx
from churnlens.app.widgets import kind_of, metric_row, pick, show_table

TABLES = (
    "funnel_steps",
    "funnel_breakdown",
    "order_funnel_steps",
    "order_funnel_breakdown",
    "path_transitions",
    "paths_top",
    "path_exits",
    "visit_kpis",
    "search_trends",
)
VISIT_KPIS = ("visits", "visitors", "conversion_rate", "buyer_rate")


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_behaviour"))
    if not ctx.has_events:
        st.info(ctx.t("no_events"), icon=":material/info:")
    else:
        sessions(ctx)
        funnel(ctx, "funnel_steps", "funnel_breakdown", "funnel")
        paths(ctx)
        search(ctx)
    funnel(ctx, "order_funnel_steps", "order_funnel_breakdown", "order_funnel")


def funnel(ctx: Ctx, steps_table: str, breakdown_table: str, title_key: str) -> None:
    st.subheader(ctx.t(title_key), help=ctx.t("order_funnel_help") if title_key == "order_funnel" else None)
    if not ctx.need(steps_table):
        return
    df = ctx.frame(steps_table)
    if not {"step", "step_name", "units"} <= set(df.columns):
        show_table(ctx, df)
        return
    if "funnel" in df.columns:
        names = list(dict.fromkeys(df["funnel"].astype(str)))
        chosen = names[0]
        if len(names) > 1:
            chosen = (
                st.segmented_control(
                    ctx.t("funnel"),
                    names,
                    default=names[0],
                    format_func=ctx.vlabel,
                    key=f"{steps_table}_which",
                )
                or names[0]
            )
        df = df[df["funnel"].astype(str) == chosen]
    else:
        chosen = None
    df = df.sort_values("step")
    labels = [ctx.vlabel(s) for s in df["step_name"]]
    charts.show(charts.funnel(labels, df["units"].tolist()), key=f"{steps_table}_chart")
    table = df.drop(columns=[c for c in ("funnel", "dimension", "segment", "step") if c in df.columns])
    if steps_table.startswith("order_") and "median_s_from_previous" in table.columns:
        # Days between orders read better than seconds.
        days = table.pop("median_s_from_previous") / 86_400
        table = table.assign(median_days_from_previous=days.round(1))
    show_table(ctx, table, key=f"{steps_table}_table")
    breakdown(ctx, breakdown_table, chosen)


def breakdown(ctx: Ctx, table: str, funnel_name: str | None) -> None:
    if not ctx.has(table) or not ctx.rows(table):
        return
    df = ctx.frame(table)
    if not {"dimension", "segment", "step", "conversion_overall"} <= set(df.columns):
        show_table(ctx, df)
        return
    if funnel_name is not None and "funnel" in df.columns:
        df = df[df["funnel"].astype(str) == funnel_name]
    dims = [d for d in dict.fromkeys(df["dimension"].astype(str)) if d != "month"] or ["month"]
    st.markdown(f"**{ctx.t('breakdown')}**")
    dim = (
        st.segmented_control(
            ctx.t("breakdown"),
            dims,
            default=dims[0],
            format_func=ctx.vlabel,
            key=f"{table}_dim",
            label_visibility="collapsed",
        )
        or dims[0]
    )
    part = df[df["dimension"].astype(str) == dim]
    last = part[part["step"] == part["step"].max()].sort_values("segment")
    shown = last.assign(segment=last["segment"].map(ctx.vlabel))
    fig = charts.bars(
        shown, "segment", "conversion_overall", name=ctx.label("conversion_overall"), height=280
    )
    fig.update_yaxes(tickformat=".1%")
    charts.show(fig, key=f"{table}_chart")


def paths(ctx: Ctx) -> None:
    st.subheader(ctx.t("paths"))
    if ctx.need("path_transitions"):
        df = ctx.frame("path_transitions")
        if {"from_event", "to_event", "transitions"} <= set(df.columns):
            top = df.sort_values("transitions", ascending=False).head(40)
            # Two columns of nodes (this step -> next step), so that loops draw as plain links.
            sources = [ctx.vlabel(v) for v in top["from_event"]]
            targets = [f"→ {ctx.vlabel(v)}" for v in top["to_event"]]
            st.caption(ctx.t("next_step"))
            charts.show(charts.sankey(sources, targets, top["transitions"].tolist()), key="sankey_chart")
        else:
            show_table(ctx, df)
    cols = st.columns(2)
    if ctx.has("paths_top") and ctx.rows("paths_top"):
        with cols[0]:
            top = ctx.frame("paths_top", order_by=("rank",), limit=20)
            show_table(ctx, top, key="paths_top_table")
    if ctx.has("path_exits") and ctx.rows("path_exits"):
        with cols[1]:
            ex = ctx.frame("path_exits").sort_values("sessions", ascending=False)
            shown = ex.assign(exit_event=ex["exit_event"].map(ctx.vlabel))
            charts.show(
                charts.bars(
                    shown, "exit_event", "sessions", horizontal=True, title=ctx.t("path_exits"), height=320
                ),
                key="exits_chart",
            )


def sessions(ctx: Ctx) -> None:
    st.subheader(ctx.t("sessions"))
    if not ctx.need("visit_kpis"):
        return
    df = (
        ctx.frame("visit_kpis", filters=(("dimension", "==", "all"),))
        if "dimension" in ctx.columns("visit_kpis")
        else ctx.frame("visit_kpis")
    )
    month = pick(df.columns, "month")
    kpis = [c for c in VISIT_KPIS if c in df.columns]
    if not month or not kpis or df.empty:
        show_table(ctx, df)
        return
    df = df.sort_values(month).reset_index(drop=True)
    last = df.iloc[-1]
    prev = df.iloc[-2] if len(df) > 1 else None
    if prev is not None:
        st.caption(ctx.t("kpi_help", period=ctx.month(last[month]), previous=ctx.month(prev[month])))
    metric_row(
        ctx, [(ctx.label(c), last[c], kind_of(c), None if prev is None else prev[c]) for c in kpis], per_row=4
    )
    charts.show(
        charts.lines(df, month, ["visits"], [ctx.label("visits")])
        if "visits" in df
        else charts.lines(df, month, kpis[:1], [ctx.label(kpis[0])]),
        key="visits_chart",
    )


def search(ctx: Ctx) -> None:
    st.subheader(ctx.t("search_trends"))
    if not ctx.need("search_trends"):
        return
    df = ctx.frame("search_trends")
    if not {"keyword_group", "period_start", "search_share"} <= set(df.columns):
        show_table(ctx, df)
        return
    if "period" in df.columns:
        df = df[df["period"] == "month"]
    wide = df.pivot_table(
        index="period_start", columns="keyword_group", values="search_share", aggfunc="first"
    ).reset_index()
    groups = [c for c in wide.columns if c != "period_start"]
    fig = charts.lines(
        wide.sort_values("period_start"),
        "period_start",
        groups,
        [str(g) for g in groups],
        title=ctx.label("search_share"),
    )
    fig.update_yaxes(tickformat=".0%")
    charts.show(fig, key="search_chart")
