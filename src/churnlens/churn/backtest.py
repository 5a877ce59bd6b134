"""Training and time-ordered backtests on a `ChurnFrame`.

`fit_churn_model` fits the scoring model (LightGBM) on training cohorts: Optuna tunes it and
the calibrator is fitted on the latest training cohort (a later cutoff than the rest), then the
model is refitted on all of them; a model fits at most ``ChurnConfig.train_max_rows`` training
rows (a seeded sample beyond that; the calibration cohort whole). Given the cohort it will score,
its calibrated scores there average the rate the calibrated model expects, carried forward by
the observed churn rate's recent trend on calendar shops (``ChurnConfig.rate_trend_cutoffs``,
`churnlens.churn.base_rate`). `backtest` repeats that for each held-out cohort k
(``ChurnConfig.backtest_folds``, latest first) using only cohorts whose labels were known at
k's cutoff, and scores every model and baseline on k's labels, which no model saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.churn.base_rate import rate_trend
from churnlens.churn.baselines import baseline_scores, rule_flags
from churnlens.churn.dataset import WINDOW, ChurnFrame, train_cohorts, window_days
from churnlens.churn.metrics import confusion_row, curves, known_values, score_metrics, threshold_report
from churnlens.churn.models import ChurnModel, lightgbm_params
from churnlens.churn.significance import interval_columns
from churnlens.churn.tuning import tune_lightgbm
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError, ModelError

ID_COLUMNS = ["customer_id", "cutoff", "cohort", "churned"]
#: ROC AUC an imbalance strategy must add over training as is to count as helping.
IMBALANCE_MARGIN = 0.005


COMPARE = ("production", "full")


def full_comparison(cfg: ChurnlensConfig) -> bool:
    """Whether ``churn.compare`` asks for the full comparison (a clear error for other values)."""
    mode = cfg.churn.compare
    if mode not in COMPARE:
        raise DataError(
            f"Unknown churn comparison '{mode}'.",
            file="config [churn] compare",
            values=[mode],
            fix='Use compare = "production" (the scoring model against the baselines) or "full".',
        )
    return mode == "full"


def xy(data: pd.DataFrame, cohorts: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    rows = data[data["cohort"].isin(cohorts) & data["churned"].notna()]
    return rows.drop(columns=ID_COLUMNS), rows["churned"].to_numpy(dtype=int)


def at_most(X: pd.DataFrame, y: np.ndarray, rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A seeded random sample of ``rows`` of the training rows (all of them when there are not
    more, or ``rows`` is 0), in their original order."""
    if rows <= 0 or len(y) <= rows:
        return X, y
    keep = np.sort(np.random.default_rng(seed).choice(len(y), rows, replace=False))
    return X.iloc[keep], y[keep]


def usable_cohorts(frame: ChurnFrame, cfg: ChurnlensConfig) -> list[int]:
    """Labelled cohorts with at least ``min_class_rows`` rows of each class."""
    d = frame.data[frame.data["cohort"] > 0]
    counts = d.groupby("cohort")["churned"].agg(["sum", "count"])
    m = cfg.churn.min_class_rows
    ok = counts[(counts["sum"] >= m) & (counts["count"] - counts["sum"] >= m)]
    return sorted(int(k) for k in ok.index)


def level_drift(frame: ChurnFrame, cohorts: list[int], val: int, target: int, cfg: ChurnlensConfig) -> float:
    """The churn rate's change from the calibration cohort ``val`` to ``target`` that its recent
    trend over the training ``cohorts`` predicts (calendar shops; 0 in next-gap mode, whose
    cohorts are each customer's own orders, not dates)."""
    if frame.mode != WINDOW:
        return 0.0
    d = frame.data[frame.data["cohort"].isin(cohorts)]
    rates = d.groupby("cohort")["churned"].mean()
    return rate_trend(rates, cfg.churn.rate_trend_cutoffs) * (val - target)


@dataclass
class FitInfo:
    train_cohorts: list[int]
    validation_cohort: int | None
    params: dict[str, Any]
    validation_auc: float
    extra: dict[str, Any] = field(default_factory=dict)


def fit_churn_model(
    frame: ChurnFrame,
    cohorts: list[int],
    cfg: ChurnlensConfig,
    kind: str = "lightgbm",
    params: dict[str, Any] | None = None,
    tune: bool = True,
    imbalance: str | None = None,
    target: int | None = None,
) -> tuple[ChurnModel, FitInfo]:
    """Fit one model on ``cohorts``: tune and calibrate on the latest, refit on all; with
    ``target`` (the cohort the model will score: its features, never its labels) the scores'
    level is set for that cohort."""
    c = cfg.churn
    if not cohorts:
        raise ModelError(
            "No labelled cutoff is available for training; the shop's history is too short "
            "for the window and cutoff step.",
        )
    val = min(cohorts)
    inner = [k for k in train_cohorts(val, cohorts, frame.mode, cfg) if k in cohorts]
    params = dict(params or lightgbm_params(c))
    if kind == "random_forest":
        params["forest_trees"] = c.forest_trees
    imbalance = c.imbalance if imbalance is None else imbalance
    model = ChurnModel(kind, params, imbalance, c.calibration, n_jobs=c.n_jobs, random_state=c.random_state)
    if not inner:  # one cohort: no validation, no tuning, no calibration
        X, y = at_most(*xy(frame.data, cohorts), c.train_max_rows, c.random_state)
        model.calibration = "none"
        return model.fit(X, y), FitInfo(cohorts, None, params, float("nan"))
    X, y = at_most(*xy(frame.data, inner), c.train_max_rows, c.random_state)
    Xv, yv = xy(frame.data, [val])
    auc = float("nan")
    if tune and kind == "lightgbm" and c.n_trials > 0:
        params, auc = tune_lightgbm(X, y, Xv, yv, params, c.n_trials, imbalance, c.n_jobs, c.random_state)
        model.params = params
    Xs, drift = None, 0.0
    if target is not None:
        Xs = frame.data[frame.data["cohort"] == target].drop(columns=ID_COLUMNS)
        drift = level_drift(frame, cohorts, val, target, cfg)
    model.fit(X, y, Xv, yv, refit_on_all=True, X_target=Xs, drift=drift)
    return model, FitInfo(sorted(inner + [val]), val, params, auc)


@dataclass
class BacktestResult:
    metrics: pd.DataFrame  # model, kind, split, cohort, cutoff, metric, value
    table: pd.DataFrame  # one row per (model, cohort) with every metric
    curves: pd.DataFrame  # model, cohort, cutoff, curve, point, x, y
    imbalance: pd.DataFrame  # strategy, cohort, metrics
    report: pd.DataFrame  # model, cohort, rule, threshold, confusion matrix, precision/recall/F1


def _cutoff_label(frame: ChurnFrame, cohort: int) -> str:
    cut = frame.cohort_cutoffs.get(cohort)
    return cut.isoformat() if cut is not None else f"order -{cohort}"


def backtest(
    frame: ChurnFrame, cfg: ChurnlensConfig, progress=None, full: bool | None = None
) -> BacktestResult:
    """Time-ordered backtest of the scoring model and every baseline; with ``full`` (default:
    ``churn.compare == "full"``) also every model in ``ChurnConfig.models``, Optuna tuning and
    the imbalance strategies."""
    c = cfg.churn
    full = full_comparison(cfg) if full is None else full
    kinds = list(dict.fromkeys(["lightgbm", *c.models])) if full else ["lightgbm"]
    progress = progress or (lambda _m: None)
    available = usable_cohorts(frame, cfg)
    W = window_days(frame.mode, cfg)
    rows, tables, curve_parts, imb_parts, reports = [], [], [], [], []
    folds = [k for k in sorted(available)[: c.backtest_folds]]
    for fold, test in enumerate(folds):
        train = train_cohorts(test, available, frame.mode, cfg)
        if not train:
            continue
        Xt, yt = xy(frame.data, [test])
        # what keeping a churner is worth: their average order value (shops with prices)
        value = Xt[c.profit_value].to_numpy(float) if c.profit_value in Xt else None
        cost = contact_cost(value, c.profit_contact_cost_share)
        cutoff = _cutoff_label(frame, test)
        scored: dict[str, tuple[np.ndarray, bool, str]] = {}
        params = None
        for kind in kinds:
            progress(f"backtest {cutoff}: {kind}")
            model, info = fit_churn_model(frame, train, cfg, kind, tune=full, target=test)
            raw = model.raw_proba(Xt)
            if kind == "lightgbm":
                params = info.params
                scored["lightgbm_uncalibrated"] = (raw, True, "model")
            scored[kind] = (model.calibrate(raw), True, "model")
        for name, (s, prob) in baseline_scores(Xt, frame.mode, W, c.cycle_multiple).items():
            scored[name] = (s, prob, "baseline")
        fold_metrics = {
            name: score_metrics(yt, s, prob, list(c.top_shares), c.calibration_bins)
            for name, (s, prob, _) in scored.items()
        }
        extra = interval_columns(yt, scored, {n: m["roc_auc"] for n, m in fold_metrics.items()}, c)
        for name, (s, prob, kind) in scored.items():
            m = fold_metrics[name]
            meta = {"model": name, "kind": kind, "cohort": test, "cutoff": cutoff}
            tables.append({**meta, "train_cohorts": ",".join(map(str, train)), **m, **extra.get(name, {})})
            rows += [{**meta, "split": "backtest", "metric": k, "value": v} for k, v in m.items()]
            cv = curves(yt, s, prob, c.curve_points, c.calibration_bins)
            curve_parts.append(cv.assign(**meta))
            if prob:
                report = threshold_report(yt, s, c.contact_share, value, c.profit_save_rate, cost)
                reports.append(report.assign(**meta))
        for name, flag in rule_flags(Xt, frame.mode, W, c.cycle_multiple).items():
            report = _rule_report(yt, flag, value, c.profit_save_rate, cost)
            reports.append(report.assign(model=name, kind="baseline", cohort=test, cutoff=cutoff))
        if full and fold == 0 and c.imbalance_strategies:
            imb_parts.append(
                imbalance_comparison(frame, train, test, cfg, params, progress).assign(cutoff=cutoff)
            )
    if not tables:
        raise ModelError(
            "No backtest fold could be formed: the shop needs labelled cutoffs before the held-out one.",
        )
    return BacktestResult(
        pd.DataFrame(rows),
        pd.DataFrame(tables),
        pd.concat(curve_parts, ignore_index=True),
        pd.concat(imb_parts, ignore_index=True) if imb_parts else pd.DataFrame(),
        pd.concat(reports, ignore_index=True),
    )


def contact_cost(value: np.ndarray | None, share: float) -> float:
    """The cost of one contact: ``share`` of the median known value (0 without values)."""
    if known_values(value) is None:
        return 0.0
    return float(share * np.nanmedian(value))


def _rule_report(y: np.ndarray, flag: np.ndarray, value, save_rate: float, cost: float) -> pd.DataFrame:
    row = confusion_row("rule", np.nan, y, flag.astype(int), known_values(value), save_rate, cost)
    return pd.DataFrame([row])


def imbalance_comparison(
    frame: ChurnFrame, train: list[int], test: int, cfg: ChurnlensConfig, params, progress
) -> pd.DataFrame:
    """LightGBM on the same dense matrix with each imbalance strategy, scored on the test cohort
    (uncalibrated, so the effect of resampling on probabilities shows)."""
    c = cfg.churn
    X, y = xy(frame.data, train)
    Xt, yt = xy(frame.data, [test])
    out = []
    for strategy in c.imbalance_strategies:
        progress(f"imbalance: {strategy}")
        m = ChurnModel(
            "lightgbm",
            params or lightgbm_params(c),
            strategy,
            "none",
            dense=True,
            n_jobs=c.n_jobs,
            random_state=c.random_state,
        ).fit(X, y)
        p = m.predict_proba(Xt)
        met = score_metrics(yt, p, True, list(c.top_shares), c.calibration_bins)
        at_half = threshold_report(yt, p, c.contact_share).set_index("rule").loc["p_0.5"]
        out.append(
            {
                "strategy": strategy,
                "cohort": test,
                "roc_auc": met["roc_auc"],
                "pr_auc": met["pr_auc"],
                "log_loss": met["log_loss"],
                "brier": met["brier"],
                "calibration_error": met["calibration_error"],
                "precision_at_0_5": float(at_half["precision"]),
                "recall_at_0_5": float(at_half["recall"]),
                "f1_at_0_5": float(at_half["f1"]),
                "train_rows": int(len(y)),
                "train_churn_share": float(y.mean()),
            }
        )
    df = pd.DataFrame(out)
    base = df.loc[df["strategy"] == "none", "roc_auc"]
    df["roc_auc_vs_none"] = df["roc_auc"] - (base.iloc[0] if len(base) else np.nan)
    # a strategy helps when it ranks customers clearly better than training as is
    df["helps"] = (df["strategy"] != "none") & (df["roc_auc_vs_none"] >= IMBALANCE_MARGIN)
    return df
