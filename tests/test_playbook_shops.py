"""The playbook on whole shops: the demo shop and Online Retail (both real files).

Every reason is parsed and its numbers checked against its own row, and the row's numbers
against independent computations (days since the last paid order from the orders, P(alive)
from the CLV stage); no customer on the at-risk list is below the lapsed P(alive) threshold;
each risk band holds a minority; no recommended action has a negative expected value.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import copy_warehouse

from churnlens import pipeline
from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.playbook.sentences import ACTION_NAMES, STATE_NAMES
from churnlens.playbook.states import SAVEABLE
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse

STAGES = ["segments", "customer_value", "churn", "playbook"]

HEAD = re.compile(
    r"^(?P<state>[A-Za-z ]+): last order (?P<days>\d+) days ago, (?P<ratio>[\d.]+) times "
    r"(?P<whose>their|the shop's) usual (?P<gap>\d+) days between orders"
    r"(?:; (?P<churn>\d+)% likely to place no order in the next (?P<window>\d+) days)?"
    r"(?:; (?P<alive>\d+)% likely to still be a customer)?"
    r"(?:; expected to spend (?:[A-Z]{3} )?(?P<value>[\d,.]+) in the next 12 months)?\. (?P<offer>.*)$"
)
OFFER = re.compile(
    r"^(?P<name>.+) is expected to save (?:[A-Z]{3} )?(?P<saved>[\d,.]+) \((?P<how>assumed|measured) save rate "
    r"(?P<rate>\d+)%\) for a cost of (?:[A-Z]{3} )?(?P<cost>[\d,.]+): worth (?:[A-Z]{3} )?(?P<ev>[\d,.]+)\.$"
)
DECLINED = re.compile(
    r"^(?P<name>.+) would be worth (?:[A-Z]{3} )?(?P<ev>-[\d,.]+) \(it costs more than it saves\): no contact\.$"
)


def quick_config() -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    c = cfg.churn
    c.n_trials, c.n_estimators, c.backtest_folds, c.training_cutoffs = 0, 100, 1, 4
    c.models, c.imbalance_strategies = ["lightgbm"], []
    return cfg


def money(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}"


def check_reason(row: dict, decimals: int, window: float) -> None:
    m = HEAD.match(row["reason"])
    assert m, row["reason"]
    names = {v: k for k, v in STATE_NAMES["en"].items()}
    assert names[m["state"]] == row["state"]
    assert int(m["days"]) == row["days_since_last_order"]
    assert int(m["gap"]) == row["usual_gap_days"]
    # the ratio is the shown days over the shown gap, as shown
    half_up = math.floor(int(m["days"]) / int(m["gap"]) * 10 + 0.5) / 10
    assert m["ratio"] == f"{row['overdue_ratio']:.1f}" == f"{half_up:.1f}"
    assert (m["whose"] == "their") == (row["purchase_days"] > 1)
    assert int(m["churn"]) == round(row["churn_probability"] * 100) and float(m["window"]) == window
    if pd.notna(row["p_alive"]):
        assert int(m["alive"]) == round(row["p_alive"] * 100)
    assert m["value"] == money(row["value"], decimals)
    offer = m["offer"]
    if row["action"] != row["considered_action"]:
        d = DECLINED.match(offer)
        assert d and d["ev"] == money(row["considered_value"], decimals) and row["considered_value"] <= 0
        assert d["name"] == ACTION_NAMES["en"][row["considered_action"]]
    elif row["contact_cost"] == 0 and row["save_rate"] == 0:
        assert offer == "No contact needed."
    else:
        o = OFFER.match(offer)
        assert o, offer
        assert o["name"] == ACTION_NAMES["en"][row["action"]] and o["how"] == row["save_rate_source"]
        assert o["saved"] == money(row["expected_saved_revenue"], decimals)
        assert o["cost"] == money(row["contact_cost"], decimals)
        assert o["ev"] == money(row["expected_value"], decimals)
        assert int(o["rate"]) == round(row["save_rate"] * 100)


def check_shop(wh: Warehouse, cfg: ChurnlensConfig) -> pd.DataFrame:
    a = wh.to_pandas("actions")
    pb = cfg.playbook
    # one source of truth: the row's numbers are those of the orders and of the CLV stage
    orders = wh.to_pandas("orders")
    paid = orders[(orders.status == "paid") & orders.customer_id.notna()]
    cutoff = a.cutoff.iloc[0]
    last = paid[paid.order_ts <= cutoff].groupby("customer_id").order_ts.max()
    days = np.floor((cutoff - last.reindex(a.customer_id)).dt.total_seconds() / 86400).to_numpy()
    assert (a.days_since_last_order.to_numpy() == days).all()
    value = wh.to_pandas("customer_value").set_index("customer_id").p_alive.round(2)
    assert np.allclose(a.p_alive.to_numpy(), value.reindex(a.customer_id).to_numpy(), equal_nan=True)
    decimals = 0 if (a.value.dropna() == a.value.dropna().round(0)).all() else 2
    window = float(wh.to_pandas("churn_window").window_days.iloc[0])
    for row in a.to_dict("records"):
        check_reason(row, decimals, window)
    # the at-risk list: nobody below the lapsed threshold; lapsed customers are on the win-back list
    saveable = a[a.state.isin(SAVEABLE)]
    assert len(saveable) > 0 and (saveable.p_alive.dropna() >= pb.lapsed_p_alive).all()
    assert (a[a.p_alive < pb.lapsed_p_alive].state == "lapsed").all()
    assert a.risk.value_counts(normalize=True).max() < 0.5
    assert (a.expected_value >= 0).all()
    assert set(a.state) == {"active", "at_risk", "lapsing", "lapsed"}
    # names, not ids: each routine product is shown by the catalogue's name (its id only without one)
    names = wh.to_pandas("products").set_index("product_id")["name"] if wh.has("products") else pd.Series()
    listed = a[a.routine_products.fillna("") != ""]
    for ids, shown in zip(listed.routine_products, listed.routine_product_names, strict=True):
        expected = [str(names.get(i)) if pd.notna(names.get(i)) else i for i in ids.split(";")]
        assert shown.split("; ") == expected
    return a


@pytest.mark.slow
def test_demo_shop_reasons_states_and_values(tmp_path):
    generate("fashion-campus", tmp_path / "shop", GeneratorConfig(customers=3000, seed=7, scenario="decline"))
    cfg = quick_config()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        ingest("fashion-campus", [tmp_path / "shop"], wh, cfg)
        pipeline.run(wh, cfg, only=STAGES)
        a = check_shop(wh, cfg)
        w = wh.to_pandas("churn_window").iloc[0]
    # the demo shop's rhythm: 25 days hold fewer than half of its repeat purchases
    assert w.rule == "shop" and w.fixed_coverage < 0.5 and w.window_days > 25
    # lapsed customers are not at the top of the at-risk list: it is ranked by what a contact saves
    top = a[a.state.isin(SAVEABLE)].head(20)
    assert top.expected_saved_revenue.is_monotonic_decreasing
    assert top.p_alive.median() > a[a.state == "lapsed"].p_alive.median() + 0.2


@pytest.mark.slow
def test_online_retail_reasons_states_and_values(online_retail_db, tmp_path):
    cfg = quick_config()  # the ingest's settings are the defaults
    with Warehouse(copy_warehouse(online_retail_db, tmp_path)) as wh:
        pipeline.run(wh, cfg, only=STAGES)
        check_shop(wh, cfg)
        w = wh.to_pandas("churn_window").iloc[0]
    # Online Retail: 44 % of repeat purchases within 25 days, 90 % within 147 days
    assert w.rule == "shop" and w.window_days == 147 and w.fixed_coverage == pytest.approx(0.44, abs=0.01)
