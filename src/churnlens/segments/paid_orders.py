"""Paid orders with an exact integer value: what revenue means for segments and diagnosis.

Revenue is the ``total_amount`` of orders whose ``status`` is ``paid``. To add up exactly,
every order's value is held as an integer: **cents** of the source currency when the shop has
prices, else the **number of items** bought (the sum of ``order_items.quantity``; shops without
prices such as Instacart). `value_unit` says which, so every result can say so too.
"""

from __future__ import annotations

import calendar
from datetime import datetime

import ibis

from churnlens.paid import has_prices  # noqa: F401 - the one definition, used from here too
from churnlens.paid import paid_orders as paid_rows

MONEY = "money"
ITEMS = "items"


def items_per_order(order_items: ibis.Table) -> ibis.Table:
    """``order_id, items`` (sum of quantities; lines with a negative quantity count as given)."""
    return order_items.group_by("order_id").aggregate(items=order_items.quantity.sum())


def paid_orders(orders: ibis.Table, order_items: ibis.Table | None, priced: bool) -> ibis.Table:
    """Paid orders with ``value`` (int64: cents, or items when ``priced`` is False).

    Columns: order_id, customer_id (NULL for guests), order_ts, promo_code, discount_amount,
    items_amount, items, value.
    """
    paid = paid_rows(orders)
    if order_items is not None:
        items = items_per_order(order_items)
        paid = paid.left_join(items, paid.order_id == items.order_id).select(
            *[paid[c] for c in paid.columns], items=items["items"]
        )
    else:
        paid = paid.mutate(items=ibis.null("float64"))
    if priced:
        value = (paid.total_amount.fill_null(0) * 100).round().cast("int64")
    else:
        value = paid["items"].fill_null(0).round().cast("int64")
    return paid.select(
        "order_id",
        "customer_id",
        "order_ts",
        "promo_code",
        "discount_amount",
        "items_amount",
        "items",
        value=value,
    )


def to_units(value: ibis.Value, priced: bool) -> ibis.Value:
    """Integer value back to currency (cents / 100) or items."""
    return value.cast("float64") / 100 if priced else value.cast("float64")


def epoch(ts: datetime) -> int:
    """Seconds since 1970 of a naive UTC timestamp (as the engines read ``epoch_seconds``)."""
    return calendar.timegm(ts.timetuple())
