"""Customers: RFM grid and segments, age/gender/device segments, lifecycle, cohorts, acquisition.

Tables: ``rfm`` (grid), ``segment_summary``, ``demographic_segments``, ``lifecycle_monthly``,
``cohort_retention``, ``acquisition_monthly``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churnlens.app import compare, figure, people
from churnlens.app.context import Ctx
from churnlens.app.widgets import axis_title, metric, numeric_columns, pick, show_table, text_columns
from churnlens.presentation import charts

TABLES = (
    "rfm",
    "segment_summary",
    "demographic_segments",
    "lifecycle_monthly",
    "cohort_retention",
    "acquisition_monthly",
)
MONTH = ("month", "month_start", "period", "cohort_month")
#: The cohort heatmap shows the latest cohorts and their first months (the table has them all).
MAX_COHORTS = 24
MAX_COHORT_MONTHS = 24
#: Lifecycle states in the order their KPIs show.
STATES = ("new", "returning", "resurrected", "dormant")
#: Latest cohorts drawn beside the average retention curve.
RECENT_CURVES = 4


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_customers"))
    rfm_grid(ctx)
    segments(ctx)
    demographics(ctx)
    lifecycle(ctx)
    cohorts(ctx)
    acquisition(ctx)


def rfm_grid(ctx: Ctx) -> None:
    st.subheader(ctx.t("rfm_grid"), help=ctx.t("rfm_grid_help"))
    if not ctx.need("rfm"):
        return
    cols = ctx.columns("rfm")
    r = pick(cols, "r_score", "r_grade", "recency_score", "r")
    f = pick(cols, "f_score", "f_grade", "frequency_score", "f")
    if not r or not f:
        show_table(ctx, ctx.frame("rfm", limit=200))
        return
    grid = ctx.grouped("rfm", [r, f], [("customers", "count", None)])
    matrix = grid.pivot(index=r, columns=f, values="customers").sort_index().sort_index(axis=1)
    # best customers (recent and frequent) in the top right corner
    fig = charts.heatmap(matrix, x_title=ctx.t("rfm_f_axis"), y_title=ctx.t("rfm_r_axis"), reverse_y=False)
    figure.show(fig, key="rfm_grid")


def segments(ctx: Ctx) -> None:
    st.subheader(ctx.t("segments"))
    if not ctx.need("segment_summary"):
        return
    df = ctx.frame("segment_summary")
    seg = pick(df.columns, f"segment_{ctx.lang}", "segment", "segment_name") or next(
        iter(text_columns(df)), None
    )
    size = pick(df.columns, "customers", "n_customers", "size")
    if seg and size:
        df = df.sort_values(size, ascending=False)
        shown = df.assign(**{seg: df[seg].map(ctx.vlabel)})
        figure.show(
            charts.bars(
                shown,
                seg,
                size,
                name=ctx.label(size),
                horizontal=True,
                height=320,
                x_title=ctx.label("segment"),
                y_title=axis_title(ctx, size),
            ),
            key="segments_chart",
        )
    show_table(ctx, df, key="segments_table")
    if size and "segment" in df.columns:
        segment_people(ctx, df, size)


def segment_people(ctx: Ctx, df: pd.DataFrame, size: str) -> None:
    """The customers of one segment, each a link to Customer 360."""
    st.markdown(f"**{ctx.t('segment_people')}**")
    counts = dict(zip(df["segment"].astype(str), df[size], strict=True))
    chosen = st.selectbox(
        ctx.t("segment_people_pick"),
        list(counts),
        format_func=lambda s: f"{ctx.vlabel(s)} ({ctx.num(counts[s])})",
        key="segment_people_segment",
    )
    members = people.segment_members(ctx.db, ctx.stamp, chosen)
    text = ctx.t("segment_people_count", n=ctx.num(len(members)), segment=ctx.vlabel(chosen))
    if len(members) > people.SHOWN:
        text += " " + ctx.t("list_cut", shown=ctx.num(people.SHOWN))
    st.caption(text)
    show_table(ctx, members.head(people.SHOWN), key="segment_people_table", link_customers=True)


def demographics(ctx: Ctx) -> None:
    st.subheader(ctx.t("demographics"))
    if not ctx.need("demographic_segments"):
        return
    df = ctx.frame("demographic_segments")
    dim = pick(df.columns, "dimension", "attribute", "by")
    group = pick(df.columns, "value", "group", "segment", "band", "level")
    measures = [c for c in numeric_columns(df) if c not in (dim, group)]
    if dim and group and measures:
        dims = [d for d in dict.fromkeys(df[dim].astype(str)) if d != "all"] or ["all"]
        chosen = (
            st.segmented_control(
                ctx.t("dimension"), dims, default=dims[0], format_func=ctx.vlabel, key="demo_dim"
            )
            or dims[0]
        )
        part = df[df[dim].astype(str) == chosen]
        measure = pick(measures, "revenue_per_customer", "customers", "revenue", "orders") or measures[0]
        shown = part.assign(**{group: part[group].map(ctx.vlabel)})
        figure.show(
            charts.bars(
                shown,
                group,
                measure,
                name=ctx.label(measure),
                height=300,
                x_title=ctx.vlabel(chosen),
                y_title=axis_title(ctx, measure),
            ),
            key="demo_chart",
        )
        show_table(ctx, part.drop(columns=[dim]), key="demo_table")
    else:
        show_table(ctx, df, key="demo_table")


def lifecycle(ctx: Ctx) -> None:
    st.subheader(ctx.t("lifecycle"))
    if not ctx.need("lifecycle_monthly"):
        return
    df = ctx.frame("lifecycle_monthly")
    month = pick(df.columns, *MONTH)
    state = pick(df.columns, "state", "lifecycle_state", "status")
    value = pick(df.columns, "signed_customers", "customers", "users", "n")
    if month and state and value:
        df = df.sort_values([month, state])
        periods = lifecycle_kpis(ctx, df, month, state)
        shown = df.assign(**{state: df[state].map(ctx.vlabel)})
        st.caption(ctx.t("lifecycle_help"))
        fig = charts.diverging(
            shown,
            month,
            state,
            value,
            net_name=ctx.t("lifecycle_net"),
            x_title=ctx.t("axis_month"),
            y_title=ctx.t("axis_customers"),
        )
        figure.show(compare.mark(fig, ctx, *periods) if periods else fig, key="lifecycle_chart")
        with st.expander(ctx.t("table")):
            show_table(ctx, df)
    else:
        show_table(ctx, df)


def lifecycle_kpis(
    ctx: Ctx, df: pd.DataFrame, month: str, state: str
) -> tuple[compare.Span, compare.Span | None] | None:
    """Customers per lifecycle state in the chosen months (monthly averages) against the
    comparison period; those (current, previous)."""
    count = pick(df.columns, "customers", "users", "n")
    if not count:
        return None
    wide = df.pivot_table(index=month, columns=state, values=count, aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[s for s in STATES if s in wide.columns]).reset_index()
    # every month of the history, a month without a state counting 0
    wide = wide.set_index(month).asfreq("MS", fill_value=0).reset_index() if len(wide) else wide
    states = [s for s in STATES if s in wide.columns]
    if wide.empty or not states:
        return None
    current, previous = compare.period(ctx, wide[month].tolist())
    now = compare.summarise(wide, month, states, current)
    before = compare.summarise(wide, month, states, previous)
    note = compare.caption(ctx, current, previous if before else None)
    if note:
        st.caption(note)
    if now:
        for s, box in zip(states, st.columns(len(states)), strict=True):
            with box:
                metric(
                    ctx,
                    ctx.t(f"lifecycle_kpi_{s}"),
                    now[s],
                    "count",
                    None if before is None else before[s],
                    ctx.t(f"def_lifecycle_{s}"),
                    bad_when_up=s == "dormant",
                )
    return current, previous if before else None


def cohorts(ctx: Ctx) -> None:
    st.subheader(ctx.t("cohort_retention"), help=ctx.t("cohort_help"))
    if not ctx.need("cohort_retention"):
        return
    df = ctx.frame("cohort_retention")
    cohort = pick(df.columns, "cohort", "cohort_month", "signup_month", "first_month")
    age = pick(
        df.columns, "period", "months_since", "month_number", "age_months", "months_since_first", "offset"
    )
    rate = pick(df.columns, "retention", "retention_rate", "share", "rate")
    if cohort and age and rate:
        d = df[df[age] <= MAX_COHORT_MONTHS]
        recent = sorted(d[cohort].unique())[-MAX_COHORTS:]
        d = d[d[cohort].isin(recent)].sort_values([cohort, age])
        if pd.api.types.is_datetime64_any_dtype(d[cohort]):
            d[cohort] = d[cohort].map(ctx.month)
        size = pick(d.columns, "cohort_customers", "cohort_size", "customers")
        y_title = ctx.label(cohort)
        if size:  # each row says how many customers it follows: "Jul 2022 (82)"
            sizes = d.groupby(cohort, sort=False)[size].first()
            d[cohort] = d[cohort].map(lambda c: f"{c} ({ctx.num(sizes[c])})")
            y_title = ctx.t("cohort_axis")
        matrix = d.pivot_table(index=cohort, columns=age, values=rate, aggfunc="first", sort=False)
        matrix = matrix.reindex(sorted(matrix.columns), axis=1)  # months in order, not as first seen
        fig = charts.heatmap(matrix, pct=True, x_title=ctx.t("cohort_age_axis"), y_title=y_title, height=460)
        fig.update_traces(colorbar={"tickformat": ".0%"})
        figure.show(fig, key="cohort_chart")
        if {"active_customers", "cohort_customers"} <= set(df.columns):
            retention_curve(ctx, df, cohort, age)
            cohort_people(ctx, df, cohort, age)
    else:
        show_table(ctx, df)


def average_retention(df: pd.DataFrame, cohort: str, age: str) -> pd.DataFrame:
    """Share of customers still buying n months after their first order, over every cohort old
    enough to have reached month n (a cohort without a buyer that month counts as 0), weighted by
    cohort size: months_since, retention, customers (the cohorts' customers it is taken over)."""
    months = pd.to_datetime(df[cohort]).dt.to_period("M")
    last = (months + df[age].astype(int)).max()
    sizes = df.assign(_m=months).groupby("_m")["cohort_customers"].first()
    reach = pd.Series({m: (last - m).n for m in sizes.index})
    active = df.assign(_m=months).groupby(age)["active_customers"].sum()
    rows = []
    for n in range(int(reach.max()) + 1):
        eligible = sizes[reach >= n]
        if eligible.sum() > 0:
            rows.append((n, float(active.get(n, 0)) / float(eligible.sum()), int(eligible.sum())))
    return pd.DataFrame(rows, columns=[age, "retention", "customers"])


def retention_curve(ctx: Ctx, df: pd.DataFrame, cohort: str, age: str) -> None:
    """The average retention curve over all cohorts, beside the latest cohorts' own curves."""
    st.markdown(f"**{ctx.t('retention_curve')}**", help=ctx.t("retention_curve_help"))
    avg = average_retention(df, cohort, age)
    wide = avg.set_index(age)[["retention"]].rename(columns={"retention": "average"})
    names = [ctx.t("retention_average")]
    last = (pd.to_datetime(df[cohort]).dt.to_period("M") + df[age].astype(int)).max()
    recent = sorted(df[cohort].unique())[-RECENT_CURVES - 3 : -3]  # the last cohorts with 3+ months
    for c in recent:
        part = df[df[cohort] == c].set_index(age)
        size = int(part["cohort_customers"].iloc[0])
        reached = wide.index <= (last - pd.Timestamp(c).to_period("M")).n
        # a month the cohort has lived through without a buyer is 0; a month still ahead is empty
        wide[str(c)] = part["retention"].reindex(wide.index).where(~reached, lambda v: v.fillna(0.0))
        names.append(f"{ctx.month(c)} ({ctx.num(size)})")
    wide = wide.reset_index()
    fig = charts.lines(
        wide,
        age,
        [c for c in wide.columns if c != age],
        names,
        x_title=ctx.t("cohort_age_axis"),
        y_title=ctx.t("retention_axis"),
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    figure.show(fig, key="retention_curve")


def cohort_people(ctx: Ctx, df: pd.DataFrame, cohort: str, age: str) -> None:
    """The customers behind one cell of the cohort grid, each a link to Customer 360."""
    st.markdown(f"**{ctx.t('cohort_people')}**")
    sizes = df.groupby(cohort)["cohort_customers"].first() if "cohort_customers" in df else None
    months = sorted(df[cohort].unique(), reverse=True)
    left, right = st.columns(2)
    chosen = left.selectbox(
        ctx.t("cohort_pick"),
        months,
        format_func=lambda c: ctx.month(c) + ("" if sizes is None else f" ({ctx.num(sizes[c])})"),
        key="cohort_people_month",
    )
    ages = sorted(int(a) for a in df.loc[df[cohort] == chosen, age])
    later = right.selectbox(ctx.t("cohort_age_axis"), ages, format_func=ctx.num, key="cohort_people_age")
    members = people.cohort_members(ctx.db, ctx.stamp, chosen, later)
    key = "cohort_people_first" if later == 0 else "cohort_people_later"
    text = ctx.t(key, n=ctx.num(len(members)), cohort=ctx.month(chosen), months=ctx.num(later))
    if len(members) > people.SHOWN:
        text += " " + ctx.t("list_cut", shown=ctx.num(people.SHOWN))
    st.caption(text)
    shown = members.head(people.SHOWN)
    if not ctx.priced:
        shown = shown.drop(columns=["revenue"])
    show_table(ctx, shown, key="cohort_people_table", link_customers=True)


def acquisition(ctx: Ctx) -> None:
    st.subheader(ctx.t("acquisition"))
    if not ctx.need("acquisition_monthly"):
        return
    df = ctx.frame("acquisition_monthly")
    month = pick(df.columns, *MONTH)
    value = pick(df.columns, "first_buyers", "new_customers", "signups") or next(
        iter(numeric_columns(df)), None
    )
    channel = pick(df.columns, "channel", "traffic_source", "source", "device_type")
    if month and value:
        df = df.sort_values(month)
        fig = charts.bars(
            df,
            month,
            value,
            name=ctx.label(value),
            color=channel,
            x_title=ctx.t("axis_month"),
            y_title=ctx.t("axis_customers"),
        )
        if "signups" in df.columns and value != "signups" and df["signups"].sum() > 0:
            import plotly.graph_objects as go

            fig.add_trace(go.Scatter(x=df[month], y=df["signups"], name=ctx.label("signups"), mode="lines"))
            fig.update_layout(showlegend=True)
        figure.show(fig, key="acq_chart")
        with st.expander(ctx.t("table")):
            show_table(ctx, df)
    else:
        show_table(ctx, df)
