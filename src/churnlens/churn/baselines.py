"""Rule baselines, always reported beside the model, as ranking scores on the feature frame.

Window mode (calendar shops):

- ``recency_rule``: churn when there is no order for more than W days; score = days since the
  last order.
- ``cycle_rule``: churn when the days since the last order exceed m x the customer's mean
  interval (``ChurnConfig.cycle_multiple``); score = days since the last order / mean interval
  (customers with one order: / W).
- ``bgnbd``: BG/NBD probability of no purchase in the window, fitted at the cutoff (when
  `churnlens.clv` is available): 1 - P(alive) x P(a purchase in W | alive).

Next-gap mode (relative-time shops, the cutoff is an order): ``last_gap_rule`` (score = days
between the customer's last two orders, "churn when it was at least W"), ``cycle_rule``
(score = mean interval / W, "churn when m x the mean interval reaches W") and ``bgnbd``: there
every cutoff is an order and BG/NBD's drop-out cannot be identified, so its place is taken by
the gap model (`churnlens.churn.gap_model`: P(the next gap is at least W) from the customer's
own gaps, capped "30 or more" gaps censored, under a gamma prior fitted on the cohort).

`rule_flags` gives the rules' own yes/no decision, for their confusion matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.churn.dataset import NEXT_GAP


def _filled(s: pd.Series) -> np.ndarray:
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    med = v.median()
    return v.fillna(0.0 if pd.isna(med) else med).to_numpy()


def baseline_scores(
    X: pd.DataFrame, mode: str, window: float, multiple: float
) -> dict[str, tuple[np.ndarray, bool]]:
    """name -> (score, is_probability) for every baseline the frame allows."""
    out: dict[str, tuple[np.ndarray, bool]] = {}
    mean = pd.to_numeric(X["interval_mean"], errors="coerce")
    if mode == NEXT_GAP:
        out["last_gap_rule"] = (_filled(X["interval_last"]), False)
        out["cycle_rule"] = (_filled(mean / window), False)
    else:
        rec = pd.to_numeric(X["recency_days"], errors="coerce")
        out["recency_rule"] = (_filled(rec), False)
        out["cycle_rule"] = (_filled(rec / mean.fillna(window)), False)
    if "bgnbd_churn" in X and X["bgnbd_churn"].notna().any():
        out["bgnbd"] = (_filled(X["bgnbd_churn"]), True)
    return out


def rule_flags(X: pd.DataFrame, mode: str, window: float, multiple: float) -> dict[str, np.ndarray]:
    """The rules' decisions (1 = predicted churn)."""
    mean = pd.to_numeric(X["interval_mean"], errors="coerce")
    if mode == NEXT_GAP:
        last = pd.to_numeric(X["interval_last"], errors="coerce")
        return {
            "last_gap_rule": (last >= window).astype(int).to_numpy(),
            "cycle_rule": (mean * multiple >= window).astype(int).to_numpy(),
        }
    rec = pd.to_numeric(X["recency_days"], errors="coerce")
    return {
        "recency_rule": (rec > window).astype(int).to_numpy(),
        "cycle_rule": (rec > multiple * mean.fillna(window)).astype(int).to_numpy(),
    }
