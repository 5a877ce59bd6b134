"""Per-customer value scores for the ``customer_scores`` table (and as churn features).

`score_customers` takes a customer summary (see `summary_from_orders`), fits a counting model
(BG/NBD by default) and, when the shop has order amounts, a Gamma-Gamma spend model, and
returns one row per customer:

- ``p_alive``: probability the customer is still active at the cutoff;
- ``expected_purchases_90d``: expected purchases in the 90 days after the cutoff;
- ``expected_spend``: expected value of one future purchase (NULL without amounts);
- ``clv_<h>m``: discounted expected revenue over the next h months (h =
  ``config.clv.horizon_months``, so ``clv_12m`` by default; NULL without amounts).

When spend cannot be modelled (no amounts, as in Instacart, or too few repeat buyers) the
spend columns are NULL and ``notes`` says why; the purchase columns are still filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churnlens.clv.bgnbd import BGNBD
from churnlens.clv.gammagamma import GammaGamma, discounted_purchases
from churnlens.clv.paretonbd import ParetoNBD
from churnlens.clv.summary import summary_from_orders, time_unit_in_days
from churnlens.config import ChurnlensConfig
from churnlens.engine_agreement import settled
from churnlens.errors import DataError, ModelError

#: Days in the horizon of ``expected_purchases_90d``.
PURCHASE_HORIZON_DAYS = 90.0
#: Mean length of a calendar month in days.
DAYS_PER_MONTH = 365.25 / 12.0
_COUNT_MODELS = {"bgnbd": BGNBD, "paretonbd": ParetoNBD}


@dataclass
class CustomerValue:
    """Scores with the models behind them and notes on anything left out."""

    scores: pd.DataFrame
    count_model: BGNBD | ParetoNBD
    spend_model: GammaGamma | None
    notes: list[str] = field(default_factory=list)


def monthly_discount_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over twelve months."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def score_customers(
    summary: pd.DataFrame,
    config: ChurnlensConfig | None = None,
    time_unit_days: float | str = 1.0,
    count_model: str = "bgnbd",
    penalizer: float = 0.0,
) -> CustomerValue:
    """Fit the value models on ``summary`` (customer_id, frequency, recency, T, monetary_value;
    times in units of ``time_unit_days`` days) and score every customer in it."""
    cfg = config or ChurnlensConfig()
    unit_days = time_unit_in_days(time_unit_days)
    missing = [c for c in ("customer_id", "frequency", "recency", "T") if c not in summary.columns]
    if missing:
        raise DataError(
            "The customer summary lacks columns.",
            file="customer summary",
            column=", ".join(missing),
            fix="Build it with churnlens.clv.summary_from_orders(...).execute().",
        )
    if count_model not in _COUNT_MODELS:
        raise DataError(
            f"Unknown count model {count_model!r}.",
            column="count_model",
            values=[count_model],
            fix=f"Use one of {sorted(_COUNT_MODELS)}.",
        )
    horizon = int(cfg.clv.horizon_months)
    clv_col = f"clv_{horizon}m"
    x = summary["frequency"].to_numpy(dtype=float)
    t = summary["recency"].to_numpy(dtype=float)
    big_t = summary["T"].to_numpy(dtype=float)
    model = _COUNT_MODELS[count_model](penalizer=penalizer).fit(x, t, big_t)
    scores = pd.DataFrame(
        {
            "customer_id": summary["customer_id"].to_numpy(),
            "p_alive": model.p_alive(x, t, big_t),
            "expected_purchases_90d": model.expected_purchases(
                PURCHASE_HORIZON_DAYS / unit_days, x, t, big_t
            ),
            "expected_spend": np.full(len(x), np.nan),
            clv_col: np.full(len(x), np.nan),
        }
    )
    notes: list[str] = []
    spend_model, spend = _fit_spend(summary, x, penalizer, notes)
    if spend is not None:
        scores["expected_spend"] = spend
        scores[clv_col] = spend * discounted_purchases(
            model,
            x,
            t,
            big_t,
            horizon=horizon,
            discount_rate=monthly_discount_rate(cfg.clv.annual_discount_rate),
            period=DAYS_PER_MONTH / unit_days,
        )
    return CustomerValue(scores, model, spend_model, notes)


def _fit_spend(
    summary: pd.DataFrame, x: np.ndarray, penalizer: float, notes: list[str]
) -> tuple[GammaGamma | None, np.ndarray | None]:
    """Gamma-Gamma on the repeat buyers with a positive mean spend; everyone else gets the
    population mean spend. (None, None) with a note when spend cannot be modelled."""
    if "monetary_value" not in summary.columns or summary["monetary_value"].isna().all():
        notes.append(
            "expected_spend and CLV are empty: the orders carry no amounts (e.g. Instacart), so "
            "spend per purchase cannot be modelled."
        )
        return None, None
    m = summary["monetary_value"].to_numpy(dtype=float, na_value=np.nan)
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    try:
        spend_model = GammaGamma(penalizer=penalizer).fit(x[usable], m[usable])
        spend = spend_model.expected_spend(np.where(usable, x, 0.0), np.where(usable, m, 0.0))
    except ModelError as exc:
        notes.append(f"expected_spend and CLV are empty: {exc}")
        return None, None
    unusable = int(((x > 0) & ~usable).sum())
    if unusable:
        notes.append(
            f"{unusable} repeat buyers have no positive spend on record; they get the population mean spend."
        )
    return spend_model, spend


def customer_value_from_orders(
    orders: Any,
    cutoff: Any,
    config: ChurnlensConfig | None = None,
    time_unit_days: float | str = 1.0,
    count_model: str = "bgnbd",
) -> CustomerValue:
    """Summary in the engine at ``cutoff`` (purchase unit from ``config.clv.purchase_unit``),
    then `score_customers` on it."""
    cfg = config or ChurnlensConfig()
    table = summary_from_orders(orders, cutoff, unit=cfg.clv.purchase_unit, time_unit_days=time_unit_days)
    summary = settled(table.execute(), ["customer_id"])
    if summary.empty:
        raise DataError(
            "No paid orders of known customers at or before the cutoff.",
            file="orders",
            values=[str(cutoff)],
            fix="Check the cutoff date and that orders have status 'paid' and a customer_id.",
        )
    return score_customers(summary, cfg, time_unit_days, count_model)
