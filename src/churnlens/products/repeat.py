"""Repeat behaviour: reorder rates per item, by cart position, and cart-to-purchase rates.

A purchase is one (paid order, product) pair. It is a **reorder** when the shop's own flag says
so (Instacart's ``reordered``), or, for shops without the flag, when the same customer bought
the product in an earlier paid order (guest orders have no customer and no reorder flag).
Per item (product or category value):

- reorder_rate = reorders / purchases (Instacart's definition, also for aisles and departments)
- repeat_buyer_rate = customers who bought the item in two or more orders / customers who bought it

Items with fewer than ``min_orders`` purchases get no rates (NULL). `flag_low_reorder` marks
high-volume items with low reorder rates. For order lines with cart positions,
`cart_position_rates` gives per category and position the share of that position's lines in
the category and their reorder rate. For click streams, `cart_conversion` gives the share of
add-to-cart events whose product was then bought in the same session, by category and by the
item's position among the session's add-to-cart events.
"""

from __future__ import annotations

import ibis
import pandas as pd

from churnlens.config import ProductsConfig
from churnlens.products.product_stats import CATEGORY_LEVELS, item_of


def has_reorder_flag(lines: ibis.Table) -> bool:
    return bool(lines.filter(lines.reordered.notnull()).count().to_pyarrow().as_py())


def purchases(lines: ibis.Table, source_flag: bool) -> ibis.Table:
    """One row per (paid order, product) with its reorder flag and first cart position.

    ``lines`` is `paid_lines`. Columns: order_id, customer_id, order_ts, product_id,
    cart_position, reordered, name, category_l1, category_l2, category_l3.
    """
    keys = ["order_id", "customer_id", "order_ts", "product_id", "name", *CATEGORY_LEVELS]
    x = lines.filter(lines.product_id.notnull())
    g = x.group_by(keys).aggregate(cart_position=x.cart_position.min(), _flag=x.reordered.any())
    if source_flag:
        return g.select(*keys[:4], "cart_position", reordered=g._flag, **{c: g[c] for c in keys[4:]})
    w = ibis.window(group_by=[g.customer_id, g.product_id], order_by=[g.order_ts, g.order_id])
    flag = ibis.ifelse(g.customer_id.isnull(), ibis.null("boolean"), ibis.row_number().over(w) > 0)
    return g.select(*keys[:4], "cart_position", reordered=flag, **{c: g[c] for c in keys[4:]})


def reorder_rates(purch: ibis.Table, level: str, min_orders: int) -> ibis.Table:
    """Per item: purchases, reorders, reorder_rate, buyers, repeat_buyers, repeat_buyer_rate.

    Columns: level, item, name, purchases, reorders, reorder_rate, buyers, repeat_buyers,
    repeat_buyer_rate (rates NULL below ``min_orders`` purchases).
    """
    item = item_of(purch, level)
    x = purch.filter(item.notnull()).mutate(item=item)
    per_buyer = (
        x.filter(x.customer_id.notnull()).group_by(["item", "customer_id"]).aggregate(n=x.order_id.nunique())
    )
    rb = per_buyer.group_by("item").aggregate(
        buyers=per_buyer.customer_id.count(), repeat_buyers=(per_buyer.n >= 2).cast("int64").sum()
    )
    name = x.name if level == "product" else x.item
    g = x.group_by("item").aggregate(
        name=name.max(),
        purchases=x.count(),
        flagged=x.reordered.notnull().cast("int64").sum(),
        reorders=x.reordered.cast("int64").sum(),
    )
    j = g.left_join(rb, g.item == rb.item).select(*g.columns, "buyers", "repeat_buyers")
    ok = j.purchases >= min_orders
    buyers = j.buyers.fill_null(0).cast("int64")
    repeat = j.repeat_buyers.fill_null(0).cast("int64")
    return j.select(
        level=ibis.literal(level),
        item=j.item,
        name=j.name,
        purchases=j.purchases.cast("int64"),
        reorders=j.reorders.fill_null(0).cast("int64"),
        reorder_rate=ibis.ifelse(
            ok & (j.flagged > 0), j.reorders.cast("float64") / j.flagged, ibis.null("float64")
        ),
        buyers=buyers,
        repeat_buyers=repeat,
        repeat_buyer_rate=ibis.ifelse(
            ok & (buyers > 0), repeat.cast("float64") / buyers, ibis.null("float64")
        ),
    )


def flag_low_reorder(rates: pd.DataFrame, cfg: ProductsConfig) -> pd.DataFrame:
    """Add ``low_reorder_high_volume``: among items with a rate, purchases at or above the
    ``high_volume_quantile`` and reorder rate at or below the ``low_reorder_quantile`` (per level)."""
    out = rates.copy()
    out["low_reorder_high_volume"] = False
    for _level, g in out[out.reorder_rate.notna()].groupby("level"):
        vol = g.purchases.quantile(cfg.high_volume_quantile)
        low = g.reorder_rate.quantile(cfg.low_reorder_quantile)
        hit = g.index[(g.purchases >= vol) & (g.reorder_rate <= low)]
        out.loc[hit, "low_reorder_high_volume"] = True
    return out


def cart_position_rates(purch: ibis.Table, level: str, max_position: int) -> ibis.Table:
    """Per (category, cart position): lines, their share of the position's lines, reorder rate.

    Positions above ``max_position`` are pooled as ``max_position + 1``. Columns: level, item,
    cart_position, lines, position_share, reorder_rate.
    """
    item = item_of(purch, level)
    x = purch.filter(purch.cart_position.notnull() & item.notnull())
    pos = ibis.least(x.cart_position, max_position + 1).cast("int64")
    x = x.mutate(item=item, pos=pos)
    g = x.group_by(["item", "pos"]).aggregate(
        lines=x.count(),
        flagged=x.reordered.notnull().cast("int64").sum(),
        reorders=x.reordered.cast("int64").sum(),
    )
    tot = g.lines.sum().over(ibis.window(group_by=g.pos))
    return g.select(
        level=ibis.literal(level),
        item=g.item,
        cart_position=g.pos,
        lines=g.lines.cast("int64"),
        position_share=g.lines.cast("float64") / tot,
        reorder_rate=ibis.ifelse(g.flagged > 0, g.reorders.cast("float64") / g.flagged, ibis.null("float64")),
    )


def cart_conversion(
    events: ibis.Table,
    orders: ibis.Table,
    order_items: ibis.Table,
    products: ibis.Table | None,
    levels: list[str],
    max_position: int,
) -> ibis.Table:
    """Cart-to-purchase rate by category and by position in the session's cart.

    An add-to-cart event converts when a paid order of the same session holds its product.
    Position = rank of the event among the session's add-to-cart events (by time, then id),
    pooled above ``max_position``. Columns: dimension (a category level or ``cart_position``),
    key, added, purchased, conversion_rate.
    """
    e = events.filter(
        (events.event_type == "add_to_cart") & events.product_id.notnull() & events.session_id.notnull()
    )
    w = ibis.window(group_by=e.session_id, order_by=[e.event_ts, e.event_id])
    e = e.mutate(pos=ibis.least(ibis.row_number().over(w) + 1, max_position + 1).cast("int64"))
    paid = orders.filter((orders.status == "paid") & orders.session_id.notnull())
    bought = paid.inner_join(order_items, paid.order_id == order_items.order_id)
    bought = bought.select(_sid=bought.session_id, _pid=bought.product_id).distinct()
    e = e.left_join(bought, (e.session_id == bought._sid) & (e.product_id == bought._pid))
    e = e.select("event_id", "product_id", "pos", converted=bought._sid.notnull().cast("int64"))
    parts = []
    cats = [lv for lv in levels if lv in CATEGORY_LEVELS]
    if products is not None and cats:
        p = products.select(_pid=products.product_id, **{c: products[c].cast("string") for c in cats})
        ec = e.left_join(p, e.product_id == p._pid)
        for c in cats:
            f = ec.filter(ec[c].notnull())
            g = f.group_by(key=f[c]).aggregate(added=f.count(), purchased=f.converted.sum())
            parts.append(g.mutate(dimension=ibis.literal(c)))
    g = e.group_by(key=e.pos.cast("string")).aggregate(added=e.count(), purchased=e.converted.sum())
    parts.append(g.mutate(dimension=ibis.literal("cart_position")))
    u = parts[0]
    for p2 in parts[1:]:
        u = u.union(p2, distinct=False)
    return u.select(
        "dimension",
        "key",
        added=u.added.cast("int64"),
        purchased=u.purchased.cast("int64"),
        conversion_rate=u.purchased.cast("float64") / u.added,
    )
