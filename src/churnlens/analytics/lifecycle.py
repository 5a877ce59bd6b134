"""Lifecycle state of every customer in every month (PostHog's definitions).

Activity is a paid order. In a month a customer is

- ``new``: active for the first time;
- ``returning``: active, and active in the previous month;
- ``resurrected``: active, not active in the previous month, active some time before;
- ``dormant``: not active, but active in the previous month.

A customer has no row in months before their first order and in the second and later
months of a lapse (still dormant); the months run up to the last month with any paid
order. ``new``, ``returning`` and ``resurrected`` partition the customers active in a month.

Tables
------
``customer_lifecycle``: ``customer_id``, ``month`` (first day), ``state``.

``lifecycle_monthly``: ``month``, ``state``, ``customers`` (a count, positive for every
state), ``signed_customers`` (negative for ``dormant``, as PostHog plots it).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from churnlens.analytics.cohorts import customer_months
from churnlens.analytics.months import month_from_index

STATES: tuple[str, ...] = ("new", "returning", "resurrected", "dormant")


def customer_lifecycle(orders: ir.Table) -> ir.Table:
    """``customer_lifecycle`` (module docstring) from canonical ``orders``."""
    cm = customer_months(orders).select("customer_id", "month_index")
    w = ibis.window(group_by=cm.customer_id, order_by=cm.month_index)
    cm = cm.mutate(
        _prev=cm.month_index.lag().over(w),
        _next=cm.month_index.lead().over(w),
        _last=cm.month_index.max().over(ibis.window()),
    )
    active = cm.select(
        "customer_id",
        "month_index",
        state=ibis.cases(
            (cm._prev.isnull(), "new"),
            (cm._prev == cm.month_index - 1, "returning"),
            else_="resurrected",
        ),
    )
    lapse = cm.filter(cm._next.isnull() | (cm._next > cm.month_index + 1), cm.month_index + 1 <= cm._last)
    dormant = lapse.select(
        "customer_id", month_index=lapse.month_index + 1, state=ibis.literal("dormant", "string")
    )
    t = ibis.union(active, dormant)
    return t.select("customer_id", month=month_from_index(t.month_index), state=t.state)


def lifecycle_monthly(customer_lifecycle_table: ir.Table) -> ir.Table:
    """``lifecycle_monthly`` (module docstring) from `customer_lifecycle`'s output."""
    c = customer_lifecycle_table
    t = c.group_by("month", "state").aggregate(customers=c.count())
    return t.mutate(signed_customers=ibis.ifelse(t.state == "dormant", -t.customers, t.customers))
