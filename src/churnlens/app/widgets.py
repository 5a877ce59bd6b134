"""Small building blocks the pages share: result tables with translated headers, KPI rows.

Columns are recognised by name to choose their format (money, share, count): a new result
table shows sensibly without any code for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from churnlens.app import i18n
from churnlens.app.context import Ctx

kind_of = i18n.column_kind


def pick(columns: Sequence[str], *candidates: str) -> str | None:
    """The first candidate present in ``columns``."""
    return next((c for c in candidates if c in columns), None)


def numeric_columns(df: pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    return [
        c
        for c in df.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    ]


def text_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]


#: Columns whose values are codes shown through `i18n.VALUES`.
CODE_COLUMNS = (
    "segment",
    "state",
    "component",
    "step_name",
    "from_event",
    "to_event",
    "exit_event",
    "first_event",
    "audience",
    "order_type",
    "dimension",
    "level",
    "severity",
    "funnel",
    "outcome",
    "action",
    "risk_band",
    "risk",
    "kind",
    "status",
)


def localize(ctx: Ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with code columns (segments, states, steps...) in the page's language."""
    out = df.copy()
    for col in CODE_COLUMNS:
        if col in out.columns and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: v if v is None or (isinstance(v, float) and pd.isna(v)) else ctx.vlabel(v)
            )
    return out


HIDDEN = i18n.HIDDEN_COLUMNS


def show_table(ctx: Ctx, df: pd.DataFrame, height: int | None = None, key: str | None = None) -> None:
    """A result table with headers in the page's language; amounts in whole units, other numbers as stored."""
    df = localize(ctx, df.drop(columns=[c for c in df.columns if c in HIDDEN]))
    config: dict[str, Any] = {}
    for col in df.columns:
        kind = kind_of(col, df[col], df.attrs.get("table"))
        label = ctx.label(col)
        if kind == "money":
            if df[col].abs().median() >= 100:  # whole units read better; cents add nothing here
                df[col] = df[col].round(0)
            config[col] = st.column_config.NumberColumn(label, format="localized")
        elif kind == "pct":
            config[col] = st.column_config.NumberColumn(label, format="percent")
        elif kind == "count":
            config[col] = st.column_config.NumberColumn(label, format="localized")
        elif kind == "float":
            config[col] = st.column_config.NumberColumn(label, format="%.3f")
        elif pd.api.types.is_datetime64_any_dtype(df[col]):
            config[col] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD")
        else:
            config[col] = st.column_config.Column(label)
    kwargs: dict[str, Any] = {"hide_index": True, "column_config": config, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if key:
        kwargs["key"] = key
    st.dataframe(df, **kwargs)


def metric(
    ctx: Ctx, label: str, value: Any, kind: str, previous: Any = None, help: str | None = None
) -> None:
    """One KPI: the formatted value, and its change against ``previous`` when given."""
    delta = i18n.fmt_delta_pct(value, previous, ctx.lang) if previous is not None else None
    st.metric(label, ctx.value(value, kind), delta=delta, help=help, border=True)


def metric_row(ctx: Ctx, items: list[tuple[str, Any, str, Any]], per_row: int = 3) -> None:
    """KPIs as (label, value, kind, previous) in rows of ``per_row`` cards, so values fit."""
    for start in range(0, len(items), per_row):
        chunk = items[start : start + per_row]
        for (label, value, kind, previous), box in zip(chunk, st.columns(per_row), strict=False):
            with box:
                metric(ctx, label, value, kind, previous)


def localized_text(ctx: Ctx, df: pd.DataFrame, base: str = "text") -> str | None:
    """The column with text in the page's language (``text_ko`` / ``text_en``)."""
    return pick(df.columns, f"{base}_{ctx.lang}", f"{base}_en", base)


TIME_COLUMNS = ("month", "week", "day", "date", "month_start", "week_start", "period", "cutoff")


def generic(
    ctx: Ctx, table: str, title_key: str | None = None, limit: int = 500, chart: bool = True
) -> pd.DataFrame | None:
    """Any result table: a chart guessed from its columns, then its first rows."""
    from churnlens.app import charts

    if title_key:
        st.subheader(ctx.t(title_key))
    if not ctx.need(table):
        return None
    df = ctx.frame(table, limit=limit)
    nums = numeric_columns(df)
    when = pick(df.columns, *TIME_COLUMNS)
    texts = [c for c in text_columns(df) if c != when and not c.endswith("_id")]
    if chart and nums:
        y = nums[0] if when is None else next((c for c in nums if c != when), None)
        if when and y:
            group = texts[0] if texts and df[texts[0]].nunique() <= 12 else None
            d = df.sort_values(when)
            charts.show(charts.bars(d, when, y, name=ctx.label(y), color=group), key=f"{table}_auto")
        elif texts and y:
            top = df.sort_values(y, ascending=False).head(20)
            charts.show(
                charts.bars(top, texts[0], y, name=ctx.label(y), horizontal=True), key=f"{table}_auto"
            )
    show_table(ctx, df, key=f"{table}_table")
    return df
