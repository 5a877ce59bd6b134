"""The months a reader picks and the period they compare with (Streamlit AppTest on the demo
warehouse): picked once, they set the Overview KPIs to figures recomputed here with pandas from
the raw orders, and they are still picked on the next page.
"""

from __future__ import annotations

import pandas as pd
import pytest
import test_app_pages
from streamlit.testing.v1 import AppTest
from test_app_pages import _charts

from churnlens import strings
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

db = test_app_pages.db


def _script(db: str, lang: str) -> None:
    import streamlit as st

    from churnlens.app.main import run_page

    run_page(st.session_state.get("page", "overview"), db=db, lang=lang)


@pytest.fixture(scope="module")
def orders(db):
    with Warehouse(db, read_only=True) as wh:
        o = wh.to_pandas("orders")
    return o.assign(month=o["order_ts"].dt.to_period("M"))


def monthly(orders: pd.DataFrame, first: pd.Period, last: pd.Period) -> dict[str, float]:
    """Monthly average of paid orders, and failed ÷ (paid + failed), over the months first..last."""
    part = orders[(orders["month"] >= first) & (orders["month"] <= last)]
    paid, failed = (part["status"] == "paid").sum(), (part["status"] == "failed").sum()
    months = (last - first).n + 1
    return {"orders": paid / months, "failed_share": failed / (paid + failed)}


@pytest.mark.parametrize(("lang", "choice"), [("en", "previous"), ("ko", "year")])
def test_chosen_months_set_the_kpis_and_carry_to_the_next_page(db, orders, lang, choice):
    at = AppTest.from_function(_script, args=(str(db), lang), default_timeout=60)
    at.run()
    assert not at.exception
    last_month = orders["month"].max()
    first, last = last_month - 3, last_month - 1
    at.segmented_control(key="compare_selector").set_value(choice).run()
    at.select_slider(key="compare_range_selector").set_range(
        first.start_time.date(), last.start_time.date()
    ).run()
    assert not at.exception
    back = 3 if choice == "previous" else 12
    now, before = monthly(orders, first, last), monthly(orders, first - back, last - back)
    assert now != before
    cards = {m.label: m for m in at.metric}
    for col in ("orders", "failed_share"):
        card = cards[strings.column_label(lang, col)]
        kind = "count" if col == "orders" else "pct"
        assert card.value == i18n.fmt_value(now[col], lang, kind, None), col
        assert card.proto.delta == i18n.fmt_delta_pct(now[col], before[col]), col
    # the monthly sales chart shades the chosen months and the ones compared, half a month either side
    shaded = sorted(
        (pd.Timestamp(r["x0"]), pd.Timestamp(r["x1"]))
        for spec in _charts(at)
        for r in spec["layout"].get("shapes", [])
        if r.get("type") == "rect"
    )
    half = pd.Timedelta(days=15)
    starts = [(first - back).start_time, first.start_time]
    ends = [(last - back).start_time, last.start_time]
    assert shaded == [(a - half, b + half) for a, b in zip(starts, ends, strict=True)]
    # the next page opens on the same months and the same comparison
    at.session_state["page"] = "behaviour"
    at.run()
    assert not at.exception
    assert at.select_slider(key="compare_range_selector").value == (
        first.start_time.date(),
        last.start_time.date(),
    )
    assert at.segmented_control(key="compare_selector").value == choice


def lifecycle_counts(orders: pd.DataFrame) -> pd.DataFrame:
    """Customers per month and lifecycle state, from the paid orders (the lifecycle module's
    definitions), every month up to the last with a paid order."""
    paid = orders[(orders["status"] == "paid") & orders["customer_id"].notna()]
    active = paid.groupby("customer_id")["month"].apply(set)
    first = paid.groupby("customer_id")["month"].min()
    months = pd.period_range(paid["month"].min(), paid["month"].max(), freq="M")
    rows = []
    for m in months:
        now = {c for c, s in active.items() if m in s}
        before = {c for c, s in active.items() if m - 1 in s}
        rows.append(
            {
                "month": m,
                "new": sum(first[c] == m for c in now),
                "returning": len(now & before),
                "resurrected": sum(first[c] < m for c in now - before),
                "dormant": len(before - now),
            }
        )
    return pd.DataFrame(rows).set_index("month")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_chosen_months_set_the_lifecycle_kpis(db, orders, lang):
    at = AppTest.from_function(_script, args=(str(db), lang), default_timeout=60)
    at.session_state["page"] = "customers"
    at.run()
    assert not at.exception
    counts = lifecycle_counts(orders)
    last = counts.index.max()
    first = last - 1
    at.segmented_control(key="compare_selector").set_value("previous").run()
    at.select_slider(key="compare_range_selector").set_range(
        first.start_time.date(), last.start_time.date()
    ).run()
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    for state in ("new", "returning", "resurrected", "dormant"):
        now = counts.loc[first:last, state].mean()
        before = counts.loc[first - 2 : last - 2, state].mean()
        card = cards[strings.tr(lang, f"lifecycle_kpi_{state}")]
        assert card.value == i18n.fmt_value(now, lang, "count", None), state
        assert card.proto.delta == i18n.fmt_delta_pct(now, before), state
