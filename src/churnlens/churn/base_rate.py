"""The churn rate a model's scores should average at the cutoff they are for.

A shop's churn rate moves from cutoff to cutoff (Online Retail: 0.83 over most of a year, 0.77
in October, 0.70 in November). A calibrator fitted on the latest training cutoff carries that
cutoff's rate; two corrections bring the scores' level to the scored cutoff, each from what is
known at it:

- `rate_trend`: the observed churn rate's linear trend over the latest labelled training
  cutoffs (calendar shops), per cutoff step, carried forward to the scored cutoff;
- `logit_shift`: the one log-odds offset that makes the scores average a given rate; it moves
  every score the same way, so the ranking (ROC AUC, lift) does not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

#: The scores' mean is held inside this (a rate of exactly 0 or 1 has no log-odds).
RATE_BOUNDS = (1e-3, 1 - 1e-3)


def rate_trend(rates: pd.Series, cutoffs: int) -> float:
    """The change of the churn rate per cutoff step, forward in time, fitted by least squares
    on the latest ``cutoffs`` labelled cohorts (index: cohort number, larger is older); 0 with
    fewer than two of them or ``cutoffs`` below 2."""
    latest = rates.dropna().sort_index().iloc[: max(cutoffs, 0)]
    if cutoffs < 2 or len(latest) < 2:
        return 0.0
    return float(np.polyfit(-latest.index.to_numpy(float), latest.to_numpy(float), 1)[0])


def logit_shift(p: np.ndarray, rate: float) -> float:
    """The log-odds offset that makes the mean of ``p`` equal ``rate`` (held inside
    `RATE_BOUNDS`)."""
    z = logit(np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6))
    if not len(z):
        return 0.0
    target = float(np.clip(rate, *RATE_BOUNDS))
    return float(brentq(lambda b: expit(z + b).mean() - target, -20.0, 20.0))


def shifted(p: np.ndarray, offset: float) -> np.ndarray:
    """``p`` moved by ``offset`` in log-odds."""
    if offset == 0.0:
        return p
    return expit(logit(np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)) + offset)
