"""Model plumbing, metrics and reasons on tiny hand-built inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens.churn.backtest import at_most, contact_cost, fit_churn_model, level_drift
from churnlens.churn.base_rate import logit_shift, rate_trend
from churnlens.churn.dataset import NEXT_GAP, WINDOW, ChurnFrame
from churnlens.churn.feature_docs import describe, feature_table
from churnlens.churn.metrics import calibration_error, lift_at, score_metrics, threshold_report
from churnlens.churn.models import OTHER, ChurnModel, Prep
from churnlens.churn.reasons import explain, sentence
from churnlens.config import ChurnlensConfig


def test_lift_capture_and_calibration_by_hand():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    s = np.arange(10, 0, -1, dtype=float)  # customer 0 ranked first
    lift, cap = lift_at(y, s, 0.2)  # top 2 are both churners: rate 1 vs base 0.3
    assert lift == pytest.approx(1 / 0.3) and cap == pytest.approx(2 / 3)
    p = np.array([0.1, 0.1, 0.9, 0.9])
    assert calibration_error(np.array([0, 0, 1, 1]), p, 2) == pytest.approx(0.1)
    m = score_metrics(y, s, False, [0.2], 5)
    assert np.isnan(m["brier"]) and m["lift_top20"] == pytest.approx(1 / 0.3)
    rep = threshold_report(y, s / 10, 0.2).set_index("rule")
    assert rep.loc["top_20pct", "tp"] == 2 and rep.loc["top_20pct", "fp"] == 0


def test_expected_profit_threshold_by_hand():
    """Keeping a churner is worth half their value, a contact costs 10. Contacting the top 1,
    2, 3, 4, 5 customers earns 40, 35, 25, 15, 55: the last churner is worth reaching."""
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([0.9, 0.8, 0.7, 0.3, 0.2])
    value = np.array([100.0, 10.0, 50.0, 50.0, 100.0])
    rep = threshold_report(y, p, 0.2, value, save_rate=0.5, contact_cost=10.0).set_index("rule")
    assert rep.loc["best_profit", "threshold"] == 0.2
    assert rep.loc["best_profit", "expected_profit"] == pytest.approx(55.0)
    assert rep.loc["p_0.5", "expected_profit"] == pytest.approx(25.0)
    assert rep.loc["top_20pct", "expected_profit"] == pytest.approx(40.0)  # the top 1 of 5
    # contacts that cost more than any churner is worth: contact nobody
    rep = threshold_report(y, p, 0.2, value, save_rate=0.5, contact_cost=60.0).set_index("rule")
    assert rep.loc["best_profit", "contacted_share"] == 0 and rep.loc["best_profit", "expected_profit"] == 0
    # ties go together: a threshold cannot split customers with the same probability
    # (top 2 would earn 80 if the tie at 0.5 could be split; all 3 at 0.5 earn 70, all 4 earn 75)
    y4, p4, v4 = np.array([1, 1, 0, 1]), np.array([0.9, 0.5, 0.5, 0.1]), np.array([100.0, 100.0, 0.0, 30.0])
    tied = threshold_report(y4, p4, 0.25, v4, 0.5, 10.0).set_index("rule")
    assert tied.loc["best_profit", "threshold"] == 0.1
    assert tied.loc["best_profit", "expected_profit"] == pytest.approx(75.0)
    # without prices there is no profit rule
    assert "best_profit" not in threshold_report(y, p, 0.2, np.full(5, np.nan)).rule.tolist()
    assert "expected_profit" not in threshold_report(y, p, 0.2).columns
    # the default cost of a contact is a share of the median known order value, in any currency
    assert contact_cost(np.array([10.0, 20.0, np.nan, 40.0]), 0.1) == pytest.approx(2.0)
    assert contact_cost(np.full(3, np.nan), 0.1) == 0.0 and contact_cost(None, 0.1) == 0.0


def test_prep_keeps_a_real_other_level_and_maps_unseen_levels():
    X = pd.DataFrame({"region": ["other", "north", "north", None], "frequency": [1.0, 2.0, np.nan, 4.0]})
    prep = Prep().fit(X)
    assert prep.levels_["region"] == ["north", "other", OTHER]
    out = prep.native(pd.DataFrame({"region": ["south", "other"], "frequency": [1.0, 2.0]}))
    assert list(out["region"].astype(str)) == [OTHER, "other"]
    dense, names = prep.dense(X)
    assert "frequency__missing" in names and not np.isnan(dense).any()


def test_prep_categories_keep_missing_values_and_compare_numbers_as_text():
    X = pd.DataFrame({"region": ["north", "east", None, "north"], "device_type": [1.0, 2.0, 1.0, np.nan]})
    prep = Prep().fit(X)
    assert prep.levels_["device_type"] == ["1.0", "2.0", OTHER]
    new = pd.DataFrame(
        {
            "region": pd.array(["east", None, "west", "north", None], dtype="string"),
            "device_type": [2.0, np.nan, 3.0, 1.0, 1.0],
        }
    )
    out = prep.native(new)
    assert out["region"].tolist() == ["east", np.nan, OTHER, "north", np.nan]
    assert out["device_type"].tolist() == ["2.0", np.nan, OTHER, "1.0", "1.0"]
    assert list(out["region"].cat.categories) == ["east", "north", OTHER]
    # a column the rows lack is missing on every row, still with the learned levels
    absent = prep.native(new.drop(columns=["region"]))["region"]
    assert absent.isna().all() and list(absent.cat.categories) == ["east", "north", OTHER]


def test_model_contributions_sum_to_log_odds():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"recency_days": rng.uniform(0, 100, 400), "gender": rng.choice(["F", "M"], 400)})
    y = (X["recency_days"] + rng.normal(0, 20, 400) > 50).astype(int).to_numpy()
    m = ChurnModel("lightgbm", {"n_estimators": 30}, calibration="none", n_jobs=2).fit(X, y)
    contrib = m.contributions(X)
    assert list(contrib.columns) == ["recency_days", "gender"]
    raw = m.estimator_.predict(m.prep_.native(X), raw_score=True)
    bias = np.asarray(m.estimator_.predict(m.prep_.native(X), pred_contrib=True))[:, -1]
    np.testing.assert_allclose(contrib.sum(axis=1) + bias, raw, atol=1e-9)
    for strategy in ("class_weight", "oversample", "smote", "undersample"):
        p = (
            ChurnModel("lightgbm", {"n_estimators": 20}, strategy, "none", n_jobs=2)
            .fit(X, y)
            .predict_proba(X)
        )
        assert p.shape == (400,) and ((p >= 0) & (p <= 1)).all()


def test_reason_sentences_with_the_customers_values():
    row = pd.Series({"recency_days": 41.2, "recency_over_mean": 2.31, "orders_90d": 0.0, "gender": "F"})
    en, ko = sentence("recency_days", row)
    assert en == "41 days since the last order, 2.3 times the usual interval"
    assert ko == "마지막 주문 후 41일 경과 (평소 주기의 2.3배)"
    assert sentence("orders_90d", row) == ("0 orders in the last 90 days", "최근 90일간 주문 0회")
    contrib = pd.DataFrame({"recency_days": [0.9], "recency_over_mean": [0.5], "gender": [-0.2]})
    why = explain(contrib, pd.DataFrame([row]), 3)
    # recency and its ratio make one sentence; a factor lowering the risk is not a reason
    assert why["reasons"].iloc[0] == "41 days since the last order, 2.3 times the usual interval"
    assert why["top_factors"].iloc[0] == "recency_days,recency_over_mean"


def test_feature_docs_cover_every_built_feature():
    assert describe("orders_90d")[1] == "paid orders in the last 90 days"
    assert describe("spend_trend_30_90d")[1] == "spend rate of the last 30 days / rate of the last 90"
    t = feature_table(["recency_days", "gender"])
    assert list(t.columns) == ["feature", "group", "description", "label_ko"]


def test_training_rows_are_capped_by_a_seeded_sample_and_calibration_rows_stay_whole():
    rng = np.random.default_rng(3)
    n = 900  # 300 customers at each of three cohorts (next-gap: cohort 1 calibrates)
    data = pd.DataFrame(
        {
            "customer_id": [f"c{i % 300}" for i in range(n)],
            "cutoff": pd.Timestamp("2024-01-01"),
            "cohort": np.repeat([1, 2, 3], 300),
            "recency_days": rng.uniform(0, 100, n),
        }
    )
    data["churned"] = (data["recency_days"] + rng.normal(0, 25, n) > 50).astype(float)
    frame = ChurnFrame(data, NEXT_GAP, {})
    cfg = ChurnlensConfig()
    cfg.churn.n_estimators, cfg.churn.min_child_samples = 20, 10
    cfg.churn.train_max_rows = 250
    model, info = fit_churn_model(frame, [1, 2, 3], cfg, tune=False)
    assert info.validation_cohort == 1 and info.train_cohorts == [1, 2, 3]
    assert model.n_train_ == 250 + 300  # the sample of cohorts 2-3 refitted with cohort 1 whole
    X = data.drop(columns=["customer_id", "cutoff", "cohort", "churned"])
    y = data["churned"].to_numpy(int)
    a, ya = at_most(X, y, 250, 42)
    b, _ = at_most(X, y, 250, 42)
    assert len(a) == 250 and a.index.equals(b.index) and a.index.is_monotonic_increasing
    assert (ya == y[a.index]).all()
    assert at_most(X, y, 0, 42)[0] is X and at_most(X, y, n, 42)[0] is X
    cfg.churn.train_max_rows = 0
    assert fit_churn_model(frame, [1, 2, 3], cfg, tune=False)[0].n_train_ == n


def test_scores_level_follows_the_rate_trend_without_changing_the_ranking():
    """Calendar cohorts whose churn rate falls by 0.05 per step (cohort 1 newest): the rate's
    trend, fitted on the latest four, is -0.05 per step; the model that scores cohort 0
    averages its calibrated model's level there (before the refit) less 0.05, with the very
    ranking of the model without that shift."""
    rng = np.random.default_rng(3)
    cohorts, size = [0, 1, 2, 3, 4, 5], 400
    parts = []
    for k in cohorts:
        x = rng.uniform(0, 100, size)
        rate = 0.45 + 0.05 * k if k else np.nan
        p = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + (x - 50) / 20))) if k else np.full(size, np.nan)
        churned = (rng.uniform(size=size) < p).astype(float) if k else np.full(size, np.nan)
        parts.append(
            pd.DataFrame(
                {"customer_id": [f"c{i}" for i in range(size)], "cohort": k, "x": x, "churned": churned}
            )
        )
    data = pd.concat(parts, ignore_index=True)
    data["cutoff"] = pd.Timestamp("2024-06-01") - pd.to_timedelta(data["cohort"] * 30, unit="D")
    data.loc[data["cohort"] == 5, "churned"] = (
        1.0 - data.loc[data["cohort"] == 5, "churned"]
    )  # older than the four
    rates = data[data["cohort"] > 0].groupby("cohort")["churned"].mean()
    latest = rates.loc[[1, 2, 3, 4]]
    k = latest.index.to_numpy(float)
    slope = -((k - k.mean()) * (latest - latest.mean())).sum() / ((k - k.mean()) ** 2).sum()
    assert rate_trend(rates, 4) == pytest.approx(slope) and slope == pytest.approx(-0.05, abs=0.02)
    assert rate_trend(rates, 1) == 0.0 and rate_trend(rates.loc[[1]], 4) == 0.0
    cfg = ChurnlensConfig()
    cfg.churn.n_estimators, cfg.churn.min_child_samples = 30, 20
    frame = ChurnFrame(data, WINDOW, {})
    assert level_drift(frame, [1, 2, 3, 4, 5], 1, 0, cfg) == pytest.approx(slope)
    assert level_drift(ChurnFrame(data, NEXT_GAP, {}), [1, 2, 3, 4, 5], 1, 0, cfg) == 0.0
    shifted_model, _ = fit_churn_model(frame, [1, 2, 3, 4, 5], cfg, tune=False, target=0)
    plain, _ = fit_churn_model(frame, [1, 2, 3, 4, 5], cfg, tune=False)
    now = data[data["cohort"] == 0][["x"]]
    X, y = data[data["cohort"].between(2, 5)][["x"]], data[data["cohort"].between(2, 5)]["churned"]
    Xv, yv = data[data["cohort"] == 1][["x"]], data[data["cohort"] == 1]["churned"]
    before_refit = ChurnModel("lightgbm", shifted_model.params).fit(X, y, Xv, yv)
    expected = before_refit.predict_proba(now).mean() + slope
    assert shifted_model.predict_proba(now).mean() == pytest.approx(expected, abs=1e-6)
    assert plain.level_shift_ == 0.0 and shifted_model.level_shift_ != 0.0
    a, b = shifted_model.predict_proba(now), plain.predict_proba(now)
    assert (np.argsort(a, kind="stable") == np.argsort(b, kind="stable")).all()
    # the offset that makes scores average a rate, checked by its definition
    p = rng.uniform(0.05, 0.95, 200)
    z = np.log(p / (1 - p)) + logit_shift(p, 0.3)
    assert (1 / (1 + np.exp(-z))).mean() == pytest.approx(0.3, abs=1e-9)
