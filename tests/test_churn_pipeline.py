"""The churn stage in the pipeline, saved models, re-scoring, and the train / score / backtest
commands, on a small generated shop."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_churn_features import small_shop
from test_churn_labels import make_warehouse, order_rows

from churnlens import pipeline
from churnlens.churn import persistence, stage
from churnlens.churn.significance import scorer
from churnlens.config import ChurnlensConfig
from churnlens.warehouse import Warehouse

FAST = {
    "churn.n_trials": 2,
    "churn.n_estimators": 60,
    "churn.training_cutoffs": 3,
    "churn.backtest_folds": 1,
    "churn.models": '["lightgbm", "logistic"]',
    "churn.imbalance_strategies": '["none", "smote"]',
    "churn.compare": "full",
}


def fast_config() -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    for k, v in FAST.items():
        cfg.set(k, v)
    return cfg


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("churn") / "shop.duckdb"
    shop = small_shop(300, seed=3)
    wh = make_warehouse(shop, path)
    ids = [c["customer_id"] for c in shop["customers"]]
    value = pd.DataFrame(
        {
            "customer_id": ids,
            "p_alive": 0.5,
            "expected_purchases_90d": 1.5,
            "expected_spend": 10.0,
            "clv_12m": np.arange(len(ids), dtype=float),
        }
    )
    wh.write("customer_value", value)
    cfg = fast_config()
    report = pipeline.run(wh, cfg, only=["churn"])
    yield wh, cfg, report
    wh.close()


def test_stage_writes_every_table(shop_db):
    wh, _, report = shop_db
    for name in (
        "customer_scores",
        "churn_model_metrics",
        "churn_curves",
        "churn_backtest",
        "churn_model_report",
        "churn_feature_importance",
        "churn_imbalance_comparison",
        "churn_model_comparison",
        "churn_monthly_labels",
        "churn_status",
    ):
        assert report.written.get(name, 0) > 0, name
    scores = wh.to_pandas("customer_scores")
    assert list(scores.columns[:8]) == [
        "customer_id",
        "cutoff",
        "churn_probability",
        "risk_band",
        "reasons",
        "reasons_ko",
        "top_factors",
        "model_version",
    ]
    assert scores["customer_id"].is_unique
    assert scores["churn_probability"].between(0, 1).all()
    assert set(scores["risk_band"]) <= {"low", "medium", "high"}
    assert scores["reasons"].str.len().gt(0).mean() > 0.9
    assert wh.to_pandas("churn_status")["status"].iloc[0] == "ok"
    # the customer value columns are joined in when table customer_value exists
    assert {"p_alive", "expected_purchases_90d", "expected_spend", "clv_12m"} <= set(scores.columns)
    assert (scores["clv_12m"] == scores["customer_id"].str[1:].astype(int)).all()
    # when, not only whether: the timing of the next order agrees with the 25-day score
    p7, p14, p30 = (scores[f"p_order_{h}d"] for h in (7, 14, 30))
    assert p7.notna().all() and ((p7 <= p14) & (p14 <= p30)).all()
    stay = 1 - scores["churn_probability"]
    assert ((p14 <= stay + 1e-9) & (stay <= p30 + 1e-9)).all()
    assert scores["expected_days_to_next_order"].between(0, 365).all()


def test_metrics_are_computed_and_consistent(shop_db):
    wh, _, _ = shop_db
    bt = wh.to_pandas("churn_backtest")
    assert {"lightgbm", "logistic", "recency_rule", "cycle_rule"} <= set(bt["model"])
    m = wh.to_pandas("churn_model_metrics")
    row = bt[bt["model"] == "lightgbm"].iloc[0]
    auc = m[(m["model"] == "lightgbm") & (m["metric"] == "roc_auc")]["value"].iloc[0]
    assert auc == pytest.approx(row["roc_auc"])
    assert 0.5 < auc <= 1
    curves = wh.to_pandas("churn_curves")
    assert {"roc", "pr", "gains", "calibration"} <= set(curves[curves["model"] == "lightgbm"]["curve"])
    roc = curves[(curves["model"] == "lightgbm") & (curves["curve"] == "roc")].sort_values("point")
    assert np.trapezoid(roc["y"], roc["x"]) == pytest.approx(auc, abs=0.02)
    imb = wh.to_pandas("churn_imbalance_comparison")
    assert list(imb["strategy"]) == ["none", "smote"]
    rep = wh.to_pandas("churn_model_report")
    lg = rep[rep["model"] == "lightgbm"]
    assert (lg["tp"] + lg["fp"] + lg["tn"] + lg["fn"] == row["n"]).all()


def test_saved_model_rescores_identically(shop_db):
    wh, cfg, _ = shop_db
    first = wh.to_pandas("customer_scores")
    root = persistence.models_dir(wh)
    version = (root / persistence.LATEST).read_text().strip()
    assert (root / version / "model.txt").exists()
    meta = json.loads((root / version / "metadata.json").read_text())
    assert meta["label_mode"] == "window" and meta["window_days"] == 25
    again = stage.score(wh, cfg)
    pd.testing.assert_series_equal(
        first.set_index("customer_id")["churn_probability"].sort_index(),
        again.set_index("customer_id")["churn_probability"].sort_index(),
    )


def test_short_history_is_reported_not_raised(tmp_path):
    wh = make_warehouse({"orders": order_rows({"a": ["2020-01-01"], "b": ["2020-01-03"]})})
    report = pipeline.run(wh, fast_config(), only=["churn"])
    assert "history" in report.skipped["churn"]
    assert "customer_scores" not in report.written


def test_cli_train_score_backtest(tmp_path):
    from typer.testing import CliRunner

    from churnlens.cli import app

    db = tmp_path / "cli.duckdb"
    make_warehouse(small_shop(150, seed=4), db).close()
    quick = {**FAST, "churn.n_trials": 0, "churn.models": '["lightgbm"]', "churn.imbalance_strategies": "[]"}
    sets = [x for k, v in quick.items() for x in ("--set", f"{k}={v}")]
    runner = CliRunner()
    r = runner.invoke(app, ["train", "--db", str(db), *sets])
    assert r.exit_code == 0, r.output
    assert "saved churn model" in r.output
    r = runner.invoke(app, ["score", "--db", str(db), *sets])
    assert r.exit_code == 0, r.output
    assert "scored" in r.output
    strategies = ["--set", 'churn.imbalance_strategies=["none", "class_weight"]']
    r = runner.invoke(app, ["backtest", "--db", str(db), *sets, *strategies])
    assert r.exit_code == 0, r.output
    assert "class imbalance" in r.output and "class_weight" in r.output
    # the verdict on the held-out cutoff in plain words
    assert "simple alternative" in " ".join(r.output.split()) and "interval" in r.output
    with Warehouse(db, read_only=True) as wh:
        assert {"lightgbm", "recency_rule"} <= set(wh.to_pandas("churn_backtest")["model"])
        assert len(wh.to_pandas("customer_scores")) > 0


def test_production_run_keeps_the_last_full_comparison(tmp_path):
    """A production run backtests the scoring model against the baselines only, untuned, and
    leaves the dated tables of the last full comparison as they were."""
    from churnlens.errors import DataError

    wh = make_warehouse(small_shop(200, seed=5), tmp_path / "p.duckdb")
    cfg = fast_config()
    pipeline.run(wh, cfg, only=["churn"])
    full_models = set(wh.to_pandas("churn_backtest")["model"])
    assert {"lightgbm", "logistic"} <= full_models
    compared = wh.to_pandas("churn_model_comparison")
    imb = wh.to_pandas("churn_imbalance_comparison")
    assert compared["computed_at"].nunique() == 1 and (imb["computed_at"] == compared["computed_at"][0]).all()
    cfg.set("churn.compare", "production")
    report = pipeline.run(wh, cfg, only=["churn"])
    assert "churn_model_comparison" not in report.written
    assert "churn_imbalance_comparison" not in report.written
    bt = wh.to_pandas("churn_backtest")
    assert "logistic" not in set(bt["model"]) and {"lightgbm", "recency_rule", "cycle_rule"} <= set(bt["model"])
    # the paired interval of (model - best baseline) on the held-out cutoff
    row = bt[bt["model"] == "lightgbm"].iloc[0]
    baselines = bt[bt["kind"] == "baseline"].set_index("model")["roc_auc"]
    assert row["best_baseline"] == baselines.idxmax()
    assert row["auc_vs_best"] == pytest.approx(row["roc_auc"] - baselines.max())
    assert row["auc_vs_best_low"] <= row["auc_vs_best"] <= row["auc_vs_best_high"]
    assert row["measurably_better"] == (row["auc_vs_best_low"] > 0)
    scores = wh.to_pandas("customer_scores")
    assert set(scores["scored_by"]) == {scorer(bt, cfg.churn)}
    pd.testing.assert_frame_equal(wh.to_pandas("churn_model_comparison"), compared)
    pd.testing.assert_frame_equal(wh.to_pandas("churn_imbalance_comparison"), imb)
    version = wh.to_pandas("churn_status")["model_version"][0]
    meta = json.loads((persistence.models_dir(wh) / version / "metadata.json").read_text())
    assert np.isnan(meta["validation_roc_auc_tuning"])  # no Optuna in a production run
    with pytest.raises(DataError, match="compare"):  # refused when set
        cfg.set("churn.compare", "everything")
    cfg.churn.compare = "everything"  # and, set on the object directly, before any work
    with pytest.raises(DataError, match="compare"):
        stage.churn_stage(wh, cfg)
    wh.close()
