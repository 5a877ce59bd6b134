"""The estimators keep the contract their docstrings state.

The value models (`BGNBD`, `ParetoNBD`, `GammaGamma`) are scikit-learn estimators: scikit-learn's
own checks for parameters, `get_params`/`set_params` and `clone` pass. `ChurnModel` keeps the
conventions DESIGN.md lists (hyper-parameters are the `__init__` arguments kept under their own
names, `fit` returns the model, what it learns ends with `_`), checked here by hand.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks

from churnlens.churn.models import ChurnModel
from churnlens.clv import BGNBD, GammaGamma, ParetoNBD, simulate_bgnbd

VALUE_MODELS = [BGNBD, ParetoNBD, GammaGamma]
SKLEARN_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
]


def learned(model) -> set[str]:
    return {k for k in vars(model) if k.endswith("_") and not k.startswith("__")}


@pytest.mark.parametrize("model_cls", VALUE_MODELS)
@pytest.mark.parametrize("check", SKLEARN_CHECKS)
def test_value_models_pass_scikit_learns_parameter_checks(model_cls, check):
    getattr(estimator_checks, check)(model_cls.__name__, model_cls())


def value_data(model_cls):
    sim = simulate_bgnbd(1500, 0.5, 5.0, 0.8, 2.5, np.full(1500, 30.0), seed=3)
    if model_cls is GammaGamma:
        buyers = sim[sim.frequency > 0]
        spend = np.random.default_rng(3).gamma(6.0, 5.0, len(buyers))
        return (buyers.frequency, spend)
    return (sim.frequency, sim.recency, sim["T"])


@pytest.mark.parametrize("model_cls", VALUE_MODELS)
def test_value_models_fit_returns_self_and_learned_values_end_with_underscore(model_cls):
    model = model_cls(penalizer=0.001, tol=1e-8, max_iter=500, compress=False)
    params = model.get_params()
    assert params == {"penalizer": 0.001, "tol": 1e-8, "max_iter": 500, "compress": False}
    assert learned(model) == set()
    assert model.fit(*value_data(model_cls)) is model
    assert model.get_params() == params  # fit leaves the hyper-parameters alone
    got = learned(model)
    assert {"params_", "log_likelihood_", "standard_errors_", "covariance_", "n_customers_"} <= got
    assert set(vars(model)) - got - set(params) == set()  # nothing else is stored
    twin = clone(model)
    assert learned(twin) == set() and twin.get_params() == params
    assert twin.fit(*value_data(model_cls)).params_ == pytest.approx(model.params_, rel=1e-10)


def churn_data(n: int = 300):
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"recency_days": rng.uniform(0, 100, n), "gender": rng.choice(["F", "M"], n)})
    y = (X["recency_days"] + rng.normal(0, 20, n) > 50).astype(int).to_numpy()
    return X, y


def test_churn_model_keeps_design_md_estimator_conventions():
    args = {
        "kind": "lightgbm",
        "params": {"n_estimators": 20},
        "imbalance": "class_weight",
        "calibration": "isotonic",
        "dense": False,
        "n_jobs": 1,
        "random_state": 7,
    }
    names = [p for p in inspect.signature(ChurnModel.__init__).parameters if p != "self"]
    assert sorted(names) == sorted(args)
    model = ChurnModel(**args)
    for name, value in args.items():
        assert getattr(model, name) is value, name  # stored under its own name, unchanged
    assert learned(model) == set()
    X, y = churn_data()
    assert model.fit(X.iloc[:200], y[:200], X.iloc[200:], y[200:]) is model
    for name, value in args.items():
        assert getattr(model, name) is value, name  # fit changes no hyper-parameter
    got = learned(model)
    assert got == set(vars(model)) - set(args)  # everything fit stores ends with _
    # the attributes the class docstring lists
    assert {"prep_", "estimator_", "calibrator_", "columns_", "n_train_", "positive_share_"} <= got
    assert model.calibrator_ is not None and model.n_train_ == 200
    p = model.predict_proba(X)
    assert p.shape == (len(X),) and ((p >= 0) & (p <= 1)).all()  # the churn probability alone (1-D)
    assert not hasattr(model, "get_params")  # as the docstring says: not a full scikit-learn estimator
