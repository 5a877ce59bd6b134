"""When, not only whether: each scored customer's expected days to the next order and
P(an order within 7 / 14 / 30 days) (``ChurnConfig.timing_horizons_days``).

The shape of the waiting time comes from the customer's own gaps (the gap model of
`churnlens.churn.gap_model`, fitted on today's cohort): S(t) = P(no order in the next t days).
It is bent to agree with the churn score q = P(no order in the window W) by a power,
S_q(t) = S(t)^c with c = log q / log S(W), so P(order within W) = 1 - q exactly and the
horizons are consistent with the score. Expected days are the mean waiting time restricted to
``timing_cap_days`` (a customer not back by then counts as that many days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.churn.gap_features import KEY, GapFits
from churnlens.config import ChurnConfig


def timing_columns(horizons: list) -> list[str]:
    return ["expected_days_to_next_order", *[f"p_order_{int(h)}d" for h in horizons]]


def next_order(
    rows: pd.DataFrame, gaps: GapFits, p_churn: np.ndarray, window: float, cfg: ChurnConfig
) -> pd.DataFrame:
    """``customer_id`` and the timing columns for ``rows`` (today's cohort), in their order;
    NaN where the gap model could not be fitted."""
    out = pd.DataFrame({"customer_id": rows["customer_id"].astype(str).to_numpy()})
    cols = timing_columns(cfg.timing_horizons_days)
    cohort = int(rows["cohort"].iloc[0]) if len(rows) else 0
    model = gaps.models.get(cohort)
    if model is None or gaps.inputs is None or not len(rows):
        return out.assign(**{c: np.nan for c in cols})
    inp = rows[KEY].merge(gaps.inputs, on=KEY, how="left")
    s, n, d = (inp[c].to_numpy(float) for c in ("exposure", "n", "recency"))
    q = np.clip(np.asarray(p_churn, float), 1e-6, 1 - 1e-6)
    at_w = np.clip(model.survival(window, s, n, d), 1e-12, 1 - 1e-9)
    power = np.log(q) / np.log(at_w)
    grid = np.arange(cfg.timing_cap_days, dtype=float) + 0.5  # mid-points of 1-day steps
    curve = model.survival(grid[None, :], s, n, d) ** power[:, None]
    out["expected_days_to_next_order"] = curve.sum(axis=1)
    for h in cfg.timing_horizons_days:
        out[f"p_order_{int(h)}d"] = 1.0 - model.survival(float(h), s, n, d) ** power
    return out
