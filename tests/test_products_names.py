"""Product tables name their items, and cross-sell holds only pairs bought together more often
than chance (lift above 1 and a significant one-sided Fisher test)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from scipy.stats import hypergeom

from churnlens.products import baskets, names


def items() -> ibis.Table:
    """100 baskets, all with E: A in 0-49, B in 20-59, C in 40-79, D in 44-49 and 90-93."""
    rows = []
    for o in range(100):
        for item, inside in (
            ("A", o < 50),
            ("B", 20 <= o < 60),
            ("C", 40 <= o < 80),
            ("D", 44 <= o < 50 or 90 <= o < 94),
            ("E", True),
        ):
            if inside:
                rows.append((f"o{o}", item))
    return ibis.memtable(pd.DataFrame(rows, columns=["order_id", "item"]))


def products() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame({"product_id": list("ABCDE"), "name": ["Apple", "Bread", "Cheese", "Dates", "Eggs"]})
    )


def test_cross_sell_needs_lift_above_one_and_significance():
    pairs = baskets.frequent_pairs(items(), 0.0, 1)
    rules = baskets.pair_rules(pairs, "product", 5).to_pandas()
    rules = names.add_names(
        rules, names.item_names(products(), "product"), {"antecedent": "antecedent_name", "consequent": "consequent_name"}
    )
    out = baskets.cross_sell(rules, 0.05).set_index(["antecedent", "consequent"])
    # A-B: 30 of 100 together, 50 x 40 / 100 = 20 expected: lift 1.5, significant
    ab = out.loc[("A", "B")]
    assert ab.lift == pytest.approx(1.5) and ab.p_value == pytest.approx(hypergeom.sf(29, 100, 50, 40))
    assert ab.cross_sell and ab.antecedent_name == "Apple" and ab.consequent_name == "Bread"
    # A-C: 10 together, 20 expected: lift 0.5, never a cross-sell even as A's partner
    assert out.loc[("A", "C")].lift == pytest.approx(0.5) and not out.loc[("A", "C")].cross_sell
    # A-D: 6 together, 5 expected: lift 1.2 but not significant
    ad = out.loc[("A", "D")]
    assert ad.lift == pytest.approx(1.2) and ad.p_value > 0.3 and not ad.cross_sell
    assert not out.loc[("A", "E")].cross_sell  # in every basket: lift exactly 1
    assert (out[out.cross_sell].lift > 1).all() and (out[out.cross_sell].p_adjusted <= 0.05).all()
    # both directions of a pair share one test
    assert out.loc[("A", "B")].p_adjusted == out.loc[("B", "A")].p_adjusted


def test_category_items_are_their_own_names():
    df = pd.DataFrame({"item": ["Shoes", "Bags"]})
    assert names.item_names(products(), "category_l1") is None
    assert names.add_names(df, None, {"item": "name"}).name.tolist() == ["Shoes", "Bags"]
    # a product without a name keeps its id as the name
    named = names.add_names(pd.DataFrame({"item": ["A", "Z"]}), names.item_names(products(), "product"), {"item": "name"})
    assert named.name.tolist() == ["Apple", "Z"]
