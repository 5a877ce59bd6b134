"""What each action is worth: expected value per customer and a summary per action.

Per customer (money in the shop's currency, or items for shops without prices):

- revenue_at_stake = P(churn) x value
- expected_saved_revenue = revenue_at_stake x save_rate[action]
- expected_value = expected_saved_revenue - contact_cost[action]

where contact_cost[action] is ``contact_costs[action]`` times the shop's median order value when
``contact_cost_unit`` is "order" (the default), or the amount itself when it is "currency".

Per action, `campaign_summary` sums them: customers, revenue_at_stake, expected_saved_revenue, cost,
expected_value, roi = (expected_saved_revenue - cost) / cost (NULL when the action costs nothing),
and how many get a discount. The totals are exactly the sums of the customers' values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.config import PlaybookConfig
from churnlens.errors import DataError


def expected_values(actions: pd.DataFrame, cfg: PlaybookConfig, order_value: float = 1.0) -> pd.DataFrame:
    """Add offer_discount, revenue_at_stake, save_rate, expected_saved_revenue, contact_cost,
    expected_value. ``order_value``: the shop's median order value (in the customers' value
    unit), which prices the contacts when ``cfg.contact_cost_unit`` is "order"."""
    if cfg.contact_cost_unit not in ("order", "currency"):
        raise DataError(
            f"Unknown playbook contact cost unit '{cfg.contact_cost_unit}'.",
            file="config [playbook] contact_cost_unit",
            values=[cfg.contact_cost_unit],
            fix='Use "order" (shares of the median order value) or "currency".',
        )
    per_unit = float(order_value) if cfg.contact_cost_unit == "order" else 1.0
    out = actions.copy()
    p = pd.to_numeric(out.churn_probability, errors="coerce").fillna(0.0).clip(0.0, 1.0)
    value = pd.to_numeric(out.value, errors="coerce").fillna(0.0).clip(lower=0.0)
    out["offer_discount"] = out.action.isin(list(cfg.discount_actions)) & out.promo_sensitive.astype(bool)
    out["revenue_at_stake"] = p * value
    out["save_rate"] = out.action.map(lambda a: float(cfg.save_rates.get(a, 0.0))).astype("float64")
    out["expected_saved_revenue"] = out.revenue_at_stake * out.save_rate
    cost = out.action.map(lambda a: float(cfg.contact_costs.get(a, 0.0))).astype("float64")
    out["contact_cost"] = cost * per_unit
    out["expected_value"] = out.expected_saved_revenue - out.contact_cost
    return out


def campaign_summary(actions: pd.DataFrame, value_unit: str = "money") -> pd.DataFrame:
    """One row per action (see module docstring), biggest expected value first."""
    g = actions.groupby("action", sort=True).agg(
        customers=("customer_id", "size"),
        revenue_at_stake=("revenue_at_stake", "sum"),
        expected_saved_revenue=("expected_saved_revenue", "sum"),
        cost=("contact_cost", "sum"),
        expected_value=("expected_value", "sum"),
        discount_offers=("offer_discount", "sum"),
    )
    g = g.reset_index()
    g["customers"] = g.customers.astype("int64")
    g["discount_offers"] = g.discount_offers.astype("int64")
    g["roi"] = np.where(g.cost > 0, (g.expected_saved_revenue - g.cost) / g.cost.where(g.cost > 0), np.nan)
    g["value_unit"] = value_unit
    return g.sort_values(["expected_value", "action"], ascending=[False, True]).reset_index(drop=True)
