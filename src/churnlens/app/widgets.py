"""Small building blocks the pages share: result tables with translated headers, KPI rows.

Columns are recognised by name to choose their format (money, share, count): a new result
table shows sensibly without any code for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from churnlens import strings
from churnlens.app.context import Ctx
from churnlens.presentation import i18n

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


#: Columns whose values are codes shown through `strings.VALUES`.
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


#: Columns holding a path of codes (``home > other / add_to_cart``), shown step by step translated.
PATH_COLUMNS = ("path", "path_key", "top_path", "sequence")
_PATH_SPLIT = re.compile(r"(\s*>\s*|\s*/\s*|\s*→\s*)")


def path_label(ctx: Ctx, text: Any) -> str:
    """A path of codes with every step in the page's language (separators kept)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "–"
    return "".join(p if _PATH_SPLIT.fullmatch(p) else ctx.vlabel(p) for p in _PATH_SPLIT.split(str(text)))


def localize(ctx: Ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with code columns (segments, states, steps, paths...) in the page's language."""
    out = df.copy()
    for col in CODE_COLUMNS:
        if col in out.columns and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: v if v is None or (isinstance(v, float) and pd.isna(v)) else ctx.vlabel(v)
            )
    for col in PATH_COLUMNS:
        if col in out.columns and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: path_label(ctx, v))
    return out


def axis_title(ctx: Ctx, column: str, series: pd.Series | None = None) -> str:
    """A chart axis title for ``column``: its header with the unit (currency, %) when it has one."""
    kind = kind_of(column, series)
    label = ctx.label(column)
    if kind == "money":
        return f"{label} ({ctx.currency or ctx.t('unit_items')})"
    if kind == "pct":
        return f"{label} (%)"
    return label


def is_days(column: str) -> bool:
    """Durations in days, hours or minutes (shown with one decimal)."""
    name = column.lower()
    return any(unit in name for unit in ("days", "hours", "minutes")) or name.endswith("_day_gap")


HIDDEN = i18n.HIDDEN_COLUMNS
#: Columns holding a multiple (return on cost): one decimal and a "×".
RATIO_COLUMNS = ("roi", "return_per_cost")


def _header(ctx: Ctx, col: str, kind: str, label: str) -> str:
    if col in RATIO_COLUMNS:
        return f"{label} (×)"
    return f"{label} ({ctx.currency or ctx.t('unit_items')})" if kind == "money" else label


def _cell(ctx: Ctx, col: str, kind: str, v: Any) -> str:
    """One number as the grid would show it; "–" when missing."""
    if v is None or pd.isna(v):
        return "–"
    if col in RATIO_COLUMNS or (kind == "float" and is_days(col)):
        return ctx.num(v, 1)
    if kind == "money":
        return ctx.num(v)
    if kind == "pct":
        return ctx.pct(v, 2 if abs(float(v)) < 0.1 else 1)
    return ctx.num(v, 2 if kind == "float" else 0)


#: Customer 360's address; ``?customer=<id>`` opens it on that customer.
CUSTOMER_PAGE = "customer360"


def customer_link(customer_id: Any) -> str:
    """The address of Customer 360 on one customer (the id quoted: it is only ever a value)."""
    return f"{CUSTOMER_PAGE}?customer={quote(str(customer_id), safe='')}"


def show_table(
    ctx: Ctx,
    df: pd.DataFrame,
    height: int | None = None,
    key: str | None = None,
    link_customers: bool = True,
    kinds: dict[str, str] | None = None,
    select: bool = False,
) -> list[int]:
    """A result table with headers in the page's language; amounts in whole units with thousands
    separators, other numbers as stored; every customer id opens Customer 360 on that customer
    (unless ``link_customers`` is false). ``kinds`` gives the format of columns no result table
    declares (the canonical orders' amounts). With ``select``, rows can be ticked: their
    positions are returned."""
    df = localize(ctx, df.drop(columns=[c for c in df.columns if c in HIDDEN]))
    config: dict[str, Any] = {}
    for col in df.columns:
        kind = (kinds or {}).get(col) or kind_of(col, df[col], df.attrs.get("table"))
        label = ctx.label(col)
        if kind in ("money", "pct", "count", "float") and df[col].isna().any():
            # A grid writes "None" in an empty number cell: these columns are written out instead.
            config[col] = st.column_config.TextColumn(_header(ctx, col, kind, label))
            df[col] = [_cell(ctx, col, kind, v) for v in df[col]]
        elif col in RATIO_COLUMNS:
            config[col] = st.column_config.NumberColumn(_header(ctx, col, kind, label), format="%.1f")
        elif kind == "money":
            if df[col].abs().median() >= 100:  # whole units read better; cents add nothing here
                df[col] = df[col].round(0)
            config[col] = st.column_config.NumberColumn(_header(ctx, col, kind, label), format="localized")
        elif kind == "pct":
            config[col] = st.column_config.NumberColumn(label, format="percent")
        elif kind == "count":
            config[col] = st.column_config.NumberColumn(label, format="localized")
        elif kind == "float":
            whole = bool((df[col].dropna() % 1 == 0).all())
            days = "%.0f" if whole else "%.1f"
            config[col] = st.column_config.NumberColumn(label, format=days if is_days(col) else "%.2f")
        elif pd.api.types.is_datetime64_any_dtype(df[col]):
            if df[col].isna().any():  # "None" in an empty date cell: written out instead
                df[col] = [("–" if pd.isna(v) else f"{v:%Y-%m-%d}") for v in df[col]]
                config[col] = st.column_config.TextColumn(label)
            else:
                config[col] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD")
        else:
            if df[col].isna().any():
                df[col] = df[col].astype(object).where(df[col].notna(), "–")
            # long texts (reasons) get a wide column but do not push the others off the page
            long = df[col].astype(str).str.len().max() > 60 if len(df) else False
            config[col] = st.column_config.Column(label, width="large" if long else None)
    if link_customers and "customer_id" in df.columns:
        known = df["customer_id"].notna() & (df["customer_id"].astype(str) != "–")
        df["customer_id"] = df["customer_id"].where(~known, df["customer_id"].map(customer_link))
        df.loc[~known, "customer_id"] = None
        config["customer_id"] = st.column_config.LinkColumn(
            ctx.label("customer_id"), display_text=r"customer=(.+)$"
        )
    kwargs: dict[str, Any] = {"hide_index": True, "column_config": config, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if key:
        kwargs["key"] = key
    if not select:
        st.dataframe(df, **kwargs)
        return []
    event = st.dataframe(df, on_select="rerun", selection_mode="multi-row", **kwargs)
    return list(event.selection.rows) if event is not None and hasattr(event, "selection") else []


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: Any) -> str:
    """``text`` shown as it is inside Markdown (no link, emphasis or table cell made of it)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def reasons_table(ctx: Ctx, df: pd.DataFrame, columns: Sequence[str]) -> None:
    """Rows of ``df`` as a Markdown table whose long texts wrap inside the page (a grid cuts them
    off), each customer id a link to Customer 360; ``columns`` in order, the last the text."""
    head = [ctx.label(c) for c in columns]
    lines = ["| " + " | ".join(md_escape(h) for h in head) + " |", "|" + " --- |" * len(head)]
    for _, row in df.iterrows():
        cells = []
        for col in columns:
            v = row[col]
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append("–")
            elif col == "customer_id":
                cells.append(f"[{md_escape(v)}]({customer_link(v)})")
            elif col in CODE_COLUMNS:
                cells.append(md_escape(ctx.vlabel(v)))
            else:
                cells.append(md_escape(v))
        lines.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(lines))


def metric(
    ctx: Ctx,
    label: str,
    value: Any,
    kind: str,
    previous: Any = None,
    help: str | None = None,
    bad_when_up: bool = False,
) -> None:
    """One KPI: the formatted value, and its change against ``previous`` when given (red when it
    moves the bad way: down, or up for ``bad_when_up`` measures such as failed payments)."""
    delta = i18n.fmt_delta_pct(value, previous, ctx.lang) if previous is not None else None
    st.metric(
        label,
        ctx.value(value, kind),
        delta=delta,
        help=help,
        border=True,
        delta_color="inverse" if bad_when_up else "normal",
    )


def metric_row(ctx: Ctx, items: Sequence[tuple], per_row: int = 3) -> None:
    """KPIs as (label, value, kind, previous[, help[, bad_when_up]]) in rows of ``per_row`` cards."""
    for start in range(0, len(items), per_row):
        chunk = items[start : start + per_row]
        for item, box in zip(chunk, st.columns(per_row), strict=False):
            with box:
                metric(ctx, *item)


#: KPI columns where a rise is bad news (its change is shown red when it goes up).
BAD_WHEN_UP = ("failed", "cost", "churn", "discount", "cancel", "return", "refund")


def kpi(ctx: Ctx, column: str, value: Any, previous: Any = None, kind: str | None = None) -> tuple:
    """A `metric_row` item for a result column: its label, format, hover definition and colour rule."""
    key = f"def_{column}"
    return (
        ctx.label(column),
        value,
        kind or kind_of(column),
        previous,
        ctx.t(key) if key in strings.STRINGS else None,
        any(w in column for w in BAD_WHEN_UP),
    )


def localized_text(ctx: Ctx, df: pd.DataFrame, base: str = "text") -> str | None:
    """The column with text in the page's language (``text_ko`` / ``text_en``)."""
    return pick(df.columns, f"{base}_{ctx.lang}", f"{base}_en", base)


TIME_COLUMNS = ("month", "week", "day", "date", "month_start", "week_start", "period", "cutoff")


def generic(
    ctx: Ctx, table: str, title_key: str | None = None, limit: int = 500, chart: bool = True
) -> pd.DataFrame | None:
    """Any result table: a chart guessed from its columns, then its first rows."""
    from churnlens.app import figure
    from churnlens.presentation import charts

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
            figure.show(charts.bars(d, when, y, name=ctx.label(y), color=group), key=f"{table}_auto")
        elif texts and y:
            top = df.sort_values(y, ascending=False).head(20)
            figure.show(
                charts.bars(top, texts[0], y, name=ctx.label(y), horizontal=True), key=f"{table}_auto"
            )
    show_table(ctx, df, key=f"{table}_table")
    return df
