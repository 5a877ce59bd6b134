"""Degenerate inputs give a clear DataError or ModelError, never a NaN."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from churnlens.clv import BGNBD, GammaGamma, ParetoNBD, simulate_bgnbd
from churnlens.clv._fitting import LOG_BOUND, ParametersRanOff
from churnlens.errors import DataError, ModelError

COUNT_MODELS = [BGNBD, ParetoNBD]


@pytest.mark.parametrize("model_cls", COUNT_MODELS)
def test_no_repeat_buyers_is_a_model_error_saying_what_to_do(model_cls):
    with pytest.raises(ModelError, match="no customer made a repeat purchase") as info:
        model_cls().fit(np.zeros(50), np.zeros(50), np.linspace(1, 30, 50))
    assert "longer calibration period" in str(info.value)


@pytest.mark.parametrize("model_cls", COUNT_MODELS)
@pytest.mark.parametrize(
    ("frequency", "recency", "T", "column", "shown"),
    [
        ([1, 2, 0], [-1.0, 3.0, 0.0], [5.0, 5.0, 5.0], "recency", "-1.0"),
        ([1, 2, 0], [4.0, 6.0, 0.0], [5.0, 5.0, 5.0], "recency", "recency=6 > T=5"),
        ([1, np.nan, 0], [4.0, 3.0, 0.0], [5.0, 5.0, 5.0], "frequency", "nan"),
        ([1, 2, 0], [4.0, 3.0, 0.0], [5.0, np.inf, 5.0], "T", "inf"),
        ([1.5, 2, 0], [4.0, 3.0, 0.0], [5.0, 5.0, 5.0], "frequency", "1.5"),
        ([-1, 2, 0], [4.0, 3.0, 0.0], [5.0, 5.0, 5.0], "frequency", "-1.0"),
        ([1, 2, 0], [4.0, 3.0, 0.0], [5.0, -5.0, 5.0], "T", "-5.0"),
        ([1, 2, 0], [4.0, 3.0, 2.0], [5.0, 5.0, 5.0], "recency", "2.0"),
        ([1, 2], [4.0, 3.0, 0.0], [5.0, 5.0, 5.0], "frequency, recency, T", None),
    ],
)
def test_bad_inputs_name_the_column_and_show_values(model_cls, frequency, recency, T, column, shown):
    with pytest.raises(DataError) as info:
        model_cls().fit(frequency, recency, T)
    err = info.value
    assert err.column == column
    assert err.fix
    if shown is not None:
        assert shown in str(err)


def test_predictions_validate_too():
    model = BGNBD.from_params(r=0.2, alpha=4.0, a=0.8, b=2.4)
    with pytest.raises(DataError, match="recency"):
        model.p_alive([2], [9.0], [5.0])
    with pytest.raises(DataError, match="'t' must be >= 0"):
        model.expected_purchases(-1, [2], [3.0], [5.0])
    with pytest.raises(DataError, match="missing or infinite"):
        model.expected_purchases_new([np.nan])
    with pytest.raises(DataError, match="has 2 values for 3 customers"):
        model.expected_purchases([1.0, 2.0], [0, 1, 2], [0.0, 1.0, 2.0], [5.0, 5.0, 5.0])
    per_customer = model.expected_purchases([1.0, 2.0, 3.0], [0, 1, 2], [0.0, 1.0, 2.0], [5.0, 5.0, 5.0])
    one_by_one = [
        model.expected_purchases(h, [f], [r], [5.0])[0]
        for h, f, r in ((1.0, 0, 0.0), (2.0, 1, 1.0), (3.0, 2, 2.0))
    ]
    np.testing.assert_allclose(per_customer, one_by_one, rtol=1e-14)


def test_unfitted_model_says_so():
    with pytest.raises(ModelError, match="not fitted"):
        BGNBD().p_alive([1], [1.0], [2.0])


def test_pandas_series_and_lists_are_accepted():
    data = simulate_bgnbd(2000, 0.5, 5.0, 0.8, 2.5, np.full(2000, 30.0), seed=1)
    from_series = BGNBD().fit(data["frequency"], data["recency"], data["T"])
    from_lists = BGNBD().fit(data["frequency"].tolist(), data["recency"].tolist(), data["T"].tolist())
    assert from_series.params_ == pytest.approx(from_lists.params_, rel=1e-12)
    with pytest.raises(DataError, match="missing"):
        BGNBD().fit(pd.Series([1, None]), pd.Series([1.0, 0.0]), pd.Series([2.0, 2.0]))


def _directions_from_values(err) -> dict[str, str]:
    """Each parameter the optimiser left on the bound of its log (within 0.01 of +-LOG_BOUND),
    with the way it went, read from the last log-parameters the error carries."""
    return {n: ("0" if v < 0 else "infinity") for n, v in err.log_params.items() if abs(v) > LOG_BOUND - 0.01}


@pytest.mark.parametrize(("seed", "n"), [(0, 3000), (1, 1000), (4, 500)])
def test_unidentified_parameters_raise_model_error_not_nan(seed, n):
    # Everyone buys at the same steady pace and nobody drops out: nothing identifies the
    # drop-out process (a -> 0) nor the spread of purchase rates (r, alpha -> infinity). Which of
    # them the optimiser reaches first depends on its path, so the expected words are derived
    # from the values it stopped at; the message must word each one with its own direction.
    rng = np.random.default_rng(seed)
    T = rng.uniform(20, 40, n)
    x = np.floor(T / 2.0)
    with pytest.raises(ModelError, match="the data cannot identify the model") as info:
        BGNBD().fit(x, x * 2.0, T)
    err = info.value
    expected = _directions_from_values(err)
    assert expected, "no parameter is at an extreme value, yet the fit was refused"
    assert set(expected) <= {"r", "alpha", "a", "b"}
    message = str(err)
    for name in err.log_params:
        assert bool(re.search(rf"\b{name} ran off to", message)) == (name in expected)
    for name, direction in expected.items():
        assert re.search(rf"\b{name} ran off to {direction}\b", message)
    assert ("longer calibration period" in message) and (
        ("same time unit" in message) == ("0" in expected.values())
    )
    assert ("penalizer=0.001" in message) == ("infinity" in expected.values())
    # no drop-out in the data: whatever ran off, a cannot have run to infinity nor b to 0
    assert expected.get("a") != "infinity" and expected.get("b") != "0"


def test_each_parameter_is_worded_with_its_own_direction():
    # r on the upper bound, a on the lower one, alpha and b inside: the exact message
    err = ParametersRanOff("BG/NBD", ("r", "alpha", "a", "b"), np.array([LOG_BOUND, 2.0, -LOG_BOUND, 0.5]))
    assert str(err).startswith(
        "BG/NBD: r ran off to infinity, a ran off to 0; the data cannot identify the model. Check that"
    )
    assert "same time unit" in str(err) and "penalizer=0.001" in str(err)
    assert err.ran_off == {"r": "infinity", "a": "0"}
    assert isinstance(err, ModelError)
    only_up = ParametersRanOff("Gamma-Gamma", ("p", "q", "v"), np.array([1.0, LOG_BOUND, LOG_BOUND]))
    assert str(only_up).startswith("Gamma-Gamma: q ran off to infinity, v ran off to infinity; the data")
    assert "same time unit" not in str(only_up)


def test_parameters_running_to_infinity_suggest_the_penalizer_which_works():
    # Every customer has the same spend rate: no heterogeneity, so q and v grow without end.
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10, 3000).astype(float)
    m = rng.gamma(50 * x, 1 / x)
    with pytest.raises(ModelError, match="penalizer=0.001"):
        GammaGamma().fit(x, m)
    model = GammaGamma(penalizer=0.01).fit(x, m)
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())


def test_gammagamma_needs_repeat_buyers_and_positive_spend():
    with pytest.raises(ModelError, match="fewer than two customers"):
        GammaGamma().fit([0, 0, 1], [0.0, 0.0, 5.0])
    with pytest.raises(DataError) as info:
        GammaGamma().fit([1, 2, 3], [10.0, 0.0, 5.0])
    assert info.value.column == "monetary_value"
    with pytest.raises(DataError, match="missing"):
        GammaGamma().fit([1, 2, 3], [10.0, np.nan, 5.0])


def test_gammagamma_without_finite_mean_refuses_to_guess():
    model = GammaGamma.from_params(p=2.0, q=0.8, v=10.0)
    assert np.isfinite(model.expected_spend([3], [20.0])).all()
    with pytest.raises(ModelError, match="no finite mean"):
        model.expected_spend([0], [0.0])


def test_penalizer_must_be_non_negative():
    with pytest.raises(ModelError, match="penalizer"):
        BGNBD(penalizer=-1).fit([1, 0], [1.0, 0.0], [2.0, 2.0])


def test_weights_are_checked_and_equal_to_repeated_rows():
    x, t, T = np.array([0, 1, 3, 2, 0.0]), np.array([0, 2, 9, 4, 0.0]), np.array([5, 6, 10, 8, 3.0])
    with pytest.raises(DataError) as info:
        BGNBD().fit(x, t, T, weights=[1, 2, 0, 1, 1])
    assert info.value.column == "weights"
    with pytest.raises(DataError):
        BGNBD().fit(x, t, T, weights=[1, 2])
    sim = simulate_bgnbd(3000, 0.5, 5.0, 0.8, 2.5, np.full(3000, 20.0), seed=4)
    sim = sim.assign(recency=sim.recency.round(), T=20.0)
    folded = sim.value_counts().reset_index()
    a = BGNBD(compress=False).fit(sim.frequency, sim.recency, sim["T"])
    b = BGNBD().fit(folded.frequency, folded.recency, folded["T"], weights=folded["count"])
    assert b.n_customers_ == 3000
    for k in a.params_:
        assert a.params_[k] == pytest.approx(b.params_[k], rel=1e-7)
