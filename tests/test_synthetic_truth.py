"""The oracle probabilities of truth.py against an independent Monte-Carlo simulation and against
the realised behaviour of generated shops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens.sources.synthetic import (
    GeneratorConfig,
    generate,
    load_truth,
    true_churn_probability,
    true_p_alive,
)

DAY = pd.Timedelta(days=1)


def hourly_profile(cfg: GeneratorConfig) -> np.ndarray:
    """UTC hour-of-week intensities (Monday 00:00 first), mean 1, from the config's local weights."""
    local = np.outer(cfg.weekday_weights, cfg.hour_weights).ravel()
    utc = np.roll(local, -cfg.utc_offset_hours)
    return utc / utc.mean()


def _weight(profile: np.ndarray, origin: pd.Timestamp, days: np.ndarray) -> np.ndarray:
    ts = pd.DatetimeIndex(origin + pd.to_timedelta(days, unit="D"))
    return profile[ts.day_of_week * 24 + ts.hour]


def _first_arrival(rng, profile, origin, start, stop, rate, n) -> np.ndarray:
    """First event after ``start`` (days from origin) of intensity rate * w(t), by thinning; inf past stop."""
    wmax = profile.max()
    t = np.full(n, float(start))
    out = np.full(n, np.inf)
    active = np.ones(n, dtype=bool)
    if rate <= 0:
        return out
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / (rate * wmax), len(idx))
        past = t[idx] > stop
        active[idx[past]] = False
        idx = idx[~past]
        accept = rng.random(len(idx)) < _weight(profile, origin, t[idx]) / wmax
        out[idx[accept]] = t[idx[accept]]
        active[idx[accept]] = False
    return out


def monte_carlo(case: dict, profile: np.ndarray, n: int, seed: int) -> tuple[float, float, float]:
    """P(alive at cutoff) and P(no purchase in the window), conditional on no purchase since the last one.

    Simulated forward from the last purchase x: the dropout coin, then purchases and (from d on) the
    lapse hazard, both as inhomogeneous Poisson processes on the calendar (thinning). Times are days
    relative to the cutoff; the profile is evaluated at calendar time + offset.
    """
    rng = np.random.default_rng(seed)
    origin = CUTOFF + case.get("offset_days", 0) * DAY
    x, w = case["x"], case["window"]
    survive = rng.random(n) >= case["p"]
    lapse = _first_arrival(rng, profile, origin, max(x, case.get("d", np.inf)), w, case.get("h", 0.0), n)
    if not np.isfinite(case.get("d", np.inf)):
        lapse[:] = np.inf
    buy = _first_arrival(rng, profile, origin, x, w, case["lam"], n)
    first_purchase = np.where(survive & (lapse > buy), buy, np.inf)
    kept = first_purchase > 0.0  # no purchase in (x, cutoff]
    alive = survive & (lapse > 0.0)
    p_alive = alive[kept].mean()
    churn = (first_purchase[kept] > w).mean()
    return p_alive, churn, kept.sum()


CUTOFF = pd.Timestamp("2021-03-17 09:30:00")
CASES = [
    dict(lam=0.05, p=0.1, x=-20.0, window=30.0),
    dict(lam=0.2, p=0.3, x=-3.0, window=10.0),
    dict(lam=0.08, p=0.05, h=0.04, d=-15.0, x=-30.0, window=20.0),  # last purchase before the lapse start
    dict(lam=0.08, p=0.05, h=0.04, d=5.0, x=-10.0, window=20.0),  # lapse starts inside the window
    dict(lam=0.1, p=0.02, h=0.06, d=-40.0, x=-12.0, window=25.0),  # last purchase after the lapse start
    dict(lam=0.15, p=0.08, x=-6.5, window=30.0, offset_days=-3),  # instacart-style shifted calendar
    # hours, not weeks: here the weekly profile moves the answer far beyond the Monte-Carlo error
    dict(lam=1.5, p=0.2, x=-0.25, window=0.3),
    dict(lam=1.0, p=0.1, h=2.0, d=-0.2, x=-0.3, window=0.25),
]


def _frames(cases: list[dict], profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    truth = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(cases))],
            "purchase_rate_per_day": [c["lam"] for c in cases],
            "dropout_prob": [c["p"] for c in cases],
            "lapse_hazard_per_day": [c.get("h", 0.0) for c in cases],
            "lapse_start_ts": [CUTOFF + c["d"] * DAY if "d" in c else pd.NaT for c in cases],
            "clock_offset_days": [c.get("offset_days", 0) for c in cases],
        }
    )
    truth.attrs["weekly_profile"] = list(profile)
    orders = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(cases))] * 3,
            "order_ts": [CUTOFF + c["x"] * DAY for c in cases]
            + [CUTOFF + (c["x"] - 17.3) * DAY for c in cases]  # older purchases do not matter
            + [CUTOFF + 2.0 * DAY for _ in cases],  # after the cutoff: ignored
        }
    )
    return truth, orders


def test_truth_formulas_match_monte_carlo():
    profile = hourly_profile(GeneratorConfig())
    truth, orders = _frames(CASES, profile)
    alive = true_p_alive(truth, orders, CUTOFF)
    for i, case in enumerate(CASES):
        churn = true_churn_probability(truth, orders, CUTOFF, case["window"])
        mc_alive, mc_churn, kept = monte_carlo(case, profile, 200_000, seed=i)
        se = 0.5 / np.sqrt(kept)
        assert abs(alive.iloc[i] - mc_alive) < 4.5 * se + 1e-3, (i, alive.iloc[i], mc_alive)
        assert abs(churn.iloc[i] - mc_churn) < 4.5 * se + 1e-3, (i, churn.iloc[i], mc_churn)


def test_weekly_profile_matters():
    """A flat profile gives different answers: the Monte-Carlo agreement above is not by chance."""
    profile = hourly_profile(GeneratorConfig())
    truth, orders = _frames(CASES[-2:], profile)
    flat = true_p_alive(truth, orders, CUTOFF, weekly_profile=[1.0] * 168)
    shaped = true_p_alive(truth, orders, CUTOFF)
    assert (abs(flat - shaped) > 0.015).all()
    flat = true_churn_probability(truth, orders, CUTOFF, 0.3, weekly_profile=[1.0] * 168)
    assert abs(flat.iloc[0] - true_churn_probability(truth, orders, CUTOFF, 0.3).iloc[0]) > 0.03


def test_edge_cases_and_inputs():
    profile = hourly_profile(GeneratorConfig())
    truth, orders = _frames(CASES, profile)
    early = true_p_alive(truth, orders, CUTOFF - 400 * DAY)
    assert early.isna().all()  # nobody has bought yet
    tz_orders = orders.assign(order_ts=orders["order_ts"].dt.tz_localize("UTC").dt.tz_convert("Asia/Jakarta"))
    pd.testing.assert_series_equal(
        true_p_alive(truth, tz_orders, CUTOFF.tz_localize("UTC")), true_p_alive(truth, orders, CUTOFF)
    )
    failed = orders.assign(payment_status="Failed")
    both = pd.concat([orders.assign(payment_status="Success"), failed.assign(order_ts=CUTOFF - 0.01 * DAY)])
    pd.testing.assert_series_equal(true_p_alive(truth, both, CUTOFF), true_p_alive(truth, orders, CUTOFF))
    bare = truth.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="weekly profile"):
        true_p_alive(bare, orders, CUTOFF)
    values = true_churn_probability(truth, orders, CUTOFF, 30)
    assert values.between(0, 1).all()
    assert (true_churn_probability(truth, orders, CUTOFF, 60) <= values + 1e-12).all()


@pytest.fixture(scope="module", params=["steady", "decline"])
def shop(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    cfg = GeneratorConfig(customers=6000, seed=11, scenario=request.param, write_click_stream=False)
    generate("fashion-campus", out, cfg)
    tx = pd.read_csv(out / "transactions.csv", usecols=["created_at", "customer_id", "payment_status"])
    tx["order_ts"] = pd.to_datetime(tx["created_at"])
    return cfg, load_truth(out), tx


@pytest.mark.parametrize(("cutoff", "window"), [("2021-09-01 12:00", 45), ("2022-06-20", 30)])
def test_truth_is_calibrated_on_a_generated_shop(shop, cutoff, window):
    cfg, truth, tx = shop
    np.testing.assert_allclose(truth.attrs["weekly_profile"], hourly_profile(cfg))
    c = pd.Timestamp(cutoff, tz="UTC")
    alive = true_p_alive(truth, tx, c)
    churn = true_churn_probability(truth, tx, c, window)
    known = alive.notna().to_numpy()
    assert known.sum() > 1500
    # realised: alive at the cutoff (truth dropout time) and no paid booking in the window
    dropout = truth["dropout_ts"].dt.tz_localize("UTC")
    real_alive = (dropout.isna() | (dropout > c)).to_numpy()
    paid = tx[
        (tx["payment_status"] == "Success") & (tx["order_ts"] > c) & (tx["order_ts"] <= c + window * DAY)
    ]
    real_churn = ~truth["customer_id"].isin(paid["customer_id"]).to_numpy()
    for predicted, realised in ((alive.to_numpy(), real_alive), (churn.to_numpy(), real_churn)):
        p, r = predicted[known], realised[known]
        se = np.sqrt((p * (1 - p)).sum()) / len(p)
        assert abs(p.mean() - r.mean()) < 4 * se + 2e-3, (p.mean(), r.mean(), se)
    # and the probabilities discriminate: churners have higher predicted churn
    assert (
        churn.to_numpy()[known][real_churn[known]].mean()
        > churn.to_numpy()[known][~real_churn[known]].mean() + 0.1
    )
