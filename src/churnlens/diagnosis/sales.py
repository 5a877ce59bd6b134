"""Sales over time: revenue, orders, buyers, average order value, failed payments.

``sales_daily``, ``sales_weekly`` (weeks start on Monday) and ``sales_monthly`` have the columns
period_start, revenue (currency, or items without prices), revenue_value (int64 cents or
items), orders (paid), buyers (distinct customers with a paid order), aov (revenue / orders),
failed_orders, failed_share (failed / (paid + failed) orders), unit. ``sales_monthly`` adds the
change in revenue against the month before (``revenue_mom``) and the same month a year before
(``revenue_yoy``), as shares (-0.12 = 12 % less), NULL when that month has no sales.

``category_sales_monthly``: per month and top category (``category_l1``; ``unknown`` when the
product has none) the item revenue (quantity x unit price of paid orders' lines, before
discounts and shipping, or items without prices), items, orders and the category's share of
the month's item revenue.
"""

from __future__ import annotations

import ibis

from churnlens.segments.paid_orders import ITEMS, MONEY, to_units

GRAINS = {"daily": "D", "weekly": "W", "monthly": "M"}


def sales(orders: ibis.Table, paid: ibis.Table, grain: str, priced: bool) -> ibis.Table:
    """Sales per day, week or month (``grain`` one of `GRAINS`)."""
    unit = GRAINS[grain]
    p = paid.mutate(period_start=paid.order_ts.truncate(unit))
    s = p.group_by("period_start").aggregate(
        revenue_value=p.value.sum(),
        orders=p.order_id.count(),
        buyers=p.customer_id.nunique(),
    )
    f = orders.filter(orders.status == "failed")
    f = (
        f.mutate(period_start=f.order_ts.truncate(unit))
        .group_by("period_start")
        .aggregate(failed_orders=ibis._.order_id.count())
    )
    j = s.outer_join(f, s.period_start == f.period_start).select(
        period_start=ibis.coalesce(s.period_start, f.period_start),
        revenue_value=s.revenue_value.fill_null(0),
        orders=s.orders.fill_null(0),
        buyers=s.buyers.fill_null(0),
        failed_orders=f.failed_orders.fill_null(0),
    )
    revenue = to_units(j.revenue_value, priced)
    out = j.mutate(
        revenue=revenue,
        aov=ibis.ifelse(j.orders > 0, revenue / j.orders.cast("float64"), ibis.null("float64")),
        failed_share=j.failed_orders.cast("float64") / (j.orders + j.failed_orders).cast("float64"),
        unit=ibis.literal(MONEY if priced else ITEMS),
    )
    out = out.select(
        "period_start",
        "revenue",
        "revenue_value",
        "orders",
        "buyers",
        "aov",
        "failed_orders",
        "failed_share",
        "unit",
    )
    if grain == "monthly":
        out = with_changes(out)
    return out.order_by("period_start")


def with_changes(monthly: ibis.Table) -> ibis.Table:
    """Add revenue_mom and revenue_yoy by joining each month to the months 1 and 12 before."""
    m = monthly.mutate(_k=monthly.period_start.year() * 12 + monthly.period_start.month())
    prev = m.select(_k1=m._k + 1, _rev1=m.revenue_value)
    year = m.select(_k12=m._k + 12, _rev12=m.revenue_value)
    j = m.left_join(prev, m._k == prev._k1).left_join(year, m._k == year._k12)

    def change(old):
        return ibis.ifelse(
            old > 0, (j.revenue_value - old).cast("float64") / old.cast("float64"), ibis.null("float64")
        )

    return j.select(*monthly.columns, revenue_mom=change(j._rev1), revenue_yoy=change(j._rev12))


def category_sales_monthly(
    orders: ibis.Table, order_items: ibis.Table, products: ibis.Table | None, priced: bool
) -> ibis.Table:
    """Item revenue per month and top category (see the module doc)."""
    o = orders.filter(orders.status == "paid").select("order_id", "order_ts")
    li = order_items.inner_join(o, order_items.order_id == o.order_id)
    if products is not None:
        li = li.left_join(products, li.product_id == products.product_id).select(
            *[li[c] for c in li.columns], category=products.category_l1
        )
    else:
        li = li.mutate(category=ibis.null("string"))
    amount = (li.quantity * li.unit_price.fill_null(0)) if priced else li.quantity
    li = li.mutate(
        month=li.order_ts.truncate("M"),
        category=li.category.fill_null("unknown"),
        _amount=amount,
    )
    g = li.group_by(["month", "category"]).aggregate(
        item_revenue=li._amount.sum(),
        items=li.quantity.sum(),
        orders=li.order_id.nunique(),
    )
    month_total = g.item_revenue.sum().over(ibis.window(group_by=g.month))
    return g.mutate(
        share_of_month=ibis.ifelse(month_total != 0, g.item_revenue / month_total, ibis.null("float64")),
        unit=ibis.literal(MONEY if priced else ITEMS),
    ).order_by(["month", ibis.desc("item_revenue"), "category"])
