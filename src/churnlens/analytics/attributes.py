"""Who a unit of behaviour (a session, a visitor's funnel, a customer) belongs to.

`with_attributes` adds the breakdown columns every behaviour table uses to a table that has
``customer_id`` (NULL for anonymous visitors) and ``start_ts``:

- ``gender``: as in ``customers`` (``"unknown"`` when missing or anonymous);
- ``age_band``: age at ``start_ts`` (`churnlens.analytics.demographics.age_band`);
- ``device``: ``customers.device_type``;
- ``customer_type``: ``"returning"`` when the customer has a paid order before ``start_ts``,
  else ``"new"`` (anonymous visitors are new);
- ``month``: first day of the month of ``start_ts``.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from churnlens.analytics.demographics import DEFAULT_AGE_EDGES, age_band
from churnlens.analytics.months import month_start
from churnlens.paid import customer_paid_orders

UNKNOWN = "unknown"
#: Breakdown dimensions `with_attributes` adds, in the order tables list them.
DIMENSIONS: tuple[str, ...] = ("gender", "age_band", "device", "customer_type", "month")


def paid_orders(orders: ir.Table) -> ir.Table:
    """Paid orders of known customers (`churnlens.paid`)."""
    return customer_paid_orders(orders)


def with_attributes(
    units: ir.Table,
    customers: ir.Table | None,
    orders: ir.Table | None,
    age_edges: Sequence[int] = DEFAULT_AGE_EDGES,
) -> ir.Table:
    """``units`` with the columns listed in the module docstring added."""
    t = units
    if customers is not None:
        c = customers.select(
            _c_id=customers.customer_id,
            _gender=customers.gender,
            _birth=customers.birth_date,
            _device=customers.device_type,
        )
        t = t.left_join(c, t.customer_id == c._c_id).drop("_c_id")
    else:
        t = t.mutate(_gender=ibis.null("string"), _birth=ibis.null("date"), _device=ibis.null("string"))
    if orders is not None:
        p = paid_orders(orders)
        first = p.group_by(_o_id=p.customer_id).aggregate(_first_order=p.order_ts.min())
        t = t.left_join(first, t.customer_id == first._o_id).drop("_o_id")
    else:
        t = t.mutate(_first_order=ibis.null("timestamp"))
    t = t.mutate(
        gender=t._gender.fill_null(UNKNOWN),
        age_band=age_band(t._birth, t.start_ts, age_edges).fill_null(UNKNOWN),
        device=t._device.fill_null(UNKNOWN),
        customer_type=ibis.ifelse(t._first_order < t.start_ts, "returning", "new").fill_null("new"),
        month=month_start(t.start_ts),
    )
    return t.drop("_gender", "_birth", "_device", "_first_order")
