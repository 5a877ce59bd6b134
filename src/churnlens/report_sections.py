"""What the report says, read from the result tables (never recomputed): the at-risk list, the
model card, the products and promotions summaries.

- `at_risk(actions, scores, n)`: the ``n`` customers to contact first, with the model's reasons
  (``customer_scores``) and the recommended action and why (``actions``). When ``actions`` has
  customer states, the list holds the customers who can still be saved (``at_risk`` and
  ``lapsing``) ranked by the revenue a contact is expected to save; without states, every scored
  customer ranked by P(churn). Ties go by customer id.
- `model_card(backtest)`: the figures of the latest held-out cutoff of ``churn_backtest``: how
  often the scoring model's top 10 % really churned (lift x churn rate, the share of churners
  among them), the same for the simplest rule (days since the last order, or the last gap on a
  shop without a calendar), the churn rate of everyone (what picking at random would get), the
  share of all churners the top 10 % holds and, when the backtest has it, the bootstrap interval
  of the model's ROC AUC minus the best baseline's.
- `top_products(stats, n)`: the best sellers of the latest month of ``product_stats``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from churnlens.playbook.states import SAVEABLE

#: The scoring model's name in ``churn_backtest``, then any other model.
SCORING_MODELS = ("lightgbm",)
#: The simplest rule of each kind of shop: calendar shops, then shops without a calendar.
SIMPLEST_RULES = ("recency_rule", "last_gap_rule")
TOP = "top10"


def at_risk(actions: pd.DataFrame | None, scores: pd.DataFrame | None, n: int = 20) -> pd.DataFrame:
    """The first ``n`` customers to contact: customer_id, churn_probability, reasons, reasons_ko,
    and from actions (when present) action, reason, reason_ko, value, days_since_last_order."""
    if scores is None and actions is None:
        return pd.DataFrame()
    if actions is not None and scores is not None and "customer_id" in actions and "customer_id" in scores:
        keep = [c for c in ("customer_id", "reasons", "reasons_ko") if c in scores]
        rows = actions.merge(scores[keep], on="customer_id", how="left", suffixes=("", "_score"))
    else:
        rows = (actions if actions is not None else scores).copy()
    if "state" in rows:
        rows = rows[rows["state"].isin(SAVEABLE)]
    key = (
        "expected_saved_revenue"
        if "state" in rows and "expected_saved_revenue" in rows
        else "churn_probability"
    )
    if not {key, "customer_id"} <= set(rows.columns):
        return pd.DataFrame()  # nothing says who is at risk
    rows = rows.sort_values([key, "customer_id"], ascending=[False, True], kind="stable")
    return rows.head(n).reset_index(drop=True)


@dataclass
class ModelCard:
    """The model card's figures (shares in 0..1; None when the backtest lacks them)."""

    cutoff: str
    customers: int
    model: str
    model_hit: float
    rule: str | None
    rule_hit: float | None
    churn_rate: float
    capture: float
    best_baseline: str | None = None
    auc: float | None = None
    best_auc: float | None = None
    auc_diff: float | None = None
    auc_low: float | None = None
    auc_high: float | None = None


def _number(row: pd.Series, column: str) -> float | None:
    v = row.get(column)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def hit_rate(row: pd.Series) -> float | None:
    """Share of churners among the top 10 % a row ranked highest: lift x churn rate."""
    lift, rate = _number(row, f"lift_{TOP}"), _number(row, "churn_rate")
    return None if lift is None or rate is None else lift * rate


def model_card(backtest: pd.DataFrame | None) -> ModelCard | None:
    """The figures of the latest held-out cutoff (the smallest cohort), None without a model row."""
    if backtest is None or backtest.empty or not {"model", f"lift_{TOP}", "churn_rate"} <= set(backtest):
        return None
    latest = backtest[backtest["cohort"] == backtest["cohort"].min()] if "cohort" in backtest else backtest
    by_name = latest.set_index("model", drop=False)
    models = [m for m in SCORING_MODELS if m in by_name.index]
    if not models and "kind" in latest:
        models = latest.loc[latest["kind"] == "model", "model"].tolist()
    if not models:
        return None
    row = by_name.loc[models[0]]
    hit = hit_rate(row)
    if hit is None:
        return None
    rule = next((r for r in SIMPLEST_RULES if r in by_name.index), None)
    card = ModelCard(
        cutoff=str(row.get("cutoff", "")),
        customers=int(_number(row, "n") or 0),
        model=str(row["model"]),
        model_hit=hit,
        rule=rule,
        rule_hit=hit_rate(by_name.loc[rule]) if rule else None,
        churn_rate=float(row["churn_rate"]),
        capture=_number(row, f"capture_{TOP}") or 0.0,
        auc=_number(row, "roc_auc"),
    )
    best = row.get("best_baseline")
    if isinstance(best, str) and best in by_name.index and _number(row, "auc_vs_best") is not None:
        card.best_baseline = best
        card.best_auc = _number(by_name.loc[best], "roc_auc")
        card.auc_diff = _number(row, "auc_vs_best")
        card.auc_low = _number(row, "auc_vs_best_low")
        card.auc_high = _number(row, "auc_vs_best_high")
    return card


def top_products(stats: pd.DataFrame | None, measure: str, n: int = 10) -> pd.DataFrame:
    """The ``n`` products of the latest month with the most ``measure`` (then by item)."""
    if stats is None or stats.empty or not {"period_start", measure} <= set(stats):
        return pd.DataFrame()
    rows = stats[stats["level"] == "product"] if "level" in stats else stats
    if rows.empty:
        return pd.DataFrame()
    last = rows[rows["period_start"] == rows["period_start"].max()]
    keys = [measure, "item"] if "item" in last else [measure]
    return last.sort_values(keys, ascending=[False] + [True] * (len(keys) - 1), kind="stable").head(n)
