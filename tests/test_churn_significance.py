"""The paired bootstrap of (model - baseline) ROC AUC, its plain-words verdict, and the choice
of the model that scores customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from churnlens.churn.metrics import paired_auc_difference
from churnlens.churn.significance import interval_columns, scorer
from churnlens.churn.verdict import sentence, sentences
from churnlens.config import ChurnConfig


def test_paired_difference_is_the_auc_difference_and_its_bootstrap():
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    a = y + rng.normal(0, 1.0, n)
    b = np.round(y + rng.normal(0, 1.6, n), 1)  # ties count half
    d, lo, hi = paired_auc_difference(y, a, b, 300, 0.95, 7)
    assert d == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b))
    assert lo < d < hi and lo > 0  # a is clearly better
    # the same resamples by hand: percentiles of the differences on customers drawn with replacement
    r = np.random.default_rng(7)
    boots = []
    for _ in range(300):
        idx = r.integers(0, n, n)
        boots.append(roc_auc_score(y[idx], a[idx]) - roc_auc_score(y[idx], b[idx]))
    assert (lo, hi) == pytest.approx(tuple(np.percentile(boots, [2.5, 97.5])))
    same = paired_auc_difference(y, a, a, 50, 0.95, 0)
    assert same == (0.0, 0.0, 0.0)


def test_interval_columns_and_verdicts():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1500)
    model = y + rng.normal(0, 0.8, 1500)
    scored = {
        "lightgbm": (model, True, "model"),
        "recency_rule": (y + rng.normal(0, 3.0, 1500), False, "baseline"),
        "bgnbd": (model + rng.normal(0, 0.05, 1500), True, "baseline"),
    }
    aucs = {k: roc_auc_score(y, v[0]) for k, v in scored.items()}
    c = ChurnConfig()
    c.bootstrap_samples = 200
    extra = interval_columns(y, scored, aucs, c)
    assert extra["lightgbm"]["best_baseline"] == "bgnbd"
    assert extra["lightgbm"]["auc_vs_best"] == pytest.approx(aucs["lightgbm"] - aucs["bgnbd"])
    assert "recency_rule" not in extra  # neither the best nor a fallback candidate
    row = pd.Series({"cutoff": "2011-11-14", **extra["lightgbm"]})
    row[["auc_vs_best", "auc_vs_best_low", "auc_vs_best_high"]] = [0.012, 0.006, 0.018]
    assert sentence(row) == (
        "On 2011-11-14 the model ranked customers better than the best simple alternative (bgnbd) "
        "by +0.012 ROC AUC (95 % interval +0.006 to +0.018): a real gain."
    )
    row[["auc_vs_best", "auc_vs_best_low", "auc_vs_best_high"]] = [0.002, -0.004, 0.009]
    assert "includes 0" in sentence(row) and "0이 포함" in sentence(row, "ko")
    table = pd.DataFrame([{**row.to_dict(), "model": "lightgbm", "cohort": 1}])
    assert sentences(table) == [sentence(row)]


def test_scores_come_from_the_simplest_model_not_measurably_worse():
    c = ChurnConfig()

    def table(low: float) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"model": "lightgbm", "cohort": 1, "model_minus_low": np.nan},
                {"model": "bgnbd", "cohort": 1, "model_minus_low": low},
                {"model": "bgnbd", "cohort": 2, "model_minus_low": -0.5},  # an older cutoff
            ]
        )

    assert scorer(table(0.004), c) == "lightgbm"
    assert scorer(table(-0.002), c) == "bgnbd"
    c.fallback_models = []
    assert scorer(table(-0.002), c) == "lightgbm"
