"""Parameter recovery: data simulated from known parameters are fitted back within the
estimated standard errors, for several parameter sets of each model."""

from __future__ import annotations

import numpy as np
import pytest

from churnlens.clv import (
    BGNBD,
    GammaGamma,
    ParetoNBD,
    simulate_bgnbd,
    simulate_gammagamma,
    simulate_paretonbd,
)

#: |estimate - truth| must be below this many standard errors for every parameter.
Z = 3.5


def assert_recovered(model, truth: dict[str, float]) -> None:
    for name, true in truth.items():
        est, se = model.params_[name], model.standard_errors_[name]
        assert np.isfinite(se) and se > 0
        assert abs(est - true) < Z * se, f"{name}: estimate {est:.4g} vs true {true:.4g} (se {se:.3g})"


@pytest.mark.parametrize(
    "truth",
    [
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},  # CDNOW (weeks)
        {"r": 1.5, "alpha": 20.0, "a": 2.0, "b": 6.0},
        {"r": 0.5, "alpha": 2.0, "a": 0.4, "b": 0.8},
    ],
)
def test_bgnbd_recovers_parameters(truth):
    rng = np.random.default_rng(11)
    n = 30_000
    data = simulate_bgnbd(n, **truth, T=rng.uniform(4.0, 78.0, n), seed=12)
    model = BGNBD().fit(data.frequency, data.recency, data["T"])
    assert model.n_customers_ == n
    assert_recovered(model, truth)


@pytest.mark.parametrize(
    "truth",
    [
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},  # CDNOW (weeks)
        {"r": 1.2, "alpha": 6.0, "s": 1.5, "beta": 40.0},
    ],
)
def test_paretonbd_recovers_parameters(truth):
    rng = np.random.default_rng(21)
    n = 15_000
    data = simulate_paretonbd(n, **truth, T=rng.uniform(10.0, 78.0, n), seed=22)
    model = ParetoNBD().fit(data.frequency, data.recency, data["T"])
    assert_recovered(model, truth)


@pytest.mark.parametrize(
    "truth",
    [
        {"p": 6.25, "q": 3.74, "v": 15.44},  # CDNOW
        {"p": 2.0, "q": 6.0, "v": 100.0},
        {"p": 12.0, "q": 2.5, "v": 3.0},
    ],
)
def test_gammagamma_recovers_parameters(truth):
    rng = np.random.default_rng(31)
    n = 30_000
    frequency = rng.geometric(0.3, n).astype(float)  # repeat buyers only
    spend = simulate_gammagamma(frequency, **truth, seed=32)
    model = GammaGamma().fit(frequency, spend)
    assert_recovered(model, truth)
    assert abs(model.frequency_monetary_correlation_) < 0.05


def test_weeks_and_days_give_the_same_model():
    """Times in days instead of weeks: alpha scales by 7, the rest and the fit quality do not move."""
    rng = np.random.default_rng(41)
    data = simulate_bgnbd(5000, 0.3, 5.0, 0.7, 2.0, T=rng.uniform(4, 52, 5000), seed=42)
    weeks = BGNBD().fit(data.frequency, data.recency, data["T"])
    days = BGNBD().fit(data.frequency, data.recency * 7, data["T"] * 7)
    assert days.params_["alpha"] == pytest.approx(7 * weeks.params_["alpha"], rel=1e-6)
    for k in ("r", "a", "b"):
        assert days.params_[k] == pytest.approx(weeks.params_[k], rel=1e-6)
    # the likelihood of event times in days is 7^-x times that in weeks
    shift = np.log(7.0) * data.frequency.sum()
    assert days.log_likelihood_ == pytest.approx(weeks.log_likelihood_ - shift, rel=1e-10)
