"""Is the scoring model measurably better than the simple alternatives? The paired bootstrap
interval of (model - baseline) ROC AUC on each held-out cutoff, in plain words, and the
simplest model that is not measurably worse when the model's gain is not real (the verdict
in plain words is `churnlens.churn.verdict`).

Columns added to ``churn_backtest``:

- on the scoring model's row: ``best_baseline`` (the baseline with the highest ROC AUC on that
  cutoff), ``auc_vs_best`` (model - best baseline), ``auc_vs_best_low`` / ``auc_vs_best_high``
  (the interval at ``ChurnConfig.bootstrap_level``), ``measurably_better`` (the interval is above 0);
- on each compared baseline's row (the best one and the ``fallback_models``): ``model_minus_auc``,
  ``model_minus_low``, ``model_minus_high``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from churnlens.churn.metrics import paired_auc_difference
from churnlens.churn.verdict import PRODUCTION
from churnlens.config import ChurnConfig


def interval_columns(
    y: np.ndarray, scored: dict[str, tuple[np.ndarray, bool, str]], aucs: dict[str, float], c: ChurnConfig
) -> dict[str, dict]:
    """Extra ``churn_backtest`` columns per row name (see the module docstring)."""
    bases = {n: a for n, a in aucs.items() if scored[n][2] == "baseline" and not math.isnan(a)}
    if PRODUCTION not in scored or not bases:
        return {}
    best = max(bases, key=bases.get)
    out: dict[str, dict] = {}
    for name in dict.fromkeys([best, *[f for f in c.fallback_models if f in bases]]):
        d, lo, hi = paired_auc_difference(
            y, scored[PRODUCTION][0], scored[name][0], c.bootstrap_samples, c.bootstrap_level, c.random_state
        )
        out[name] = {"model_minus_auc": d, "model_minus_low": lo, "model_minus_high": hi}
    top = out[best]
    out[PRODUCTION] = {
        "best_baseline": best,
        "auc_vs_best": top["model_minus_auc"],
        "auc_vs_best_low": top["model_minus_low"],
        "auc_vs_best_high": top["model_minus_high"],
        "measurably_better": bool(top["model_minus_low"] > 0),
    }
    return out


def scorer(table: pd.DataFrame, c: ChurnConfig) -> str:
    """The model that scores customers: the scoring model when it is measurably better than
    each fallback candidate on the latest held-out cutoff, else the first candidate (simplest
    first) it is not measurably better than."""
    if table.empty or "model_minus_low" not in table:
        return PRODUCTION
    latest = table[table["cohort"] == table["cohort"].min()].set_index("model")
    for name in c.fallback_models:
        if name in latest.index and not latest.loc[name, "model_minus_low"] > 0:
            return name
    return PRODUCTION
