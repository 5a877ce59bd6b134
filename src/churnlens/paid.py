"""What a paid order is, and whether the shop has prices: the one definition every stage uses.

A paid order is an order whose ``status`` is ``paid``; failed and cancelled orders are never
revenue. Customer analyses (RFM, churn labels, funnels, cohorts) use the paid orders of known
customers (guest orders have no ``customer_id``). The shop *has prices* when at least one
paid order carries a ``total_amount``; without prices, values are items bought.
"""

from __future__ import annotations

import ibis


def paid_orders(orders: ibis.Table) -> ibis.Table:
    """Orders whose status is ``paid`` (guest orders included)."""
    return orders.filter(orders.status == "paid")


def customer_paid_orders(orders: ibis.Table) -> ibis.Table:
    """Paid orders of known customers."""
    p = paid_orders(orders)
    return p.filter(p.customer_id.notnull())


def has_prices(orders: ibis.Table) -> bool:
    """True when at least one paid order carries a total amount."""
    p = paid_orders(orders)
    return int(p.filter(p.total_amount.notnull()).count().to_pyarrow().as_py()) > 0
