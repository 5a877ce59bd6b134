"""Data & runs: every result table with its rows (browse any of them), the profile, the runs.

Tables: all result tables, ``data_profile`` and ``runs``. This page is where a result table
of a new stage shows up before any page has a section for it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churnlens.app.context import Ctx
from churnlens.app.widgets import show_table


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
    st.subheader(ctx.t("runs"))
    facts = {k: v for k, v in ctx.info.items() if k not in ("canonical", "skipped", "paths", "files")}
    st.json(facts, expanded=False)
    if ctx.info.get("skipped"):
        for stage, reason in ctx.info["skipped"].items():
            st.caption(ctx.t("skipped_stage", stage=stage, reason=reason))
