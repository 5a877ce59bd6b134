"""Product performance per period: revenue, units, orders, buyers, growth, rankings.

Only **paid** orders count. A line's revenue is ``quantity * unit_price`` (NULL for shops
without prices, such as Instacart, where every measure is then in units). An *item* is a
product or a category value at one level (``category_l1`` = masterCategory/department,
``category_l2`` = subCategory/aisle, ``category_l3`` = articleType).

`product_stats` gives one row per (level, item, period) with the previous period's figures
beside it (0 when the item did not sell then), the growth of the main measure (revenue, or
units without prices) and its ranks within the period. `highlights` picks, for the last
complete period, the best and worst sellers, rising and falling items (all among items with at
least ``min_orders`` orders) and the items most bought in customers' first orders.
"""

from __future__ import annotations

import ibis
import pandas as pd

from churnlens.config import ProductsConfig
from churnlens.errors import DataError

PERIODS: dict[str, str] = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
CATEGORY_LEVELS: tuple[str, ...] = ("category_l1", "category_l2", "category_l3")


def check_level(level: str) -> None:
    if level != "product" and level not in CATEGORY_LEVELS:
        raise DataError(
            f"Unknown product level '{level}'.",
            values=[level],
            fix=f"Use 'product' or one of {list(CATEGORY_LEVELS)}.",
        )


def available_levels(products: ibis.Table | None, wanted: list[str]) -> list[str]:
    """The wanted levels the products table can give (a category column with a value)."""
    out = []
    for level in wanted:
        check_level(level)
        if level == "product":
            out.append(level)
        elif products is not None and level in products.columns:
            filled = products.filter(products[level].notnull()).count().to_pyarrow().as_py()
            if filled:
                out.append(level)
    return out


def paid_lines(orders: ibis.Table, order_items: ibis.Table, products: ibis.Table | None) -> ibis.Table:
    """Order lines of paid orders with their order's customer and time and the categories.

    Columns: order_id, customer_id, order_ts, line_no, product_id, quantity, unit_price,
    revenue, cart_position, reordered, name, category_l1, category_l2, category_l3.
    """
    paid = orders.filter(orders.status == "paid").select("order_id", "customer_id", "order_ts")
    li = order_items
    j = li.inner_join(paid, li.order_id == paid.order_id).select(
        li.order_id,
        paid.customer_id,
        paid.order_ts,
        li.line_no,
        li.product_id,
        li.quantity,
        li.unit_price,
        revenue=li.quantity * li.unit_price,
        cart_position=li.cart_position,
        reordered=li.reordered,
    )
    cats = {c: ibis.null("string") for c in ("name", *CATEGORY_LEVELS)}
    if products is None:
        return j.mutate(**cats)
    p = products.select(
        products.product_id.name("_pid"),
        *[(products[c] if c in products.columns else cats[c]).cast("string").name(c) for c in cats],
    )
    out = j.left_join(p, j.product_id == p._pid)
    return out.select(*j.columns, *cats)


def item_of(lines: ibis.Table, level: str) -> ibis.Value:
    check_level(level)
    return lines.product_id if level == "product" else lines[level]


def period_columns(ts: ibis.Value, period: str) -> tuple[ibis.Value, ibis.Value]:
    """``(period_start, period_index)``: consecutive periods have consecutive indexes."""
    if period not in PERIODS:
        raise DataError(f"Unknown period '{period}'.", values=[period], fix=f"Use one of {list(PERIODS)}.")
    start = ts.truncate(PERIODS[period])
    if period == "week":
        index = (start.epoch_seconds() // 604800).cast("int64")
    elif period == "month":
        index = (start.year() * 12 + start.month() - 1).cast("int64")
    elif period == "quarter":
        index = (start.year() * 4 + (start.month() - 1) // 3).cast("int64")
    else:
        index = start.year().cast("int64")
    return start, index


def first_orders(lines: ibis.Table) -> ibis.Table:
    """``order_id`` of every customer's first paid order (earliest time, then smallest id)."""
    o = lines.filter(lines.customer_id.notnull()).select("order_id", "customer_id", "order_ts").distinct()
    w = ibis.window(group_by=o.customer_id, order_by=[o.order_ts, o.order_id])
    o = o.mutate(_n=ibis.row_number().over(w))
    return o.filter(o._n == 0).select("order_id", _first=ibis.literal(1))


def item_period_stats(lines: ibis.Table, level: str, period: str) -> ibis.Table:
    """One row per (item, period): name, revenue, units, orders, buyers, first_orders."""
    item = item_of(lines, level)
    start, index = period_columns(lines.order_ts, period)
    firsts = first_orders(lines)
    x = lines.filter(item.notnull()).mutate(item=item, period_start=start, period_index=index)
    x = x.left_join(firsts, x.order_id == firsts.order_id).select(*x.columns, "_first")
    first_order_id = ibis.ifelse(x._first.notnull(), x.order_id, ibis.null("string"))
    name = x.name if level == "product" else x.item
    return x.group_by(["item", "period_start", "period_index"]).aggregate(
        name=name.max(),
        revenue=x.revenue.sum(),
        units=x.quantity.sum(),
        orders=x.order_id.nunique(),
        buyers=x.customer_id.nunique(),
        first_orders=first_order_id.nunique(),
    )


def product_stats(lines: ibis.Table, level: str, period: str, priced: bool) -> ibis.Table:
    """Per (item, period) figures, the previous period's, growth and ranks within the period.

    Columns: level, item, name (product name; the item for categories), period_start, period_index, revenue, units, orders, buyers,
    first_orders, revenue_prev, units_prev, orders_prev, growth (of revenue, or of units
    without prices; NULL when the previous period is 0), rank_revenue, rank_units, rank_orders,
    rank_buyers (1 = best; ties share the best rank).
    """
    cur = item_period_stats(lines, level, period)
    prev = cur.select(
        _item=cur.item,
        _next=cur.period_index + 1,
        revenue_prev=cur.revenue,
        units_prev=cur.units,
        orders_prev=cur.orders,
    )
    j = cur.left_join(prev, (cur.item == prev._item) & (cur.period_index == prev._next))
    j = j.select(
        *cur.columns,
        revenue_prev=prev.revenue_prev.fill_null(0) if priced else ibis.null("float64"),
        units_prev=prev.units_prev.fill_null(0),
        orders_prev=prev.orders_prev.fill_null(0),
    )
    measure, before = (j.revenue, j.revenue_prev) if priced else (j.units, j.units_prev)
    growth = ibis.ifelse(before > 0, (measure - before) / before, ibis.null("float64"))

    def rank(col: ibis.Value) -> ibis.Value:
        w = ibis.window(group_by=j.period_index, order_by=ibis.desc(col))
        return (ibis.rank().over(w) + 1).cast("int64")

    return j.select(
        level=ibis.literal(level),
        item=j.item,
        name=j.name,
        period_start=j.period_start,
        period_index=j.period_index,
        revenue=j.revenue,
        units=j.units,
        orders=j.orders.cast("int64"),
        buyers=j.buyers.cast("int64"),
        first_orders=j.first_orders.cast("int64"),
        revenue_prev=j.revenue_prev.cast("float64"),
        units_prev=j.units_prev.cast("float64"),
        orders_prev=j.orders_prev.cast("int64"),
        growth=growth.cast("float64"),
        rank_revenue=rank(j.revenue) if priced else ibis.null("int64"),
        rank_units=rank(j.units),
        rank_orders=rank(j.orders),
        rank_buyers=rank(j.buyers),
    )


def last_complete_period(stats: pd.DataFrame, last_ts: pd.Timestamp, period: str) -> int | None:
    """Index of the last period the data covers to its end (else the one before it)."""
    if stats.empty:
        return None
    per = stats[["period_index", "period_start"]].drop_duplicates().sort_values("period_index")
    last = per.iloc[-1]
    offset = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}.get(period)
    offset = offset or (pd.DateOffset(months=3) if period == "quarter" else pd.DateOffset(years=1))
    end_day = (pd.Timestamp(last.period_start) + offset - pd.Timedelta(days=1)).normalize()
    if pd.Timestamp(last_ts).normalize() >= end_day or len(per) == 1:
        return int(last.period_index)
    return int(per.iloc[-2].period_index)


def highlights(
    stats: pd.DataFrame, period_index: int | None, cfg: ProductsConfig, priced: bool
) -> pd.DataFrame:
    """Best/worst sellers, rising/falling items and first-order items of one period.

    ``stats`` is `product_stats` (any levels) as a DataFrame. Columns of the result: level, kind
    (best_seller, worst_seller, rising, falling, first_order), rank (1 = first of its list),
    item, name, period_start, value (what the list is ranked by), orders, growth.
    """
    cols = ["level", "kind", "rank", "item", "name", "period_start", "value", "orders", "growth"]
    if period_index is None or stats.empty:
        return pd.DataFrame(columns=cols)
    measure = "revenue" if priced else "units"
    cur = stats[stats.period_index == period_index]
    out = []
    for level, g in cur.groupby("level", sort=True):
        ok = g[g.orders >= cfg.min_orders]
        picks = {
            "best_seller": ok.sort_values([measure, "item"], ascending=[False, True]),
            "worst_seller": ok.sort_values([measure, "item"], ascending=[True, True]),
            "rising": ok[ok.growth >= cfg.growth_threshold].sort_values(
                ["growth", "item"], ascending=[False, True]
            ),
            "falling": ok[ok.growth <= -cfg.growth_threshold].sort_values(["growth", "item"]),
            "first_order": g[g.first_orders > 0].sort_values(
                ["first_orders", "item"], ascending=[False, True]
            ),
        }
        for kind, rows in picks.items():
            rows = rows.head(cfg.top_n)
            value = rows["growth"] if kind in ("rising", "falling") else rows[measure]
            if kind == "first_order":
                value = rows["first_orders"]
            out.append(
                pd.DataFrame(
                    {
                        "level": level,
                        "kind": kind,
                        "rank": range(1, len(rows) + 1),
                        "item": rows["item"].to_numpy(),
                        "name": rows["name"].to_numpy(),
                        "period_start": rows["period_start"].to_numpy(),
                        "value": value.astype("float64").to_numpy(),
                        "orders": rows["orders"].astype("int64").to_numpy(),
                        "growth": rows["growth"].astype("float64").to_numpy(),
                    }
                )
            )
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols]
