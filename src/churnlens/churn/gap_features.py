"""The gap model (`churnlens.churn.gap_model`) at each cutoff, fitted on each cohort's own
point-in-time gaps: the ``gap_model_churn`` feature (P(no order in the window) at the
customer's own rhythm), which in next-gap mode is the ``bgnbd`` baseline's ``bgnbd_churn``
with ``expected_purchases_{h}d`` (BG/NBD's drop-out cannot be identified there), and the
inputs of the next-order timing (`churnlens.churn.next_order`), kept beside the features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from churnlens.churn.bgnbd_features import NEXT_GAP
from churnlens.churn.gap_model import GAP_COUNT, GAP_LOG, GapModel, exposure_column
from churnlens.config import ChurnlensConfig
from churnlens.errors import ModelError

KEY = ["customer_id", "cutoff", "cohort"]


@dataclass
class GapFits:
    """Per cohort: the fitted model and each row's (exposure at its shape, n, open gap)."""

    models: dict[int, GapModel] = field(default_factory=dict)
    inputs: pd.DataFrame | None = None  # KEY + exposure, n, recency


def helper_columns(cfg: ChurnlensConfig) -> list[str]:
    return [exposure_column(k) for k in cfg.churn.gap_shapes] + [GAP_COUNT, GAP_LOG]


def add_gap_model(
    data: pd.DataFrame, cfg: ChurnlensConfig, window: float, mode: str
) -> tuple[pd.DataFrame, GapFits]:
    """The frame with the gap model's columns (and without its engine-side sums), and the fits."""
    c = cfg.churn
    helpers = [h for h in helper_columns(cfg) if h in data]
    fits = GapFits()
    out = data.drop(columns=helpers).copy(deep=False)
    if not c.gap_shapes or len(helpers) < 3:
        return out, fits
    n_rows = len(data)
    churn, purchases = np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    exposure_at = np.full(n_rows, np.nan)
    count = data[GAP_COUNT].fillna(0.0).to_numpy(float)
    logs = data[GAP_LOG].fillna(0.0).to_numpy(float)
    # the open gap since the last order is censored; in next-gap mode the cutoff is an order
    recency = np.zeros(n_rows) if mode == NEXT_GAP else data["recency_days"].fillna(0.0).to_numpy(float)
    for cohort, idx in data.groupby("cohort").indices.items():
        exposures = {k: data[exposure_column(k)].to_numpy(float)[idx] for k in c.gap_shapes}
        exposures = {k: np.nan_to_num(v) for k, v in exposures.items()}
        try:
            model = GapModel().fit(exposures, count[idx], logs[idx], recency[idx])
        except ModelError:
            continue
        fits.models[int(cohort)] = model
        s, m, d = exposures[model.k_], count[idx], recency[idx]
        exposure_at[idx] = s
        churn[idx] = model.survival(window, s, m, d)
        h = float(c.expected_purchases_days)
        k = model.k_
        # expected orders in the horizon at the posterior mean rate (exact when k = 1)
        purchases[idx] = (model.r_ + m) / (model.alpha_ + s + d**k) * ((d + h) ** k - d**k)
    if mode == NEXT_GAP:
        out["bgnbd_churn"] = churn
        out[f"expected_purchases_{c.expected_purchases_days}d"] = purchases
    else:
        out["gap_model_churn"] = churn
    fits.inputs = pd.DataFrame(
        {
            **{k: data[k].to_numpy() for k in KEY},
            "exposure": exposure_at,
            "n": count,
            "recency": recency,
        }
    )
    return out, fits
