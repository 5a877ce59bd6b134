"""Pipeline stage: customer value at the run's cutoff (`churnlens.run_cutoff`).

Writes
- ``customer_value``: customer_id, cutoff, p_alive, expected_purchases_90d, expected_spend,
  ``clv_<horizon>m`` (NULL spend and CLV when the shop has no amounts);
- ``clv_model``: one row per fitted parameter (model, parameter, value, standard_error) with
  the log-likelihood, the number of customers and notes;
- ``clv_calibration_holdout``, ``clv_repeat_purchases``, ``clv_p_alive_matrix``: the model
  checks of `diagnostics_from_orders` (left out, with a note, when the holdout has no repeat
  purchases).
When the data cannot identify the model (no repeat buyers), the stage is skipped with the
model's own explanation. Relative-time data sets (Instacart) are skipped too: every customer's
last order is placed on the same snapshot date, so the histories say nothing about drop-out.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from churnlens.clv.diagnostics import diagnostics_from_orders
from churnlens.clv.scores import customer_value_table
from churnlens.config import ChurnlensConfig
from churnlens.errors import ModelError, StageSkipped
from churnlens.run_cutoff import run_cutoff


def run_clv(wh: Any, config: ChurnlensConfig) -> dict[str, Any]:
    if wh.dataset_info().get("time_mode") == "relative":
        raise StageSkipped(
            "the data set has no calendar (relative time): every customer's last order sits on the "
            "same snapshot date, so purchase histories cannot tell active customers from lapsed ones; "
            "churn scores use the gaps between orders instead"
        )
    orders = wh.table("orders")
    cutoff = pd.Timestamp(run_cutoff(wh, config))
    cfg = config.clv
    try:
        value = customer_value_table(orders, cutoff, config, count_model=cfg.count_model)
    except ModelError as exc:
        raise StageSkipped(str(exc)) from exc
    notes = list(value.notes)
    # scored where the engine keeps the rows (Spark's executors), never gathered here
    scores = value.scores
    out: dict[str, Any] = {
        "customer_value": scores.mutate(cutoff=ibis.literal(cutoff.to_pydatetime(), "timestamp"))
    }
    rows = []
    for name, model in (("count", value.count_model), ("spend", value.spend_model)):
        if model is None:
            continue
        for param, v in model.params_.items():
            rows.append(
                {
                    "model": f"{name}:{type(model).__name__}",
                    "parameter": param,
                    "value": float(v),
                    "standard_error": float(model.standard_errors_.get(param, float("nan"))),
                    "log_likelihood": float(model.log_likelihood_),
                    "n_customers": int(model.n_customers_),
                }
            )
    try:
        out |= diagnostics_from_orders(orders, cutoff, cfg.holdout_days, config, count_model=cfg.count_model)
    except ModelError as exc:
        notes.append(f"model checks left out: {exc}")
    model_table = pd.DataFrame(rows)
    model_table["notes"] = "; ".join(notes)
    out["clv_model"] = model_table
    return out
