"""Monthly acquisition cohorts: active-customer and revenue retention.

A customer's cohort is the month of their first paid order. For every cohort and every
month since it (0 = the acquisition month) the table counts the cohort's customers with a
paid order in that month and their revenue (sum of ``total_amount``).

Table ``cohort_retention`` (one row per cohort x months_since with any activity):

- ``cohort_month``: first day of the acquisition month; ``months_since``: 0, 1, 2, ...;
- ``cohort_customers``: customers acquired in the cohort month;
- ``active_customers``: of them, customers with a paid order in that month;
- ``retention``: active_customers / cohort_customers (1 at months_since 0);
- ``revenue``: their paid revenue in that month (NULL for shops without prices);
- ``revenue_retention``: revenue / the cohort's revenue in its acquisition month.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from churnlens.analytics.attributes import paid_orders
from churnlens.analytics.months import month_index, month_start


def customer_months(orders: ir.Table) -> ir.Table:
    """One row per customer and month with a paid order: ``customer_id``, ``month``,
    ``month_index``, ``revenue``."""
    p = paid_orders(orders)
    p = p.mutate(month=month_start(p.order_ts), month_index=month_index(p.order_ts))
    return p.group_by("customer_id", "month", "month_index").aggregate(revenue=p.total_amount.sum())


def cohort_retention(orders: ir.Table) -> ir.Table:
    """``cohort_retention`` (module docstring) from canonical ``orders``."""
    cm = customer_months(orders)
    w = ibis.window(group_by=cm.customer_id)
    cm = cm.mutate(
        cohort_month=cm.month.min().over(w),
        months_since=cm.month_index - cm.month_index.min().over(w),
    )
    t = cm.group_by("cohort_month", "months_since").aggregate(
        active_customers=cm.count(), revenue=cm.revenue.sum()
    )
    cohort = ibis.window(group_by=t.cohort_month)
    t = t.mutate(
        cohort_customers=t.active_customers.max(where=t.months_since == 0).over(cohort),
        _revenue0=t.revenue.max(where=t.months_since == 0).over(cohort),
    )
    t = t.mutate(
        retention=t.active_customers.cast("float64") / t.cohort_customers,
        revenue_retention=ibis.ifelse(t._revenue0 == 0, ibis.null("float64"), t.revenue / t._revenue0),
    )
    return t.select(
        "cohort_month",
        "months_since",
        "cohort_customers",
        "active_customers",
        "retention",
        "revenue",
        "revenue_retention",
    )
