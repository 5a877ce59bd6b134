"""The churn stage and the ``train`` / ``score`` / ``backtest`` commands, as plain functions.

- `train(wh, cfg)`: labels and features of the training cutoffs, the tuned and calibrated
  LightGBM model saved beside the warehouse (`persistence`), its feature importance.
- `score(wh, cfg)`: re-scores today's customers with a saved model -> ``customer_scores``.
- `run_backtest(wh, cfg)`: the time-ordered backtest -> ``churn_backtest``,
  ``churn_model_metrics``, ``churn_curves``, ``churn_model_report``,
  ``churn_imbalance_comparison``.
- `churn_stage(wh, cfg)`: all of it for the pipeline (one feature build) with the window
  `churnlens.churn.window` picks for the shop (table ``churn_window``), plus
  ``churn_monthly_labels`` on calendar shops.

Table columns are documented in `churnlens.churn`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from churnlens.churn import persistence
from churnlens.churn.backtest import backtest, fit_churn_model, full_comparison, usable_cohorts
from churnlens.churn.dataset import (
    WINDOW,
    ChurnFrame,
    build_frame,
    shop_tables,
    train_cohorts,
    window_days,
)
from churnlens.churn.feature_docs import feature_table
from churnlens.churn.labels import monthly_labels
from churnlens.churn.next_order import next_order
from churnlens.churn.scoring import mean_abs_contribution, score_rows
from churnlens.churn.significance import scorer
from churnlens.churn.verdict import PRODUCTION
from churnlens.churn.window import resolve
from churnlens.config import ChurnlensConfig
from churnlens.errors import ModelError, StageSkipped

Progress = Callable[[str], None]


def _quiet(_m: str) -> None:
    return None


def _customer_value(wh) -> pd.DataFrame | None:
    return wh.to_pandas("customer_value") if wh.has("customer_value") else None


def train(
    wh, cfg: ChurnlensConfig, frame: ChurnFrame | None = None, progress: Progress = _quiet
) -> dict[str, Any]:
    """Fit and save the scoring model; returns model, metadata, frame and importance table."""
    from churnlens.provenance import versions

    progress("churn features")
    frame = frame or build_frame(wh, cfg)
    cohorts = train_cohorts(0, usable_cohorts(frame, cfg), frame.mode, cfg)
    progress("training")
    model, info = fit_churn_model(frame, cohorts, cfg, tune=full_comparison(cfg), target=0)
    version = persistence.new_version()
    cut = {k: (v.isoformat() if v is not None else None) for k, v in frame.cohort_cutoffs.items()}
    meta = {
        "model_version": version,
        "kind": model.kind,
        "label_mode": frame.mode,
        "window_days": window_days(frame.mode, cfg),
        "features": model.prep_.features_,
        "params": info.params,
        "imbalance": model.imbalance,
        "calibration": model.calibration if model.calibrator_ is not None else "none",
        "level_shift": model.level_shift_ if model.calibrator_ is not None else 0.0,
        "train_cohorts": info.train_cohorts,
        "train_cutoffs": [cut.get(k) for k in info.train_cohorts],
        "validation_cohort": info.validation_cohort,
        "validation_roc_auc_tuning": info.validation_auc,
        "n_train": model.n_train_,
        "train_churn_share": model.positive_share_,
        "config": cfg.churn.__dict__,
        "versions": versions(),
    }
    persistence.save(model, meta, persistence.models_dir(wh))
    now = frame.data[frame.data["cohort"] == 0]
    imp = model.importance()
    contrib = mean_abs_contribution(model, now, cfg.churn)
    imp["mean_abs_contribution"] = imp["feature"].map(contrib).astype(float)
    imp = feature_table(imp["feature"].tolist()).merge(imp, on="feature")
    imp.insert(0, "model_version", version)
    imp = imp.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
    return {"model": model, "meta": meta, "frame": frame, "churn_feature_importance": imp}


def score(
    wh,
    cfg: ChurnlensConfig,
    version: str | None = None,
    frame: ChurnFrame | None = None,
    progress: Progress = _quiet,
) -> pd.DataFrame:
    """``customer_scores`` of today's customers with a saved model (latest unless ``version``).
    When the backtest found the model not measurably better than a simpler one (metadata
    ``scored_by``, e.g. ``bgnbd``), that one's probabilities are the scores; the model's
    factors are still the reasons."""
    model, meta = persistence.load(persistence.models_dir(wh), version)
    progress("scoring features")
    frame = frame or build_frame(wh, cfg, cohorts=0, scoring=True)
    if frame.mode != meta["label_mode"]:
        raise ModelError(
            f"The saved model predicts {meta['label_mode']} labels but this shop uses {frame.mode} labels; "
            "train a model on this shop first."
        )
    now = frame.data[frame.data["cohort"] == 0]
    scored_by = meta.get("scored_by", PRODUCTION)
    column = {"bgnbd": "bgnbd_churn"}.get(scored_by)
    override = (scored_by, now[column].to_numpy(float)) if column in now else None
    out = score_rows(model, now, meta["model_version"], cfg.churn, _customer_value(wh), override)
    # when, not only whether: timing of the next order consistent with the score
    p = out.set_index("customer_id")["churn_probability"].reindex(now["customer_id"].astype(str))
    timing = next_order(now, frame.gaps, p.to_numpy(float), float(meta["window_days"]), cfg.churn)
    return out.merge(timing, on="customer_id", how="left")


def run_backtest(
    wh,
    cfg: ChurnlensConfig,
    frame: ChurnFrame | None = None,
    progress: Progress = _quiet,
    full: bool = True,
) -> dict[str, pd.DataFrame]:
    """The backtest result tables. With ``full`` (the ``backtest`` command) every compared
    model, Optuna and the imbalance strategies too: their results, dated (``computed_at``),
    go to ``churn_model_comparison`` and ``churn_imbalance_comparison``, which a production
    run leaves as they are."""
    frame = frame or build_frame(wh, cfg)
    r = backtest(frame, cfg, progress, full=full)
    out = {
        "churn_backtest": r.table,
        "churn_model_metrics": r.metrics,
        "churn_curves": r.curves,
        "churn_model_report": r.report,
    }
    if full:
        now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
        out["churn_model_comparison"] = r.table.assign(computed_at=now)
        if not r.imbalance.empty:
            out["churn_imbalance_comparison"] = r.imbalance.assign(computed_at=now)
    return out


def churn_stage(
    wh, cfg: ChurnlensConfig, progress: Progress = _quiet, skip_on_short_history: bool = False
) -> dict[str, Any]:
    """Pipeline stage: train, score and backtest on one feature build.

    Table ``churn_status`` (status, model_version) records the run. With
    ``skip_on_short_history`` a shop too short to label raises `StageSkipped` with the reason,
    which the pipeline reports as a skipped stage.
    """
    try:
        out = _churn_tables(wh, cfg, progress)
    except ModelError as exc:
        if not skip_on_short_history:
            raise
        raise StageSkipped(str(exc)) from exc
    version = out["customer_scores"]["model_version"].iloc[0] if len(out["customer_scores"]) else ""
    out["churn_status"] = pd.DataFrame([{"status": "ok", "reason": "", "model_version": version}])
    return out


def _churn_tables(wh, cfg: ChurnlensConfig, progress: Progress) -> dict[str, Any]:
    full = full_comparison(cfg)  # a wrong setting fails before any work
    cfg, chosen = resolve(wh, cfg)
    frame = build_frame(wh, cfg)
    trained = train(wh, cfg, frame, progress)
    out: dict[str, Any] = run_backtest(wh, cfg, frame, progress, full=full)
    # the simplest model not measurably worse scores the customers (`significance.scorer`)
    version = trained["meta"]["model_version"]
    persistence.record(
        persistence.models_dir(wh), version, scored_by=scorer(out["churn_backtest"], cfg.churn)
    )
    out["customer_scores"] = score(wh, cfg, version, frame)
    out["churn_feature_importance"] = trained["churn_feature_importance"]
    out["churn_window"] = chosen
    if frame.mode == WINDOW:
        c = cfg.churn
        out["churn_monthly_labels"] = monthly_labels(shop_tables(wh).orders, c.window_days, c.lookback_days)
    return {k: v for k, v in out.items() if not (isinstance(v, pd.DataFrame) and v.empty)}
