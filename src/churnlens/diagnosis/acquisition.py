"""Acquisition: new customers per month, by sign-up and by first purchase.

``acquisition_monthly`` columns: month, signups (customers whose ``signup_ts`` falls in the
month), first_buyers (customers whose first paid order falls in it), signups_who_buy (of the
month's sign-ups, those with a paid order at any time), buy_share (signups_who_buy /
signups, NULL without sign-ups). Shops without sign-up dates have signups = 0.
"""

from __future__ import annotations

import ibis


def acquisition_monthly(customers: ibis.Table | None, paid: ibis.Table) -> ibis.Table:
    known = paid.filter(paid.customer_id.notnull())
    first = known.group_by("customer_id").aggregate(first_ts=known.order_ts.min())
    fb = first.group_by(month=first.first_ts.truncate("M")).aggregate(first_buyers=first.customer_id.count())
    if customers is None:
        return (
            fb.mutate(
                signups=ibis.literal(0, "int64"),
                signups_who_buy=ibis.literal(0, "int64"),
                buy_share=ibis.null("float64"),
            )
            .select("month", "signups", "first_buyers", "signups_who_buy", "buy_share")
            .order_by("month")
        )
    c = customers.filter(customers.signup_ts.notnull())
    c = c.left_join(first, c.customer_id == first.customer_id).select(
        month=c.signup_ts.truncate("M"), buyer=first.first_ts.notnull()
    )
    su = c.group_by("month").aggregate(signups=c.month.count(), signups_who_buy=c.buyer.cast("int64").sum())
    j = su.outer_join(fb, su.month == fb.month).select(
        month=ibis.coalesce(su.month, fb.month),
        signups=su.signups.fill_null(0),
        first_buyers=fb.first_buyers.fill_null(0),
        signups_who_buy=su.signups_who_buy.fill_null(0),
    )
    return j.mutate(
        buy_share=ibis.ifelse(
            j.signups > 0, j.signups_who_buy.cast("float64") / j.signups.cast("float64"), ibis.null("float64")
        )
    ).order_by("month")
