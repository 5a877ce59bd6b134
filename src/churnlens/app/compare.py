"""The comparison every KPI row uses: which months are "now" and which they are compared with.

The reader picks it once (the choice is kept for the session, so every page compares the same
periods): the diagnosis periods (the base and current periods of ``revenue_bridge``, the ones
the findings talk about), or a range of months of their own (the last month unless they move
it) against the same number of months just before it, or against the same months a year
earlier. Several months are shown as monthly averages, so a two-month period compares with a
one-month one fairly. Charts over months shade the two periods (`mark`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from churnlens.app.context import Ctx

CHOICES = ("bridge", "previous", "year")
#: The reader's choice and range, kept apart from the selectors' own state (which a page without
#: the selectors would drop).
STATE_KEY = "compare_choice"
RANGE_KEY = "compare_range"
_MONTH = re.compile(r"(\d{4})-(\d{2})")

#: Ratio KPIs rebuilt from their parts over several months: column -> (numerator, denominator
#: terms); the denominator is the sum of its terms (failed share = failed / (paid + failed)).
RATIOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aov": ("revenue", ("orders",)),
    "failed_share": ("failed_orders", ("orders", "failed_orders")),
    "conversion_rate": ("purchase_sessions", ("visits",)),
    "buyer_rate": ("buyers", ("visitors",)),
}


@dataclass(frozen=True)
class Span:
    """Months [first, last] (first days), both included."""

    first: date
    last: date

    def end_day(self) -> date:
        """The last day of the span."""
        return (pd.Timestamp(self.last) + pd.offsets.MonthEnd(0)).date()

    def shifted(self, months: int) -> Span:
        """The span moved ``months`` months back."""
        return Span(_shift(self.first, months), _shift(self.last, months))

    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def label(self, ctx: Ctx) -> str:
        """``Jun–Jul 2022`` / ``2022년 6–7월``; one month as ``Jul 2022``."""
        if self.first == self.last:
            return ctx.month(self.first)
        if ctx.lang == "ko":
            if self.first.year == self.last.year:
                return f"{self.first.year}년 {self.first.month}–{self.last.month}월"
            return f"{ctx.month(self.first)}–{ctx.month(self.last)}"
        a, b = ctx.month(self.first), ctx.month(self.last)
        if self.first.year == self.last.year:
            return f"{a.split()[0]}–{b}"
        return f"{a}–{b}"


def parse_period(label: Any) -> Span | None:
    """A bridge period label (``2022-06..2022-07`` or ``2022-07``) as a `Span`."""
    found = _MONTH.findall(str(label or ""))
    if not found:
        return None
    (y1, m1), (y2, m2) = found[0], found[-1]
    return Span(date(int(y1), int(m1), 1), date(int(y2), int(m2), 1))


def bridge_spans(ctx: Ctx) -> tuple[Span, Span] | None:
    """(base, current) periods of the diagnosis, from ``revenue_bridge``."""
    if not ctx.has("revenue_bridge") or not ctx.rows("revenue_bridge"):
        return None
    cols = ctx.columns("revenue_bridge")
    if not {"base_period", "current_period"} <= set(cols):
        return None
    row = ctx.frame("revenue_bridge", ["base_period", "current_period"], limit=1).iloc[0]
    base, current = parse_period(row["base_period"]), parse_period(row["current_period"])
    return (base, current) if base and current else None


def choose(ctx: Ctx) -> str:
    """The comparison picked by the reader (a selector shown once per page, kept across pages)."""
    choices = [c for c in CHOICES if c != "bridge" or bridge_spans(ctx)]
    saved = st.session_state.get(STATE_KEY)
    if saved not in choices:
        saved = choices[0]
    picked = (
        st.segmented_control(
            ctx.t("compare_with"),
            choices,
            default=saved,
            format_func=lambda c: ctx.t(f"compare_{c}"),
            key="compare_selector",
        )
        or saved
    )
    st.session_state[STATE_KEY] = picked
    return picked


def _month(x: Any) -> date:
    t = pd.Timestamp(x)
    return date(t.year, t.month, 1)


def _shift(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def choose_range(ctx: Ctx, months: Sequence[Any]) -> Span:
    """The months the reader looks at (a range slider over ``months``, oldest first; kept across
    pages and clipped to the months this page has). The last month unless moved."""
    options = sorted({_month(m) for m in months})
    saved = st.session_state.get(RANGE_KEY)
    first, last = (
        (date.fromisoformat(saved[0]), date.fromisoformat(saved[1])) if saved else (options[-1],) * 2
    )
    first = min((m for m in options if m >= first), default=options[-1])
    last = max((m for m in options if m <= last), default=options[-1])
    if last < first:
        first = last = options[-1]
    if len(options) > 1:
        picked = st.select_slider(
            ctx.t("compare_range"),
            options=options,
            value=(first, last),
            format_func=ctx.month,
            key="compare_range_selector",
        )
        first, last = picked
    st.session_state[RANGE_KEY] = (first.isoformat(), last.isoformat())
    return Span(first, last)


def spans(
    ctx: Ctx, months: Sequence[Any], choice: str, chosen: Span | None = None
) -> tuple[Span, Span | None]:
    """(current, previous) spans for ``choice`` given the months a table has (oldest first) and
    the reader's range (``chosen``; the last month when None)."""
    last = _month(months[-1])
    if choice == "bridge":
        found = bridge_spans(ctx)
        if found:
            return found[1], found[0]
    current = chosen or Span(last, last)
    if choice == "year":
        return current, current.shifted(12)
    return current, current.shifted(current.months())


def period(ctx: Ctx, months: Sequence[Any]) -> tuple[Span, Span | None]:
    """The comparison selector, the range slider (unless the diagnosis periods are chosen) and the
    (current, previous) spans they give, for a page whose table has ``months``."""
    choice = choose(ctx)
    chosen = None if choice == "bridge" and bridge_spans(ctx) else choose_range(ctx, months)
    return spans(ctx, months, choice, chosen)


def mark(fig: Any, ctx: Ctx, current: Span, previous: Span | None) -> Any:
    """Shade the two periods on a chart whose x axis is months (month starts)."""
    half = pd.Timedelta(days=15)
    # the chosen period named at the top, the compared one at the bottom: narrow neighbouring
    # periods never write over each other
    shaded = (
        (current, "#1f77b4", "shade_current", "top left"),
        (previous, "#888888", "shade_previous", "bottom left"),
    )
    for span, colour, key, where in shaded:
        if span is None:
            continue
        fig.add_vrect(
            x0=pd.Timestamp(span.first) - half,
            x1=pd.Timestamp(span.last) + half,
            fillcolor=colour,
            opacity=0.2,
            line_width=0,
            annotation_text=ctx.t(key),
            annotation_position=where,
            annotation_font_size=11,
        )
    return fig


def summarise(df: pd.DataFrame, month: str, cols: Sequence[str], span: Span | None) -> dict[str, Any] | None:
    """Monthly averages of ``cols`` over the months of ``span`` (ratios rebuilt from their
    parts); None when the table has none of those months."""
    if span is None:
        return None
    when = pd.to_datetime(df[month])
    part = df[(when >= pd.Timestamp(span.first)) & (when <= pd.Timestamp(span.last))]
    if part.empty:
        return None
    out: dict[str, Any] = {}
    for col in cols:
        numerator, terms = RATIOS.get(col, (None, ()))
        if numerator and {numerator, *terms} <= set(part.columns):
            total = {c: pd.to_numeric(part[c], errors="coerce").sum() for c in (numerator, *terms)}
            den = sum(total[c] for c in terms)
            out[col] = total[numerator] / den if den else None
        else:
            out[col] = pd.to_numeric(part[col], errors="coerce").mean()
    return out


def caption(ctx: Ctx, current: Span, previous: Span | None) -> str | None:
    """``Jun–Jul 2022 compared with Apr–May 2022`` (monthly averages when several months)."""
    if previous is None:
        return None
    text = ctx.t("kpi_help", period=current.label(ctx), previous=previous.label(ctx))
    if current.months() > 1 or previous.months() > 1:
        text += " " + ctx.t("monthly_average")
    return text
