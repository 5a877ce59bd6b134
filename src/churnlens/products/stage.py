"""The products stage of the pipeline: every product table the shop's data allows.

Results: ``product_stats`` (per level, item and period), ``product_highlights`` (best/worst,
rising/falling and first-order items of the last complete period), ``product_repeat`` (reorder
rates), ``cart_positions`` (when lines have cart positions; with the items' names), ``cart_conversion`` (when the
shop has a click stream), ``basket_rules`` (pairs as rules, both directions, with the names
of both items, cross-sell ranks and the test that they go together more often than chance) and
``churn_products`` (items, with their names, over-represented in churned customers' last
orders).
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from churnlens.config import ChurnlensConfig
from churnlens.errors import StageSkipped
from churnlens.paid import has_prices
from churnlens.products import baskets, churn_products, names, product_stats, repeat
from churnlens.run_cutoff import last_observed, latest_labelled, run_cutoff
from churnlens.warehouse import Warehouse


def _union(parts: list[ibis.Table]) -> ibis.Table:
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p, distinct=False)
    return out


def run(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    cfg = config.products
    orders, items = wh.table("orders"), wh.table("order_items")
    products = wh.table("products") if wh.has("products") else None
    priced = has_prices(orders)
    lines = product_stats.paid_lines(orders, items, products)
    out: dict[str, Any] = {}
    if not lines.count().to_pyarrow().as_py():
        raise StageSkipped("the shop has no lines of paid orders to analyse")

    levels = product_stats.available_levels(products, cfg.levels) or ["product"]
    stats = _union([product_stats.product_stats(lines, lv, cfg.period, priced) for lv in levels])
    stats_df = stats.to_pandas()
    out["product_stats"] = stats_df
    cut = run_cutoff(wh, config)
    period = product_stats.last_complete_period(stats_df, pd.Timestamp(last_observed(cut)), cfg.period)
    out["product_highlights"] = product_stats.highlights(stats_df, period, cfg, priced)

    purch = repeat.purchases(lines, repeat.has_reorder_flag(lines))
    rates = _union([repeat.reorder_rates(purch, lv, cfg.min_orders) for lv in levels]).to_pandas()
    out["product_repeat"] = repeat.flag_low_reorder(rates, cfg)
    has_positions = items.filter(items.cart_position.notnull()).count().to_pyarrow().as_py() > 0
    if has_positions:
        out["cart_positions"] = pd.concat(
            [
                names.add_names(
                    repeat.cart_position_rates(purch, lv, cfg.cart_position_max).to_pandas(),
                    names.item_names(products, lv),
                    {"item": "name"},
                )
                for lv in levels
            ],
            ignore_index=True,
        )
    if wh.has("events") and wh.table("events").count().to_pyarrow().as_py() > 0:
        out["cart_conversion"] = repeat.cart_conversion(
            wh.table("events"), orders, items, products, levels, cfg.cart_position_max
        )

    rules = []
    for lv in product_stats.available_levels(products, cfg.basket_levels) or ["product"]:
        b = baskets.basket_items(items, lv, products, orders)
        pairs = baskets.frequent_pairs(b, cfg.basket_min_support, cfg.basket_min_pair_orders)
        r = baskets.pair_rules(pairs, lv, cfg.cross_sell_top_n).to_pandas()
        ids = {"antecedent": "antecedent_name", "consequent": "consequent_name"}
        rules.append(names.add_names(r, names.item_names(products, lv), ids))
    out["basket_rules"] = baskets.cross_sell(pd.concat(rules, ignore_index=True), cfg.basket_alpha)

    churn_levels = product_stats.available_levels(products, cfg.churn_levels) or ["product"]
    cutoff = latest_labelled(cut, config.churn.window_days)
    parts = [
        names.add_names(
            churn_products.churn_products(orders, items, products, config.churn, cfg, lv, cutoff),
            names.item_names(products, lv),
            {"item": "name"},
        )
        for lv in churn_levels
    ]
    out["churn_products"] = pd.concat(parts, ignore_index=True)
    return out
