"""Customer value: "buy till you die" models, spend, lifetime value and their diagnostics.

Estimators (scikit-learn style: hyper-parameters in ``__init__``, ``fit`` returns self,
learned attributes end with ``_``):

- `BGNBD` and `ParetoNBD`: ``fit(frequency, recency, T)``, ``p_alive``,
  ``expected_purchases(t, ...)``, ``expected_purchases_new(t)``, ``log_likelihood``;
- `GammaGamma`: ``fit(frequency, monetary_value)``, ``expected_spend``, ``clv``.

Data: `summary_from_orders` (an Ibis expression: per-customer frequency, recency, T,
monetary_value at a cutoff, optional holdout). Scores: `score_customers`,
`customer_value_from_orders`. Diagnostics: `calibration_holdout`,
`cumulative_repeat_purchases`, `p_alive_matrix`, and all three from orders with
`diagnostics_from_orders`. Simulation from known parameters:
`simulate_bgnbd`, `simulate_paretonbd`, `simulate_gammagamma`.
"""

from churnlens.clv.bgnbd import BGNBD
from churnlens.clv.diagnostics import (
    calibration_holdout,
    cumulative_repeat_purchases,
    diagnostics_from_orders,
    p_alive_matrix,
)
from churnlens.clv.gammagamma import GammaGamma, discounted_purchases
from churnlens.clv.paretonbd import ParetoNBD
from churnlens.clv.scores import CustomerValue, customer_value_from_orders, score_customers
from churnlens.clv.simulate import simulate_bgnbd, simulate_gammagamma, simulate_paretonbd
from churnlens.clv.summary import daily_purchase_counts, purchase_events, summary_from_orders

__all__ = [
    "BGNBD",
    "CustomerValue",
    "GammaGamma",
    "ParetoNBD",
    "calibration_holdout",
    "cumulative_repeat_purchases",
    "customer_value_from_orders",
    "daily_purchase_counts",
    "diagnostics_from_orders",
    "discounted_purchases",
    "p_alive_matrix",
    "purchase_events",
    "score_customers",
    "simulate_bgnbd",
    "simulate_gammagamma",
    "simulate_paretonbd",
    "summary_from_orders",
]
