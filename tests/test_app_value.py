"""The Customer value page and a customer's P(alive) history in Customer 360 (Streamlit AppTest
on the demo warehouse): every number and every chart point equals the customer_value stage's
tables, and the history, recomputed day by day from the customer's orders, ends on the P(alive)
the stage wrote for her, whichever way purchases are counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_app_pages
from test_app_pages import (
    LANGS,
    _charts,
    metrics,
    plotly_values,
    render,
)

from churnlens import strings
from churnlens.app.alive_history import count_model, p_alive_history
from churnlens.clv.scores import customer_value_from_orders
from churnlens.config import ChurnlensConfig
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

# the demo warehouse, built once per process (the pages' tests share it)
db = test_app_pages.db


@pytest.fixture(scope="module")
def tables(db):
    names = (
        "customer_value",
        "clv_model",
        "clv_p_alive_matrix",
        "clv_calibration_holdout",
        "clv_repeat_purchases",
        "orders",
        "runs",
    )
    with Warehouse(db, read_only=True) as wh:
        return {n: wh.to_pandas(n) for n in names}


@pytest.mark.parametrize("lang", LANGS)
def test_value_kpis_equal_the_table(db, tables, lang):
    at = render(db, "value", lang)
    cv = tables["customer_value"]
    shown = metrics(at)
    assert shown[strings.tr(lang, "value_customers")] == i18n.fmt_value(len(cv), lang, "count", "IDR")
    alive = float((cv["p_alive"] >= 0.5).mean())
    assert 0 < alive < 1
    assert shown[strings.tr(lang, "value_alive")] == i18n.fmt_value(alive, lang, "pct", "IDR")
    purchases = float(cv["expected_purchases_90d"].sum())
    assert shown[strings.tr(lang, "value_purchases")] == i18n.fmt_value(purchases, lang, "count", "IDR")
    clv = float(cv["clv_12m"].sum())
    assert shown[strings.tr(lang, "value_clv", months=12)] == i18n.fmt_value(clv, lang, "money", "IDR")


def test_value_charts_draw_the_model_checks(db, tables):
    at = render(db, "value", "en")
    specs = _charts(at)
    assert len(specs) == 3
    # the P(alive) matrix: one cell per (repeat purchases, recency) of the table, same value
    heat = specs[0]["data"][0]
    assert heat["type"] == "heatmap"
    z = np.array(plotly_values(heat["z"]), dtype=float)
    grid = tables["clv_p_alive_matrix"].assign(day=lambda d: d["recency"].round(0).astype(int))
    want = grid.pivot_table(index="frequency", columns="day", values="p_alive").sort_index()
    assert [int(y) for y in heat["y"]] == want.index.tolist()
    assert [int(x) for x in heat["x"]] == want.columns.tolist()
    np.testing.assert_allclose(z, want.to_numpy(), rtol=1e-12, equal_nan=True)
    # calibration against the holdout: actual and model per calibration frequency, 7 pooled
    cal = tables["clv_calibration_holdout"].sort_values("frequency")
    actual, model = specs[1]["data"]
    np.testing.assert_allclose(plotly_values(actual["y"]), cal["actual"], rtol=1e-12)
    np.testing.assert_allclose(plotly_values(model["y"]), cal["predicted"], rtol=1e-12)
    assert plotly_values(actual["x"])[-1] == "7 or more"
    # cumulative repeat purchases, every day, and the line where the holdout starts
    rep = tables["clv_repeat_purchases"].sort_values("day")
    actual, model = specs[2]["data"]
    np.testing.assert_allclose(plotly_values(actual["y"]), rep["actual"], rtol=1e-12)
    np.testing.assert_allclose(plotly_values(model["y"]), rep["predicted"], rtol=1e-12)
    start = rep.loc[rep["period"] == "holdout", "day"].min()
    lines = [s for s in specs[2]["layout"].get("shapes", []) if s.get("type") == "line"]
    assert [pd.Timestamp(s["x0"]) for s in lines] == [pd.Timestamp(start)]
    assert any(i18n.fmt_date(start, "en") in c.value for c in at.caption)


def _history_ends_on_the_stage_value(orders: pd.DataFrame, value: pd.DataFrame, model, unit: str) -> None:
    cutoff = pd.Timestamp(value["cutoff"].iloc[0])
    p_alive = value.set_index("customer_id")["p_alive"]
    paid = orders[(orders["status"] == "paid") & orders["customer_id"].notna()]
    for cid, mine in paid.groupby("customer_id"):
        history = p_alive_history(mine, model, cutoff, unit)
        assert history["p_alive"].iloc[-1] == pytest.approx(p_alive[cid], rel=1e-9, abs=1e-15), cid
        bought = mine["order_ts"].dt.normalize().nunique() if unit == "day" else len(mine)
        assert history["purchases"].iloc[-1] == bought
        # between purchases P(alive) only falls (the longer the silence, the likelier she left)
        fresh = history["purchase"].to_numpy()
        steps = np.diff(history["p_alive"].to_numpy())
        assert (steps[~fresh[1:]] <= 1e-12).all(), cid


def test_alive_history_ends_on_the_stage_p_alive_per_day(tables):
    orders, value = tables["orders"], tables["customer_value"]
    _history_ends_on_the_stage_value(orders, value, count_model(tables["clv_model"]), "day")


def test_alive_history_ends_on_the_model_p_alive_per_order(db, tables):
    config = ChurnlensConfig()
    config.set("clv.purchase_unit", "order")
    cutoff = pd.Timestamp(tables["customer_value"]["cutoff"].iloc[0])
    with Warehouse(db, read_only=True) as wh:
        fitted = customer_value_from_orders(wh.table("orders"), cutoff, config)
    value = fitted.scores.assign(cutoff=cutoff)
    _history_ends_on_the_stage_value(tables["orders"], value, fitted.count_model, "order")


@pytest.mark.parametrize("lang", LANGS)
def test_customer_360_draws_the_customers_p_alive_history(db, tables, lang):
    at = render(db, "customer360", lang)
    cid = at.text_input[0].value
    spec = next(s for s in _charts(at) if s["layout"]["yaxis"].get("tickformat") == ".0%")
    line, bought = spec["data"]
    want = tables["customer_value"].set_index("customer_id").loc[cid, "p_alive"]
    assert plotly_values(line["y"])[-1] == pytest.approx(want, rel=1e-9, abs=1e-15)
    orders = tables["orders"]
    paid = orders[(orders["customer_id"] == cid) & (orders["status"] == "paid")]
    assert len(plotly_values(bought["x"])) == paid["order_ts"].dt.normalize().nunique()
    assert spec["layout"]["yaxis"]["title"]["text"] == strings.column_label(lang, "p_alive")
