"""BG/NBD at each cutoff (window mode): P(alive), expected purchases and P(no purchase in the
window) as features and as the ``bgnbd`` baseline, fitted on each cohort's own point-in-time
history (x, t_x, T).

In next-gap mode every cutoff is an order, so t_x = T for everyone and every customer returns:
BG/NBD's drop-out cannot be identified (its fit runs a -> 0, P(alive) = 1 for all). There the
gap model (`churnlens.churn.gap_features`) takes the baseline's place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.config import ChurnlensConfig

WINDOW, NEXT_GAP = "window", "next-gap"


def bgnbd_inputs(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD's (x, t_x, T) in days from a feature frame: repeat purchase days, first to last
    purchase day, first purchase to the cutoff."""
    x = (data["purchase_days"] - 1).clip(lower=0).to_numpy(float)
    t_x = np.where(x > 0, data["first_to_last_days"].clip(lower=0).to_numpy(float), 0.0)
    big_t = np.maximum(data["tenure_days"].to_numpy(float), t_x)
    return x, t_x, big_t


def _fit_bgnbd(model_class, x, t_x, big_t, penalizers):
    """BG/NBD fitted by plain maximum likelihood or, when the data cannot identify it (a
    drop-out so uniform that a and b run off together along a flat ridge), with the smallest
    of ``penalizers`` that keeps the parameters finite (the smaller the penalty, the nearer the
    drop-out stays to what the data say); None when nothing fits."""
    for pen in (0.0, *penalizers):
        try:
            return model_class(penalizer=pen).fit(x, t_x, big_t)
        except Exception:  # noqa: BLE001 - a cohort BG/NBD cannot describe keeps NULL features
            continue
    return None


def add_bgnbd(data: pd.DataFrame, cfg: ChurnlensConfig, window: float) -> pd.DataFrame:
    """P(alive), expected purchases and P(no purchase in the window) from a BG/NBD model fitted
    on each cohort's own (point-in-time) history; NULL when `churnlens.clv` is unavailable."""
    try:
        from churnlens.clv.bgnbd import BGNBD
    except ImportError:
        return data
    c = cfg.churn
    expected = f"expected_purchases_{c.expected_purchases_days}d"
    n = len(data)
    p_alive, purchases, churn = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    x, t_x, big_t = bgnbd_inputs(data)
    for idx in data.groupby("cohort").indices.values():
        xi, ti, bi = x[idx], t_x[idx], big_t[idx]
        ok = np.isfinite(xi) & np.isfinite(ti) & np.isfinite(bi)
        if ok.sum() < 2 * c.min_class_rows or not (xi[ok] > 0).any():
            continue
        model = _fit_bgnbd(BGNBD, xi[ok], ti[ok], bi[ok], c.bgnbd_penalizers)
        if model is None:
            continue
        rows = np.asarray(idx)[ok]
        p_alive[rows] = model.p_alive(xi[ok], ti[ok], bi[ok])
        purchases[rows] = model.expected_purchases(c.expected_purchases_days, xi[ok], ti[ok], bi[ok])
        churn[rows] = model.p_no_purchase(window, xi[ok], ti[ok], bi[ok])
    # new columns on a shallow copy: the feature columns are shared, not copied
    out = data.copy(deep=False)
    out["p_alive"], out[expected], out["bgnbd_churn"] = p_alive, purchases, churn
    return out
