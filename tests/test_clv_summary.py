"""Customer summaries in the engine, value scores and dashboard diagnostics."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from churnlens.clv import (
    BGNBD,
    calibration_holdout,
    cumulative_repeat_purchases,
    customer_value_from_orders,
    diagnostics_from_orders,
    p_alive_matrix,
    purchase_events,
    score_customers,
    simulate_bgnbd,
    simulate_gammagamma,
    summary_from_orders,
)
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError

ORIGIN = pd.Timestamp("2021-01-01")


def orders_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_ts", "status", "total_amount"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"], format="ISO8601").dt.floor("s")
    frame["total_amount"] = frame["total_amount"].astype("float64")
    return frame


SMALL = [
    ("1", "a", "2020-01-01 10:00", "paid", 10.0),
    ("2", "a", "2020-01-01 12:00", "paid", 5.0),
    ("3", "a", "2020-01-05 08:00", "paid", 20.0),
    ("4", "b", "2020-01-03 00:00", "paid", 7.0),
    ("5", "c", "2020-01-09 00:00", "paid", 3.0),
    ("6", "a", "2020-01-12 00:00", "paid", 8.0),
    ("7", "b", "2020-01-15 00:00", "paid", 9.0),
    ("8", None, "2020-01-02 00:00", "paid", 1.0),
    ("9", "c", "2020-01-04 00:00", "failed", 100.0),
    ("10", "c", "2020-01-06 00:00", "cancelled", 100.0),
]


@pytest.fixture()
def con():
    return ibis.duckdb.connect()


def run(con, rows, **kwargs) -> pd.DataFrame:
    table = con.create_table("orders", orders_frame(rows), overwrite=True)
    out = summary_from_orders(table, **kwargs).execute()
    return out.sort_values("customer_id").reset_index(drop=True)


def test_daily_summary_by_hand(con):
    got = run(con, SMALL, cutoff="2020-01-10", unit="day", holdout_end="2020-01-20")
    assert got["customer_id"].tolist() == ["a", "b", "c"]
    # a: days 1 (10 + 5) and 5 (20) -> one repeat day, 4 days after the first, cutoff day 10
    assert got["frequency"].tolist() == [1, 0, 0]
    assert got["recency"].tolist() == [4.0, 0.0, 0.0]
    assert got["T"].tolist() == [9.0, 7.0, 1.0]
    assert got["monetary_value"].tolist() == [20.0, 0.0, 0.0]
    assert got["frequency_holdout"].tolist() == [1, 1, 0]
    assert got["monetary_holdout"].tolist()[:2] == [8.0, 9.0] and np.isnan(got["monetary_holdout"][2])
    assert (got["duration_holdout"] == 10.0).all()


def test_order_summary_by_hand(con):
    got = run(con, SMALL, cutoff="2020-01-10", unit="order")
    assert got.columns.tolist() == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    a = got.iloc[0]
    assert a["frequency"] == 2
    assert a["recency"] == pytest.approx(3 + 22 / 24)  # Jan 1 10:00 -> Jan 5 08:00
    assert a["T"] == pytest.approx(8 + 14 / 24)  # Jan 1 10:00 -> Jan 10 00:00
    assert a["monetary_value"] == pytest.approx(12.5)  # repeat orders 5 and 20


def test_weeks_are_days_over_seven(con):
    days = run(con, SMALL, cutoff="2020-01-10", unit="order")
    weeks = run(con, SMALL, cutoff="2020-01-10", unit="order", time_unit_days="week")
    np.testing.assert_allclose(weeks["T"], days["T"] / 7)
    np.testing.assert_allclose(weeks["recency"], days["recency"] / 7)


def test_orders_after_the_cutoff_change_nothing(con):
    cutoff = "2020-01-10"
    before = run(con, SMALL, cutoff=cutoff)
    later = SMALL + [
        ("20", "a", "2020-01-10 00:00:01", "paid", 1000.0),
        ("21", "b", "2020-02-01 00:00", "paid", 1000.0),
        ("22", "z", "2020-01-11 00:00", "paid", 50.0),  # a customer who starts later
    ]
    after = run(con, later, cutoff=cutoff)
    pd.testing.assert_frame_equal(before, after)


def test_no_amounts_give_null_monetary_value(con):
    rows = [(i, c, ts, s, None) for i, c, ts, s, _ in SMALL]
    got = run(con, rows, cutoff="2020-01-10")
    assert got["monetary_value"].isna().all()
    assert got["frequency"].tolist() == [1, 0, 0]


def test_bad_arguments_are_data_errors(con):
    table = con.create_table("orders", orders_frame(SMALL), overwrite=True)
    with pytest.raises(DataError, match="unit"):
        summary_from_orders(table, "2020-01-10", unit="week")
    with pytest.raises(DataError, match="holdout_end must be after"):
        summary_from_orders(table, "2020-01-10", holdout_end="2020-01-01")
    with pytest.raises(DataError, match="cutoff"):
        summary_from_orders(table, "not a date")
    with pytest.raises(DataError) as info:
        summary_from_orders(table.drop("status"), "2020-01-10")
    assert info.value.column == "status"


def test_matches_a_pandas_reference_on_random_orders(con):
    rng = np.random.default_rng(5)
    n = 3000
    frame = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(n)],
            "customer_id": rng.integers(0, 300, n).astype(str),
            "order_ts": (ORIGIN + pd.to_timedelta(rng.uniform(0, 200, n), unit="D")).floor("s"),
            "status": rng.choice(["paid", "paid", "paid", "failed"], n),
            "total_amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    cutoff = ORIGIN + pd.Timedelta(days=150)
    table = con.create_table("orders", frame, overwrite=True)
    got = summary_from_orders(table, cutoff, unit="day").execute().set_index("customer_id").sort_index()
    paid = frame[(frame.status == "paid") & (frame.order_ts <= cutoff)].copy()
    paid["day"] = paid.order_ts.dt.floor("D")
    daily = paid.groupby(["customer_id", "day"], as_index=False)["total_amount"].sum().sort_values("day")
    rows = {}
    for cid, g in daily.groupby("customer_id"):
        first, last = g.day.iloc[0], g.day.iloc[-1]
        rows[cid] = {
            "frequency": len(g) - 1,
            "recency": (last - first).days,
            "T": (cutoff.floor("D") - first).days,
            "monetary_value": g.total_amount.iloc[1:].mean() if len(g) > 1 else 0.0,
        }
    expected = pd.DataFrame.from_dict(rows, orient="index").sort_index()
    assert got.index.tolist() == expected.index.tolist()
    for col in expected.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), expected[col].to_numpy(float), rtol=1e-12)


# ---- scores and diagnostics on simulated shops --------------------------------------------
def simulated_orders(n: int = 2500, seed: int = 0, with_amounts: bool = True) -> pd.DataFrame:
    """Event by event BG/NBD shop: first purchases spread over 120 days, r=0.8, alpha=20 days,
    a=1.2, b=4; spend per order Gamma(5, nu), nu ~ Gamma(3, 60)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        start = rng.uniform(0, 120)
        lam, p, nu = rng.gamma(0.8, 1 / 20.0), rng.beta(1.2, 4.0), rng.gamma(3.0, 1 / 60.0)
        times = [start]
        t = start
        while True:
            t += rng.exponential(1 / lam)
            if t > 400:
                break
            times.append(t)
            if rng.random() < p:
                break
        for k, t in enumerate(times):
            amount = rng.gamma(5.0, 1 / nu) if with_amounts else None
            rows.append((f"{i}-{k}", f"c{i}", ORIGIN + pd.Timedelta(days=t), "paid", amount))
    return orders_frame(rows)


CUTOFF = ORIGIN + pd.Timedelta(days=240)
HOLDOUT_END = ORIGIN + pd.Timedelta(days=400)


@pytest.fixture(scope="module")
def shop():
    con = ibis.duckdb.connect()
    return con, con.create_table("orders", simulated_orders())


def test_scores_from_orders(shop):
    con, orders = shop
    cfg = ChurnlensConfig()
    cfg.clv.purchase_unit = "order"
    value = customer_value_from_orders(orders, CUTOFF, cfg)
    scores = value.scores
    assert scores.columns.tolist() == [
        "customer_id",
        "p_alive",
        "expected_purchases_90d",
        "expected_spend",
        "clv_12m",
    ]
    assert scores["customer_id"].is_unique
    assert scores["p_alive"].between(0, 1).all()
    assert (scores["expected_purchases_90d"] >= 0).all()
    assert (scores["expected_spend"] > 0).all() and (scores["clv_12m"] >= 0).all()
    assert value.notes == []
    # the simulated truth: spend per order has mean 5 * 60 / (3 - 1) = 150
    assert value.spend_model.params_["p"] * value.spend_model.params_["v"] / (
        value.spend_model.params_["q"] - 1
    ) == pytest.approx(150, rel=0.25)
    assert value.count_model.params_["alpha"] == pytest.approx(20.0, rel=0.35)


def test_scores_without_amounts_leave_spend_empty_and_say_why():
    con = ibis.duckdb.connect()
    orders = con.create_table("orders", simulated_orders(n=800, seed=3, with_amounts=False))
    value = customer_value_from_orders(orders, CUTOFF)
    assert value.scores["expected_spend"].isna().all() and value.scores["clv_12m"].isna().all()
    assert value.scores["p_alive"].notna().all()
    assert value.spend_model is None
    assert "no amounts" in value.notes[0]


def test_clv_column_follows_the_configured_horizon():
    sim = simulate_bgnbd(3000, 0.8, 20.0, 1.2, 4.0, T=np.random.default_rng(1).uniform(30, 240, 3000), seed=2)
    sim["monetary_value"] = simulate_gammagamma(sim["frequency"], 5.0, 3.0, 60.0, seed=3)
    sim["customer_id"] = [f"c{i}" for i in range(len(sim))]
    year = score_customers(sim).scores
    cfg = ChurnlensConfig()
    cfg.clv.horizon_months = 6
    half = score_customers(sim, cfg).scores
    assert "clv_6m" in half.columns and "clv_12m" not in half.columns
    assert (half["clv_6m"] < year["clv_12m"]).all()
    pd.testing.assert_series_equal(half["p_alive"], year["p_alive"])
    # weeks: the same customers in weeks give the same scores
    weeks = sim.assign(recency=sim.recency / 7, T=sim["T"] / 7)
    in_weeks = score_customers(weeks, time_unit_days="week").scores
    np.testing.assert_allclose(in_weeks["clv_12m"], year["clv_12m"], rtol=1e-6)
    np.testing.assert_allclose(in_weeks["expected_purchases_90d"], year["expected_purchases_90d"], rtol=1e-6)


def test_calibration_holdout_and_tracking_plots(shop):
    con, orders = shop
    summary = summary_from_orders(orders, CUTOFF, unit="order", holdout_end=HOLDOUT_END).execute()
    model = BGNBD().fit(summary["frequency"], summary["recency"], summary["T"])
    table = calibration_holdout(model, summary, max_frequency=5)
    assert table["frequency"].tolist() == [0, 1, 2, 3, 4, 5]
    assert table["n_customers"].sum() == len(summary)
    big = table[table.n_customers > 150]
    np.testing.assert_allclose(big["predicted"], big["actual"], rtol=0.2, atol=0.05)
    # whole-base totals over time
    events = purchase_events(orders, None, HOLDOUT_END, unit="order").execute()
    events["time"] = (events["ts"] - ORIGIN).dt.total_seconds() / 86400
    customers = set(summary["customer_id"])
    events = events[events["customer_id"].isin(customers)]
    grid = np.arange(0, 401, 20.0)
    curve = cumulative_repeat_purchases(model, events, grid)
    assert curve["actual"].is_monotonic_increasing and curve["predicted"].is_monotonic_increasing
    at_cutoff = curve.loc[curve.time == 240.0].iloc[0]
    assert at_cutoff["predicted"] == pytest.approx(at_cutoff["actual"], rel=0.05)
    at_end = curve.iloc[-1]
    assert at_end["predicted"] == pytest.approx(at_end["actual"], rel=0.15)


def test_p_alive_matrix_shape_and_monotone_in_recency():
    model = BGNBD.from_params(r=0.8, alpha=20.0, a=1.2, b=4.0)
    grid = p_alive_matrix(model, max_frequency=10, max_recency=100.0, n_recency=11)
    assert len(grid) == 1 + 10 * 11
    assert grid.loc[grid.frequency == 0, "p_alive"].tolist() == [1.0]
    for _, g in grid[grid.frequency > 0].groupby("frequency"):
        assert g.sort_values("recency")["p_alive"].is_monotonic_increasing
    with pytest.raises(DataError):
        p_alive_matrix(model, 5, 100.0, T=50.0)


def test_diagnostics_from_orders(shop):
    con, orders = shop
    cfg = ChurnlensConfig()
    cfg.clv.purchase_unit = "order"
    tables = diagnostics_from_orders(orders, HOLDOUT_END, holdout_days=160, config=cfg)
    assert set(tables) == {"clv_calibration_holdout", "clv_repeat_purchases", "clv_p_alive_matrix"}
    curve = tables["clv_repeat_purchases"]
    assert curve.columns.tolist() == ["day", "time", "actual", "predicted", "period"]
    assert curve["actual"].is_monotonic_increasing and curve["predicted"].is_monotonic_increasing
    assert set(curve["period"]) == {"calibration", "holdout"}
    last_cal = curve[curve.period == "calibration"].iloc[-1]
    assert last_cal["predicted"] == pytest.approx(last_cal["actual"], rel=0.05)
    assert curve.iloc[-1]["predicted"] == pytest.approx(curve.iloc[-1]["actual"], rel=0.15)
    # the daily curve from engine counts equals the event-level computation
    events = purchase_events(orders, None, HOLDOUT_END, unit="order").execute()
    firsts = events.groupby("customer_id")["ts"].transform("min")
    events = events[firsts <= CUTOFF]
    events["time"] = (events["ts"].dt.floor("D") - curve["day"].iloc[0]).dt.total_seconds() / 86400
    any_model = BGNBD.from_params(r=1.0, alpha=1.0, a=1.5, b=1.0)
    again = cumulative_repeat_purchases(any_model, events, curve["time"])
    np.testing.assert_allclose(again["actual"], curve["actual"])
    assert len(tables["clv_p_alive_matrix"]) > 1
    assert tables["clv_calibration_holdout"]["n_customers"].sum() > 1000
