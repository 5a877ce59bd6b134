"""Drawing a `churnlens.presentation.charts` figure on a Streamlit page."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from churnlens.presentation.charts import localize_dates


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw a figure in Streamlit, full width, without the Plotly logo, dates in the page's language."""
    localize_dates(fig, st.session_state.get("lang", "en"))
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False}, key=key)
