"""Frequent pairs in baskets: support, confidence and lift, computed in the engine.

A basket is one paid order; its items are the distinct products (or category values at one
level) on its lines. With ``N`` baskets, ``n_a`` baskets holding item a and ``n_ab`` holding
both a and b:

- support(a, b) = n_ab / N
- confidence(a -> b) = n_ab / n_a
- lift(a, b) = n_ab * N / (n_a * n_b)  (1 = bought together as often as by chance)

Scaling: a pair can only reach the minimum count ``k = max(min_pair_orders,
ceil(min_support * N))`` if both of its items reach it alone, so items below ``k`` are dropped
first; the remaining items get integer codes in their text order, the (basket, code) rows are
joined with themselves on the basket with ``code_a < code_b`` (so ``item_a < item_b``) and
counted on the integer codes, and only pairs with ``n_ab >= k`` are kept. Nothing leaves the
engine but the pairs.

A rule is a cross-sell suggestion only when its pair is bought together more often than chance:
lift above 1, a one-sided Fisher exact test (hypergeometric tail) significant after
Benjamini-Hochberg adjustment over the level's pairs (``p_adjusted <= basket_alpha``), and among
the antecedent's ``cross_sell_top_n`` best partners (`cross_sell`).
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd

from churnlens.products.product_stats import check_level
from churnlens.products.significance import bh_adjust, together_p_value


def basket_items(
    order_items: ibis.Table,
    level: str = "product",
    products: ibis.Table | None = None,
    orders: ibis.Table | None = None,
) -> ibis.Table:
    """Distinct ``(order_id, item)`` rows: the baskets.

    With ``orders``, only paid orders count (cancellations and failed payments are not
    baskets). At a category level, ``products`` gives each product's category; lines whose
    product has no category at that level are left out.
    """
    check_level(level)
    li = order_items.filter(order_items.product_id.notnull())
    if orders is not None:
        paid = orders.filter(orders.status == "paid").select(_oid=orders.order_id)
        li = li.semi_join(paid, li.order_id == paid._oid)
    if level == "product":
        return li.select("order_id", item=li.product_id).distinct()
    p = products.select(_pid=products.product_id, _cat=products[level].cast("string"))
    j = li.inner_join(p, li.product_id == p._pid)
    j = j.filter(j._cat.notnull())
    return j.select(j.order_id, item=j._cat).distinct()


def count_baskets(items: ibis.Table) -> int:
    """Number of baskets holding at least one item."""
    return int(items.order_id.nunique().to_pyarrow().as_py())


def min_count(baskets: int, min_support: float, min_pair_orders: int) -> int:
    """The smallest pair count kept: the stricter of the support and the absolute minimum."""
    return max(int(min_pair_orders), math.ceil(min_support * baskets - 1e-9), 1)


def frequent_pairs(
    items: ibis.Table, min_support: float = 0.0, min_pair_orders: int = 1, baskets: int | None = None
) -> ibis.Table:
    """One row per unordered pair ``item_a < item_b`` bought together at least the minimum times.

    ``items`` has columns ``order_id, item`` (distinct; see `basket_items`). ``baskets``
    defaults to the number of distinct orders in ``items``.

    Columns: item_a, item_b, pair_orders, orders_a, orders_b, baskets, support, confidence_ab
    (a -> b), confidence_ba (b -> a), lift.
    """
    n = count_baskets(items) if baskets is None else int(baskets)
    k = min_count(n, min_support, min_pair_orders)
    counts = items.group_by("item").aggregate(item_orders=items.order_id.count())
    counts = counts.filter(counts.item_orders >= k)
    # Integer codes in the items' text order: the join and the pair count run on integers,
    # and code_a < code_b is the same as item_a < item_b.
    codes = counts.mutate(code=ibis.row_number().over(ibis.window(order_by=counts.item)))
    c = codes.select(_item=codes.item, code=codes.code)
    keep = items.inner_join(c, items.item == c._item).select("order_id", "code")
    a = keep.select(_oa=keep.order_id, code_a=keep.code)
    b = keep.select(_ob=keep.order_id, code_b=keep.code)
    pairs = a.inner_join(b, (a._oa == b._ob) & (a.code_a < b.code_b))
    pc = pairs.group_by(["code_a", "code_b"]).aggregate(pair_orders=pairs._oa.count())
    pc = pc.filter(pc.pair_orders >= k)
    ca = codes.select(_ca=codes.code, item_a=codes.item, orders_a=codes.item_orders)
    cb = codes.select(_cb=codes.code, item_b=codes.item, orders_b=codes.item_orders)
    j = pc.inner_join(ca, pc.code_a == ca._ca).inner_join(cb, pc.code_b == cb._cb)
    nab = j.pair_orders.cast("float64")
    return j.select(
        item_a=j.item_a,
        item_b=j.item_b,
        pair_orders=j.pair_orders.cast("int64"),
        orders_a=j.orders_a.cast("int64"),
        orders_b=j.orders_b.cast("int64"),
        baskets=ibis.literal(n, type="int64"),
        support=nab / n,
        confidence_ab=nab / j.orders_a,
        confidence_ba=nab / j.orders_b,
        lift=nab * n / (j.orders_a.cast("float64") * j.orders_b),
    )


def pair_rules(pairs: ibis.Table, level: str, top_n: int) -> ibis.Table:
    """Both directions of every pair as rules ``antecedent -> consequent``, ranked per antecedent.

    Columns: level, antecedent, consequent, pair_orders, antecedent_orders, consequent_orders,
    baskets, support, confidence, lift, rank (1 = the antecedent's best partner: highest lift,
    then confidence, then consequent), cross_sell (rank <= ``top_n``).
    """
    common = dict(
        pair_orders=pairs.pair_orders, baskets=pairs.baskets, support=pairs.support, lift=pairs.lift
    )
    ab = pairs.select(
        antecedent=pairs.item_a,
        consequent=pairs.item_b,
        antecedent_orders=pairs.orders_a,
        consequent_orders=pairs.orders_b,
        confidence=pairs.confidence_ab,
        **common,
    )
    ba = pairs.select(
        antecedent=pairs.item_b,
        consequent=pairs.item_a,
        antecedent_orders=pairs.orders_b,
        consequent_orders=pairs.orders_a,
        confidence=pairs.confidence_ba,
        **common,
    )
    r = ab.union(ba, distinct=False)
    w = ibis.window(
        group_by=r.antecedent, order_by=[ibis.desc(r.lift), ibis.desc(r.confidence), r.consequent]
    )
    rank = (ibis.row_number().over(w) + 1).cast("int64")
    r = r.mutate(rank=rank)
    return r.select(
        level=ibis.literal(level),
        antecedent=r.antecedent,
        consequent=r.consequent,
        pair_orders=r.pair_orders,
        antecedent_orders=r.antecedent_orders,
        consequent_orders=r.consequent_orders,
        baskets=r.baskets,
        support=r.support,
        confidence=r.confidence,
        lift=r.lift,
        rank=r.rank,
        cross_sell=r.rank <= top_n,
    )


def cross_sell(rules: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Add ``p_value`` and ``p_adjusted`` (per level, over its pairs) to `pair_rules` rows and
    keep ``cross_sell`` only where the pair is bought together more often than chance."""
    out = rules.copy()
    out["p_value"] = together_p_value(
        out.pair_orders.to_numpy(), out.antecedent_orders.to_numpy(), out.consequent_orders.to_numpy(),
        out.baskets.to_numpy(),
    )  # fmt: skip
    out["p_adjusted"] = np.nan
    for _, idx in out.groupby("level").groups.items():
        # both directions of a pair share one test: adjust over the pairs, not the rules
        part = out.loc[idx]
        key = part[["antecedent", "consequent"]].apply(lambda r: tuple(sorted(r)), axis=1)
        first = ~key.duplicated()
        adjusted = pd.Series(bh_adjust(part.p_value[first].to_numpy()), index=key[first].to_numpy())
        out.loc[idx, "p_adjusted"] = key.map(adjusted).to_numpy()
    out["cross_sell"] = out.cross_sell.astype(bool) & (out.lift > 1) & (out.p_adjusted <= alpha)
    return out
