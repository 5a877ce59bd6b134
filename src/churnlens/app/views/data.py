"""Data & runs: every result table with its rows (browse any of them), the profile, the runs.

Tables: all result tables, ``data_profile`` and ``runs``. This page is where a result table
of a new stage shows up before any page has a section for it.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from churnlens.app.context import Ctx
from churnlens.app.widgets import show_table
from churnlens.warehouse import RUNS_TABLE


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_data"))
    st.subheader(ctx.t("result_tables"))
    listing = pd.DataFrame({"table_name": list(ctx.results), "rows": list(ctx.results.values())})
    show_table(ctx, listing, key="tables_list")
    if ctx.has("data_profile"):
        show_table(ctx, ctx.frame("data_profile"), key="profile_table")
    if ctx.results:
        st.subheader(ctx.t("browse"))
        table = st.selectbox(ctx.t("table"), list(ctx.results), key="browse_table")
        st.caption(ctx.t("first_rows", n=200))
        show_table(ctx, ctx.frame(table, limit=200), key="browse_rows")
    runs(ctx)


#: Run facts that are internal bookkeeping, not for the reader.
HIDDEN_FACTS = ("canonical", "skipped", "paths", "files", "settings")


def fact_text(ctx: Ctx, value: Any) -> str:
    """A run fact as plain text: lists and mappings spelled out, yes/no, dates in words."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, bool):
        return ctx.t("yes") if value else ctx.t("no")
    if isinstance(value, dict):
        return ", ".join(f"{ctx.label(str(k))}: {fact_text(ctx, v)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(fact_text(ctx, v) for v in value) or "–"
    if isinstance(value, float):
        return ctx.num(value, 2)
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in "T ":  # a time stamp
        return f"{ctx.date(text[:10])} {text[11:16]}"
    return ctx.vlabel(text)


def _tables_written(value: Any) -> int | None:
    """How many tables a run's ``row_counts`` record names (a JSON list or mapping)."""
    try:
        counts = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return len(counts) if isinstance(counts, list | dict) else None


def history(ctx: Ctx) -> None:
    """Every ingest and run, newest first: when, what, how long, how many tables, skipped stages."""
    try:
        runs_df = ctx.frame(RUNS_TABLE, ["kind", "started_at", "seconds", "row_counts", "skipped"])
    except Exception:  # noqa: BLE001 - an old warehouse without a run record shows the facts only
        return
    if runs_df.empty:
        return
    runs_df = runs_df.sort_values("started_at", ascending=False)
    table = pd.DataFrame(
        {
            ctx.label("started_at"): [fact_text(ctx, v) for v in runs_df["started_at"]],
            ctx.label("kind"): [ctx.vlabel(f"run_{k}") for k in runs_df["kind"]],
            ctx.label("seconds"): [ctx.num(v, 1) for v in runs_df["seconds"]],
            ctx.label("tables"): [ctx.num(_tables_written(v)) for v in runs_df["row_counts"]],
            ctx.t("skipped_stages"): [
                ", ".join(_skipped(v)) or "–" for v in runs_df.get("skipped", pd.Series([None] * len(runs_df)))
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="run_history")


def _skipped(value: Any) -> list[str]:
    try:
        found = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return []
    return list(found) if isinstance(found, dict) else []


def runs(ctx: Ctx) -> None:
    """The run record as a two-column table (what, value) and the skipped stages with reasons."""
    st.subheader(ctx.t("runs"))
    facts = [(k, v) for k, v in ctx.info.items() if k not in HIDDEN_FACTS]
    if facts:
        table = pd.DataFrame(
            {
                ctx.t("run_fact"): [ctx.label(k) for k, _ in facts],
                ctx.t("run_value"): [fact_text(ctx, v) for _, v in facts],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch", key="run_facts")
    history(ctx)
    skipped = ctx.info.get("skipped") or {}
    if skipped:
        st.markdown(f"**{ctx.t('skipped_stages')}**")
        st.dataframe(
            pd.DataFrame({ctx.label("stage"): list(skipped), ctx.label("reason"): list(skipped.values())}),
            hide_index=True,
            width="stretch",
            key="run_skipped",
        )
