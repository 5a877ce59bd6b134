"""Scores for today: churn probability, risk band and reasons of every customer at the
latest cutoff (cohort 0), from a fitted or saved model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.churn.backtest import ID_COLUMNS
from churnlens.churn.models import ChurnModel
from churnlens.churn.reasons import explain
from churnlens.config import ChurnConfig

#: Columns of the ``customer_value`` table carried into ``customer_scores`` (with any other
#: ``clv_<n>m`` horizon the value stage was configured for).
VALUE_COLUMNS = ("p_alive", "expected_purchases_90d", "expected_spend", "clv_12m")


def risk_band(p: np.ndarray, cfg: ChurnConfig) -> np.ndarray:
    return np.where(p >= cfg.risk_high, "high", np.where(p >= cfg.risk_medium, "medium", "low"))


def score_rows(
    model: ChurnModel,
    rows: pd.DataFrame,
    version: str,
    cfg: ChurnConfig,
    value: pd.DataFrame | None = None,
    override: tuple[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """``customer_scores`` for the given feature rows (normally cohort 0). ``override`` (name,
    probabilities) scores with a simpler model instead (the model's where it has none);
    ``scored_by`` names the model that gave each probability."""
    X = rows.drop(columns=[c for c in ID_COLUMNS if c in rows])
    p = model.predict_proba(X) if len(X) else np.array([])
    by = np.full(len(p), "lightgbm", dtype=object)
    if override is not None and len(p):
        known = np.isfinite(override[1])
        p = np.where(known, override[1], p)
        by[known] = override[0]
    out = pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype(str).to_numpy(),
            "cutoff": pd.to_datetime(rows["cutoff"]).to_numpy(),
            "churn_probability": p,
            "risk_band": risk_band(p, cfg),
        }
    )
    if len(X) and model.kind == "lightgbm":
        size = max(1, cfg.reasons_batch_rows)
        # contributions and sentences batch by batch: memory stays bounded at any shop size
        parts = [
            explain(model.contributions(X.iloc[i : i + size]), X.iloc[i : i + size], cfg.reasons_top)
            for i in range(0, len(X), size)
        ]
        why = pd.concat(parts).reset_index(drop=True)
    else:
        why = pd.DataFrame(
            {"reasons": [""] * len(X), "reasons_ko": [""] * len(X), "top_factors": [""] * len(X)}
        )
    out = pd.concat([out, why], axis=1)
    out["model_version"] = version
    out["scored_by"] = by
    if value is not None and len(value):
        horizon = [c for c in value.columns if c.startswith("clv_") and c not in VALUE_COLUMNS]
        keep = ["customer_id", *[c for c in VALUE_COLUMNS if c in value.columns], *horizon]
        v = value[keep].copy()
        v["customer_id"] = v["customer_id"].astype(str)
        out = out.merge(v.drop_duplicates("customer_id"), on="customer_id", how="left")
    return out.sort_values("churn_probability", ascending=False, kind="stable").reset_index(drop=True)


def mean_abs_contribution(model: ChurnModel, rows: pd.DataFrame, cfg: ChurnConfig) -> pd.Series:
    """Mean |contribution| per feature over a seeded sample of ``importance_sample_rows`` rows."""
    X = rows.drop(columns=[c for c in ID_COLUMNS if c in rows])
    if not len(X) or model.kind != "lightgbm":
        return pd.Series(dtype=float)
    if len(X) > cfg.importance_sample_rows > 0:
        X = X.sample(cfg.importance_sample_rows, random_state=cfg.random_state)
    return model.contributions(X).abs().mean()
