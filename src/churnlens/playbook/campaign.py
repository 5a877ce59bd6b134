"""What each action is worth: expected value per customer and a summary per action.

Per customer (money in the shop's currency, or items for shops without prices):

- revenue_at_stake = P(churn) x value
- expected_saved_revenue = revenue_at_stake x save_rate[action]
- expected_value = expected_saved_revenue - contact_cost[action]

where contact_cost[action] is ``contact_costs[action]`` times the shop's median order value when
``contact_cost_unit`` is "order" (the default), or the amount itself when it is "currency".
The save rate is an assumption (``save_rates``, ``save_rate_source`` "assumed") except for a
discount offer when the shop's own history measured what a promotion does (``measured``, from
`churnlens.playbook.uplift`; ``save_rate_source`` "measured").

A contact whose expected value is negative is not recommended: the customer gets
``no_contact_action`` instead (no save, no cost) and ``considered_action`` keeps what the rules
proposed, so the reason can say why nobody should be contacted.

Per action, `campaign_summary` sums them: customers, revenue_at_stake, expected_saved_revenue, cost,
expected_value, roi = (expected_saved_revenue - cost) / cost (NULL when the action costs nothing),
how many get a discount, and whether its save rate is assumed or measured. The totals are exactly the sums of the customers' values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.config import PlaybookConfig
from churnlens.errors import DataError


def expected_values(
    actions: pd.DataFrame,
    cfg: PlaybookConfig,
    order_value: float = 1.0,
    measured: float | None = None,
) -> pd.DataFrame:
    """Add considered_action, considered_value (its expected value), offer_discount, revenue_at_stake, save_rate, save_rate_source,
    expected_saved_revenue, contact_cost, expected_value. ``order_value``: the shop's median
    order value (in the customers' value unit), which prices the contacts when
    ``cfg.contact_cost_unit`` is "order"; ``measured``: the measured save rate of a discount
    offer (None: not measured)."""
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
    out["revenue_at_stake"] = p * value

    sensitive = out.promo_sensitive.astype(bool)

    def price(action: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
        discount = action.isin(list(cfg.discount_actions)) & sensitive
        rate = action.map(lambda a: float(cfg.save_rates.get(a, 0.0))).astype("float64")
        is_measured = discount & (measured is not None)
        if measured is not None:
            rate = rate.where(~is_measured, float(measured))
        cost = action.map(lambda a: float(cfg.contact_costs.get(a, 0.0))).astype("float64") * per_unit
        return rate, cost, out.revenue_at_stake * rate - cost, is_measured

    out["considered_action"] = out.action
    out["considered_value"] = price(out.action)[2]
    out.loc[out.considered_value < 0, "action"] = cfg.no_contact_action
    out["save_rate"], out["contact_cost"], out["expected_value"], is_measured = price(out.action)
    out["save_rate_source"] = np.where(is_measured, "measured", "assumed")
    out["expected_saved_revenue"] = out.revenue_at_stake * out.save_rate
    out["offer_discount"] = out.action.isin(list(cfg.discount_actions)) & sensitive
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
        measured=("save_rate_source", lambda s: int((s == "measured").sum())),
    )
    g = g.reset_index()
    g["customers"] = g.customers.astype("int64")
    g["discount_offers"] = g.discount_offers.astype("int64")
    g["roi"] = np.where(g.cost > 0, (g.expected_saved_revenue - g.cost) / g.cost.where(g.cost > 0), np.nan)
    g["save_rate_source"] = np.select(
        [g.measured == g.customers, g.measured > 0], ["measured", "measured for discount offers"], "assumed"
    )
    g = g.drop(columns="measured")
    g["value_unit"] = value_unit
    return g.sort_values(["expected_value", "action"], ascending=[False, True]).reset_index(drop=True)
