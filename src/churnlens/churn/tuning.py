"""Optuna tuning of LightGBM on a time-ordered validation cutoff.

The objective is the ROC AUC on validation rows from a later cutoff than every training row,
so the chosen parameters are the ones that generalise forward in time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from churnlens.churn.models import ChurnModel

#: Parameters tuning keeps as the starting parameters give them.
FIXED = ("max_bin",)


def tune_lightgbm(
    X: pd.DataFrame,
    y: np.ndarray,
    X_val: pd.DataFrame,
    y_val: np.ndarray,
    start: dict[str, Any],
    n_trials: int,
    imbalance: str = "none",
    n_jobs: int = 2,
    seed: int = 42,
) -> tuple[dict[str, Any], float]:
    """(best parameters, their validation ROC AUC); the starting parameters are trial 0."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if n_trials <= 0 or len(np.unique(y_val)) < 2:
        return dict(start), float("nan")

    def score(params: dict[str, Any]) -> float:
        m = ChurnModel("lightgbm", params, imbalance, "none", n_jobs=n_jobs, random_state=seed).fit(X, y)
        return float(roc_auc_score(y_val, m.raw_proba(X_val)))

    fixed = {k: start[k] for k in FIXED if k in start}  # not tuned: kept as given

    def objective(trial: optuna.Trial) -> float:
        params = {
            **fixed,
            "n_estimators": trial.suggest_int("n_estimators", 50, 600, log=True),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 4, 63, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
            "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
        }
        return score(params)

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial(
        {
            **{"colsample_bytree": 1.0, "reg_lambda": 1e-3},
            **{k: start[k] for k in start if k != "subsample" and k not in fixed},
        }
    )
    study.optimize(objective, n_trials=n_trials)
    return {**study.best_params, **fixed}, float(study.best_value)
