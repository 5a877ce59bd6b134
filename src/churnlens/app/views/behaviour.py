"""Behaviour: funnels with breakdowns, paths (Sankey), sessions, search trends.

Tables: ``funnel_steps`` / ``funnel_breakdown`` (click-stream funnel), ``order_funnel_steps``
/ ``order_funnel_breakdown`` (1st -> 2nd -> 3rd order, also for shops without a click stream),
``path_transitions`` (Sankey of next steps), ``paths_top``, ``path_exits``, ``visit_kpis``
(visits and conversion per month), ``search_trends``. A shop without a click stream gets
one plain sentence for the click-stream sections.

The months chosen at the top (`compare.period`, kept across pages) set the visit KPIs, the
funnel with a conversion window (`funnel_window`) and the paths from or to an event
(`path_focus`), which read the canonical events of those months.
"""

from __future__ import annotations

import streamlit as st

from churnlens.app import compare, figure, people
from churnlens.app.context import Ctx
from churnlens.app.views import funnel_window, path_focus
from churnlens.app.widgets import axis_title, kpi, metric_row, pick, show_table
from churnlens.presentation import charts

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
#: Path nodes left out of the Sankey: they frame every session and would hide the pages between.
FRAME_NODES = ("(start)", "(exit)", "start", "exit", "other", "(other)")


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_behaviour"))
    if not ctx.has_events:
        st.info(ctx.t("no_events"), icon=":material/info:")
    else:
        current, previous = sessions(ctx)
        funnel(ctx, "funnel_steps", "funnel_breakdown", "funnel")
        funnel_window.render(ctx, current, previous)
        paths(ctx)
        path_focus.render(ctx, current)
        search(ctx)
    funnel(ctx, "order_funnel_steps", "order_funnel_breakdown", "order_funnel")


def funnel(ctx: Ctx, steps_table: str, breakdown_table: str, title_key: str) -> None:
    st.subheader(
        ctx.t(title_key), help=ctx.t("order_funnel_help" if title_key == "order_funnel" else "funnel_help")
    )
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
    if title_key == "funnel":
        st.caption(ctx.t("funnel_help"))
    figure.show(
        charts.funnel(labels, df["units"].tolist(), y_title=ctx.t("axis_step")), key=f"{steps_table}_chart"
    )
    table = df.drop(columns=[c for c in ("funnel", "dimension", "segment", "step") if c in df.columns])
    if "median_s_from_previous" in table.columns:
        seconds = table.pop("median_s_from_previous")
        if steps_table.startswith("order_"):  # days between orders read better than seconds
            table = table.assign(median_days_from_previous=(seconds / 86_400).round(1))
        else:  # minutes between steps of a session
            table = table.assign(median_minutes_from_previous=(seconds / 60).round(1))
    show_table(ctx, table, key=f"{steps_table}_table")
    if chosen is not None:
        funnel_people(ctx, df, chosen, steps_table)
    breakdown(ctx, breakdown_table, chosen)


def funnel_people(ctx: Ctx, df, funnel_name: str, key: str) -> None:
    """The sessions, visitors or customers that reached one step, each customer a link to Customer 360."""
    settings = ctx.info.get("settings", {})
    unit = (
        "customer" if funnel_name == "orders" else settings.get("behaviour", {}).get("funnel_unit", "session")
    )
    st.markdown(f"**{ctx.t('funnel_people')}**")
    names = dict(zip(df["step"].astype(int), df["step_name"], strict=True))
    units = dict(zip(df["step"].astype(int), df["units"], strict=True))
    step = st.selectbox(
        ctx.t("funnel_people_step"),
        list(names),
        index=len(names) - 1,  # who got to the end, then any step before
        format_func=lambda k: f"{ctx.vlabel(names[k])} ({ctx.num(units[k])})",
        key=f"{key}_people_step",
    )
    members = people.funnel_members(ctx.db, ctx.stamp, funnel_name, step, settings)
    text = ctx.t(f"funnel_people_{unit}", n=ctx.num(len(members)), step=ctx.vlabel(names[step]))
    if len(members) > people.SHOWN:
        text += " " + ctx.t("list_cut", shown=ctx.num(people.SHOWN))
    st.caption(text)
    shown = members.head(people.SHOWN)
    shown = shown[["customer_id"]] if unit == "customer" else shown.rename(columns={"unit_id": f"{unit}_id"})
    show_table(
        ctx, shown.drop(columns=["reached"], errors="ignore"), key=f"{key}_people", link_customers=True
    )


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
    # The deepest step anyone reached (a funnel of visitors who never bought stops before purchase).
    reached = part.loc[part["conversion_overall"].fillna(0) > 0, "step"]
    if reached.empty:
        st.info(ctx.t("no_conversion_rows"), icon=":material/info:")
        return
    last = part[part["step"] == reached.max()].sort_values("segment")
    step = ctx.vlabel(last["step_name"].iloc[0]) if "step_name" in last.columns else ""
    shown = last.assign(segment=last["segment"].map(ctx.vlabel))
    fig = charts.bars(
        shown,
        "segment",
        "conversion_overall",
        name=ctx.label("conversion_overall"),
        height=280,
        x_title=ctx.vlabel(dim),
        y_title=f"{axis_title(ctx, 'conversion_overall')} → {step}" if step else None,
    )
    fig.update_yaxes(tickformat=".1%")
    figure.show(fig, key=f"{table}_chart")


def paths(ctx: Ctx) -> None:
    st.subheader(ctx.t("paths"), help=ctx.t("paths_help"))
    if ctx.need("path_transitions"):
        df = ctx.frame("path_transitions")
        if {"from_event", "to_event", "transitions"} <= set(df.columns):
            top = sankey_links(df)
            # Two columns of nodes (this step -> next step), so that loops draw as plain links.
            sources = [ctx.vlabel(v) for v in top["from_event"]]
            targets = [f"→ {ctx.vlabel(v)}" for v in top["to_event"]]
            st.caption(f"{ctx.t('next_step')}. {ctx.t('paths_hidden')}")
            figure.show(charts.sankey(sources, targets, top["transitions"].tolist()), key="sankey_chart")
        else:
            show_table(ctx, df)
    if ctx.has("paths_top") and ctx.rows("paths_top"):
        top = ctx.frame("paths_top", order_by=("rank",), limit=20)
        st.caption(ctx.t("paths_help"))
        show_table(ctx, top, key="paths_top_table")
    if ctx.has("path_exits") and ctx.rows("path_exits"):
        ex = ctx.frame("path_exits").sort_values("sessions", ascending=False)
        shown = ex.assign(exit_event=ex["exit_event"].map(ctx.vlabel))
        figure.show(
            charts.bars(
                shown,
                "exit_event",
                "sessions",
                horizontal=True,
                title=ctx.t("path_exits"),
                height=320,
                x_title=ctx.t("axis_exit"),
                y_title=ctx.t("axis_sessions"),
            ),
            key="exits_chart",
        )


def sessions(ctx: Ctx) -> tuple[compare.Span | None, compare.Span | None]:
    """Visit KPIs of the chosen months against the comparison period; those (current, previous)."""
    st.subheader(ctx.t("sessions"))
    if not ctx.need("visit_kpis"):
        return None, None
    df = (
        ctx.frame("visit_kpis", filters=(("dimension", "==", "all"),))
        if "dimension" in ctx.columns("visit_kpis")
        else ctx.frame("visit_kpis")
    )
    month = pick(df.columns, "month")
    kpis = [c for c in VISIT_KPIS if c in df.columns]
    if not month or not kpis or df.empty:
        show_table(ctx, df)
        return None, None
    df = df.sort_values(month).reset_index(drop=True)
    current, previous = compare.period(ctx, df[month].tolist())
    now = compare.summarise(df, month, kpis, current) or df.iloc[-1][kpis].to_dict()
    before = compare.summarise(df, month, kpis, previous)
    note = compare.caption(ctx, current, previous if before else None)
    if note:
        st.caption(note)
    metric_row(ctx, [kpi(ctx, c, now[c], None if before is None else before[c]) for c in kpis], per_row=4)
    y = "visits" if "visits" in df else kpis[0]
    fig = charts.lines(
        df, month, [y], [ctx.label(y)], x_title=ctx.t("axis_month"), y_title=axis_title(ctx, y)
    )
    figure.show(compare.mark(fig, ctx, current, previous if before else None), key="visits_chart")
    return current, previous if before else None


def sankey_links(df, limit: int = 40):
    """The ``limit`` largest transitions between pages (session start, exit and "other" left out)."""
    frame = df["from_event"].astype(str).str.lower().isin(FRAME_NODES) | df["to_event"].astype(
        str
    ).str.lower().isin(FRAME_NODES)
    return df[~frame].sort_values("transitions", ascending=False).head(limit)


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
        [ctx.vlabel(g) for g in groups],
        title=ctx.label("search_share"),
        x_title=ctx.t("axis_month"),
        y_title=axis_title(ctx, "search_share"),
    )
    fig.update_yaxes(tickformat=".0%")
    figure.show(fig, key="search_chart")
