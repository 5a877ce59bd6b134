"""The gap model (each customer's own rhythm) against simulated truth and a hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from churnlens.churn.gap_model import GapModel


def simulate(n: int, k: float, r: float, alpha: float, gaps: int, cap: float, seed: int):
    """Per customer: sum(g^s) for each shape s, uncensored gaps, sum of their logs; gaps capped
    at ``cap`` are censored ("cap or more"). Returns the sums, and each customer's rate."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    m = rng.integers(1, gaps + 1, n)
    shapes = (0.5, 1.0, 1.5, 2.0)
    sums = {s: np.zeros(n) for s in shapes}
    count, logs = np.zeros(n), np.zeros(n)
    for i in range(n):
        g = (rng.exponential(1, m[i]) / lam[i]) ** (1 / k)  # P(G > g) = exp(-lam g^k)
        censored = g >= cap
        g = np.minimum(g, cap)
        for s in shapes:
            sums[s][i] = (g**s).sum()
        count[i] = (~censored).sum()
        logs[i] = np.log(g[~censored]).sum()
    return sums, count, logs, lam


def test_gap_model_recovers_shape_and_prior_with_censored_gaps():
    truth = dict(k=1.5, r=2.0, alpha=300.0)
    sums, count, logs, _ = simulate(4000, gaps=8, cap=30.0, seed=1, **truth)
    m = GapModel().fit(sums, count, logs, np.zeros(len(count)))
    assert m.k_ == 1.5
    assert m.r_ == pytest.approx(truth["r"], rel=0.15)
    assert m.alpha_ == pytest.approx(truth["alpha"], rel=0.2)


def test_survival_is_the_gamma_posterior_by_hand():
    m = GapModel()
    m.k_, m.r_, m.alpha_ = 1.0, 2.0, 10.0
    # 3 gaps summing to 30 days, 5 days since the last order: rate ~ Gamma(5, 45)
    # P(no order in the next 10 days) = E[exp(-lam * 10)] = (45 / 55)^5
    got = m.survival(10.0, np.array([30.0]), np.array([3.0]), np.array([5.0]))
    assert got[0] == pytest.approx((45 / 55) ** 5)
    # with k = 2 the exposure adds (d + t)^2 - d^2 = 225 - 25
    m.k_ = 2.0
    got = m.survival(10.0, np.array([300.0]), np.array([3.0]), np.array([5.0]))
    assert got[0] == pytest.approx(((10 + 300 + 25) / (10 + 300 + 225)) ** 5)
    # horizons as a matrix agree with one horizon at a time
    grid = m.survival(np.array([[1.0, 10.0]]), np.array([300.0]), np.array([3.0]), np.array([5.0]))
    assert grid[0, 1] == pytest.approx(got[0])


def test_fitted_model_matches_the_true_prior_posterior():
    """With the prior estimated from the data, each customer's P(no order in 30 days) is the
    one the true prior gives (the best any gap history allows)."""
    sums, count, logs, _ = simulate(3000, k=1.0, r=1.5, alpha=60.0, gaps=6, cap=30.0, seed=2)
    zero = np.zeros(len(count))
    m = GapModel().fit(sums, count, logs, zero)
    assert m.k_ == 1.0
    true = GapModel()
    true.k_, true.r_, true.alpha_ = 1.0, 1.5, 60.0
    p, best = m.survival(30.0, sums[1.0], count, zero), true.survival(30.0, sums[1.0], count, zero)
    assert np.abs(p - best).max() < 0.03


def test_next_order_timing_agrees_with_the_churn_score():
    import pandas as pd

    from churnlens.churn.gap_features import GapFits
    from churnlens.churn.next_order import next_order
    from churnlens.config import ChurnConfig

    m = GapModel()
    m.k_, m.r_, m.alpha_ = 1.0, 2.0, 10.0
    key = {"customer_id": ["a", "b"], "cutoff": pd.to_datetime(["2020-01-01"] * 2), "cohort": [0, 0]}
    rows = pd.DataFrame(key)
    inputs = pd.DataFrame({**key, "exposure": [30.0, 30.0], "n": [3.0, 3.0], "recency": [5.0, 5.0]})
    fits = GapFits({0: m}, inputs)
    c = ChurnConfig()
    c.timing_horizons_days = [7, 25]
    own = m.survival(25.0, np.array([30.0]), np.array([3.0]), np.array([5.0]))[0]  # (45/70)^5
    t = next_order(rows, fits, np.array([own, 0.9]), 25.0, c)
    # a score equal to the gap model's own keeps its curve: P(order in 7 days) = 1 - (45/52)^5
    assert t.loc[0, "p_order_7d"] == pytest.approx(1 - (45 / 52) ** 5)
    assert t.loc[0, "p_order_25d"] == pytest.approx(1 - own)
    # a higher churn score bends the curve: P(order within the window) = 1 - score exactly
    assert t.loc[1, "p_order_25d"] == pytest.approx(0.1)
    assert t.loc[1, "p_order_7d"] < t.loc[0, "p_order_7d"]
    assert t.loc[1, "expected_days_to_next_order"] > t.loc[0, "expected_days_to_next_order"]
    # restricted mean of the gap model's own curve by hand: sum over days of S(t)
    days = np.arange(365) + 0.5
    assert t.loc[0, "expected_days_to_next_order"] == pytest.approx(((45 / (45 + days)) ** 5).sum())
