"""Basket pairs: support, confidence and lift on hand-built baskets and on the real samples.

On the real Online Retail invoices and the real Instacart train head, the engine's pairs are
compared with an independent computation written here: a basket x item 0/1 matrix built with
pandas whose co-occurrence counts come from one sparse matrix product (no self-join, no
pruning), so a mistake in the engine's pruning or join would show.
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest
from conftest import online_retail as shipped_online_retail
from conftest import shared_data
from scipy import sparse

from churnlens.ingest import ingest
from churnlens.products.baskets import basket_items, frequent_pairs, min_count, pair_rules
from churnlens.warehouse import Warehouse


def lines(rows: list[tuple[str, str]]) -> ibis.Table:
    df = pd.DataFrame(rows, columns=["order_id", "product_id"])
    df["line_no"] = df.groupby("order_id").cumcount() + 1
    return ibis.memtable(df)


def independent_pairs(baskets: pd.DataFrame, k: int) -> pd.DataFrame:
    """Pairs with at least ``k`` baskets from a sparse co-occurrence matrix (pandas + scipy)."""
    b = baskets[["order_id", "item"]].drop_duplicates()
    rows = pd.factorize(b.order_id)[0]
    cols, names = pd.factorize(b.item)
    x = sparse.csr_matrix((np.ones(len(b)), (rows, cols)), shape=(rows.max() + 1, len(names)))
    co = (x.T @ x).tocoo()
    n_item = np.asarray(x.sum(axis=0)).ravel()
    keep = (co.row != co.col) & (co.data >= k)
    a, c, nab = names[co.row[keep]], names[co.col[keep]], co.data[keep]
    df = pd.DataFrame(
        {"item_a": a, "item_b": c, "pair_orders": nab, "na": n_item[co.row[keep]], "nb": n_item[co.col[keep]]}
    )
    df = df[df.item_a < df.item_b].copy()
    n = x.shape[0]
    df["support"] = df.pair_orders / n
    df["confidence_ab"] = df.pair_orders / df.na
    df["confidence_ba"] = df.pair_orders / df.nb
    df["lift"] = df.pair_orders * n / (df.na * df.nb)
    return df.sort_values(["item_a", "item_b"]).reset_index(drop=True)


def compare(engine: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = engine.sort_values(["item_a", "item_b"]).reset_index(drop=True)
    assert len(got) == len(expected) > 0
    assert list(got.item_a) == list(expected.item_a)
    assert list(got.item_b) == list(expected.item_b)
    np.testing.assert_array_equal(got.pair_orders.to_numpy(), expected.pair_orders.astype("int64").to_numpy())
    for col in ("support", "confidence_ab", "confidence_ba", "lift"):
        np.testing.assert_allclose(got[col].to_numpy(), expected[col].to_numpy(), rtol=1e-12)


def test_hand_baskets():
    # 4 baskets: {a,b,c}, {a,b}, {a,c}, {b} (b twice in one order counts once)
    t = lines(
        [
            ("1", "a"),
            ("1", "b"),
            ("1", "c"),
            ("1", "b"),
            ("2", "a"),
            ("2", "b"),
            ("3", "a"),
            ("3", "c"),
            ("4", "b"),
        ]
    )
    pairs = frequent_pairs(basket_items(t)).to_pandas().set_index(["item_a", "item_b"])
    assert pairs.loc[("a", "b")].pair_orders == 2
    assert pairs.loc[("a", "b")].support == pytest.approx(2 / 4)
    assert pairs.loc[("a", "b")].confidence_ab == pytest.approx(2 / 3)  # a in 3 baskets
    assert pairs.loc[("a", "b")].confidence_ba == pytest.approx(2 / 3)  # b in 3 baskets
    assert pairs.loc[("a", "b")].lift == pytest.approx(2 * 4 / (3 * 3))
    assert pairs.loc[("a", "c")].lift == pytest.approx(2 * 4 / (3 * 2))
    assert pairs.loc[("b", "c")].confidence_ba == pytest.approx(1 / 2)
    # minimum 2 baskets: (b, c) goes, and so would any pair of an item bought once
    kept = frequent_pairs(basket_items(t), min_pair_orders=2).to_pandas()
    assert set(zip(kept.item_a, kept.item_b, strict=True)) == {("a", "b"), ("a", "c")}


def test_min_count_is_the_stricter_threshold():
    assert min_count(1000, 0.01, 5) == 10
    assert min_count(1000, 0.001, 5) == 5
    assert min_count(300, 0.01, 1) == 3
    assert min_count(10, 0.0, 0) == 1


def test_rules_both_directions_and_cross_sell_rank():
    t = lines(
        [("1", "a"), ("1", "b"), ("1", "c"), ("2", "a"), ("2", "b"), ("3", "a"), ("3", "c"), ("4", "b")]
    )
    r = pair_rules(frequent_pairs(basket_items(t)), "product", top_n=1).to_pandas()
    assert len(r) == 6
    a = r[r.antecedent == "a"].sort_values("rank")
    assert list(a.consequent) == ["c", "b"]  # lift a-c 4/3 > a-b 8/9
    assert list(a.cross_sell) == [True, False]
    ca = r[(r.antecedent == "c") & (r.consequent == "a")].iloc[0]
    assert ca.confidence == pytest.approx(1.0) and ca.antecedent_orders == 2


def test_category_baskets_skip_uncategorised():
    t = lines([("1", "a"), ("1", "b"), ("1", "x"), ("2", "a"), ("2", "c")])
    products = ibis.memtable(
        pd.DataFrame({"product_id": ["a", "b", "c", "x"], "category_l1": ["Food", "Drink", "Drink", None]})
    )
    items = basket_items(t, "category_l1", products).to_pandas()
    assert sorted(map(tuple, items[["order_id", "item"]].to_numpy())) == [
        ("1", "Drink"),
        ("1", "Food"),
        ("2", "Drink"),
        ("2", "Food"),
    ]


def test_only_paid_orders_are_baskets():
    t = lines([("1", "a"), ("1", "b"), ("2", "a"), ("2", "b")])
    orders = ibis.memtable(pd.DataFrame({"order_id": ["1", "2"], "status": ["paid", "cancelled"]}))
    pairs = frequent_pairs(basket_items(t, orders=orders)).to_pandas()
    assert pairs.pair_orders.tolist() == [1] and pairs.baskets.tolist() == [1]


@pytest.fixture(scope="module")
def online_retail(tmp_path_factory):
    path = shipped_online_retail("online_retail_2010_2011.parquet")
    wh = Warehouse(tmp_path_factory.mktemp("or") / "w.duckdb")
    ingest("online-retail", [path], wh)
    yield wh
    wh.close()


@pytest.mark.slow
def test_online_retail_pairs_equal_independent_computation(online_retail):
    wh = online_retail
    orders, items = wh.table("orders"), wh.table("order_items")
    b = basket_items(items, orders=orders)
    got = frequent_pairs(b, min_support=0.01, min_pair_orders=5).to_pandas()
    # independent: from the canonical tables, read with pandas
    o, li = wh.to_pandas("orders"), wh.to_pandas("order_items")
    paid = set(o.order_id[o.status == "paid"])
    base = li[li.order_id.isin(paid)].rename(columns={"product_id": "item"})
    n = base.order_id.nunique()
    assert got.baskets.iloc[0] == n
    expected = independent_pairs(base, max(5, math.ceil(0.01 * n)))
    compare(got, expected)


def test_instacart_train_head_pairs_equal_independent_computation():
    path = shared_data("instacart_head", "order_products__train.csv")
    raw = pd.read_csv(path)
    canonical = pd.DataFrame(
        {
            "order_id": raw.order_id.astype(str),
            "line_no": raw.add_to_cart_order.astype("int64"),
            "product_id": raw.product_id.astype(str),
            "quantity": 1.0,
            "cart_position": raw.add_to_cart_order.astype("int64"),
            "reordered": raw.reordered == 1,
        }
    )
    got = frequent_pairs(
        basket_items(ibis.memtable(canonical)), min_support=0.002, min_pair_orders=3
    ).to_pandas()
    n = raw.order_id.nunique()
    # independent: pairs per order straight from the CSV's integer ids, compared as text
    base = pd.DataFrame({"order_id": raw.order_id, "item": raw.product_id.astype(str)})
    expected = independent_pairs(base, max(3, math.ceil(0.002 * n)))
    assert got.baskets.iloc[0] == n
    compare(got, expected)
