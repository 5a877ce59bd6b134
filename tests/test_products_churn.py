"""Churn by product: lift, Fisher p-values and churn rates on a hand fixture; a planted shop."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from churnlens.config import ChurnConfig, ProductsConfig
from churnlens.products import churn_products as cp

CUTOFF = datetime(2024, 3, 1)
CHURN = ChurnConfig(window_days=10, lookback_days=100)


def fixture_shop() -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    """Churned c1..c4 and retained c5..c8 (a paid order in the 10 days after the cutoff).

    last orders before the cutoff: c1 {X, Y}, c2 {X}, c3 {X}, c4 {Y}, c5 {Y}, c6 {Y, X}, c7 {Y},
    c8 {Z}; c5 also bought X earlier in the lookback; c9's only order is older than the lookback;
    c10 orders only after the cutoff; a guest order and a cancelled order count for nobody.
    """
    rows = [
        # order, customer, ts, status, products
        ("a1", "c1", "2024-02-20", "paid", ["X", "Y"]),
        ("a2", "c2", "2024-02-21", "paid", ["X"]),
        ("a3", "c3", "2024-01-10", "paid", ["Z"]),
        ("a4", "c3", "2024-02-22", "paid", ["X"]),
        ("a5", "c4", "2024-02-23", "paid", ["Y"]),
        ("b0", "c5", "2024-01-05", "paid", ["X"]),
        ("b1", "c5", "2024-02-24", "paid", ["Y"]),
        ("b2", "c6", "2024-02-25", "paid", ["Y", "X"]),
        ("b3", "c7", "2024-02-26", "paid", ["Y"]),
        ("b4", "c8", "2024-02-27", "paid", ["Z"]),
        ("r5", "c5", "2024-03-05", "paid", ["Z"]),
        ("r6", "c6", "2024-03-06", "paid", ["Z"]),
        ("r7", "c7", "2024-03-07", "paid", ["Z"]),
        ("r8", "c8", "2024-03-11", "paid", ["Z"]),
        ("x1", "c1", "2024-03-02", "cancelled", ["X"]),
        ("o9", "c9", "2023-10-01", "paid", ["X"]),
        ("n10", "c10", "2024-03-03", "paid", ["X"]),
        ("g1", None, "2024-02-28", "paid", ["X"]),
        ("late", "c1", "2024-04-30", "paid", ["X"]),  # after the window: c1 still churned
    ]
    orders = pd.DataFrame(
        {
            "order_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "order_ts": pd.to_datetime([r[2] for r in rows]).astype("datetime64[us]"),
            "status": [r[3] for r in rows],
            "order_number": pd.array([None] * len(rows), dtype="Int64"),
        }
    )
    items = pd.DataFrame(
        [(r[0], i + 1, p) for r in rows for i, p in enumerate(r[4])],
        columns=["order_id", "line_no", "product_id"],
    )
    products = pd.DataFrame({"product_id": ["X", "Y", "Z"], "category_l1": ["Toys", "Toys", "Food"]})
    return ibis.memtable(orders), ibis.memtable(items), ibis.memtable(products)


@pytest.mark.parametrize("shared", [True, False], ids=["churn-labels", "own-rule"])
def test_labels_follow_the_churn_rule(shared, monkeypatch):
    if not shared:
        monkeypatch.setattr(cp, "_shared_window_labels", None)
    else:  # churnlens ships the churn stage's label function: products must use it
        assert cp._shared_window_labels is not None, "churnlens.churn.labels failed to import"
    o, _, _ = fixture_shop()
    lab = cp.window_labels(o, CUTOFF, CHURN).to_pandas().set_index("customer_id").churned.sort_index()
    expected = pd.Series([1, 1, 1, 1, 0, 0, 0, 0], index=[f"c{i}" for i in range(1, 9)])
    assert lab.to_dict() == expected.to_dict()


def test_lift_and_fisher_test_by_hand():
    o, i, p = fixture_shop()
    cfg = ProductsConfig(churn_min_buyers=2, churn_alpha=0.5)
    out = cp.churn_products(o, i, p, CHURN, cfg, "product", cutoff=CUTOFF).set_index("item")
    x, y = out.loc["X"], out.loc["Y"]
    assert (x.churned_last, x.retained_last, x.customers_churned, x.customers_retained) == (3, 1, 4, 4)
    assert x.share_churned == pytest.approx(3 / 4) and x.share_retained == pytest.approx(1 / 4)
    assert x.lift == pytest.approx(3.0)
    # one-sided Fisher: P(>= 3 of the 4 last-order buyers churned | 4 of 8 churned) = 17/70
    assert x.p_value == pytest.approx(17 / 70)
    assert y.lift == pytest.approx((2 / 4) / (3 / 4))
    assert x.lift_rank == 1 and y.lift_rank == 2
    # buyers in the lookback: X by c1, c2, c3, c5, c6 (3 churned)
    assert (x.buyers, x.churned_buyers, x.churn_rate) == (5, 3, pytest.approx(0.6))
    # Z: last order of c8 only (retained) -> lift 0; c3 bought it earlier in the lookback
    z = out.loc["Z"]
    assert (z.churned_last, z.retained_last, z.lift, z.buyers) == (0, 1, 0.0, 2)
    assert not z.eligible and pd.isna(z.lift_rank)
    # BH over the two eligible rows: X (17/70) is the smaller p-value, adjusted x2
    assert x.p_adjusted == pytest.approx(min(1.0, 17 / 70 * 2))
    assert bool(x.significant) and not bool(y.significant)
    cats = cp.churn_products(o, i, p, CHURN, cfg, "category_l1", cutoff=CUTOFF).set_index("item")
    assert (cats.loc["Toys", "churned_last"], cats.loc["Toys", "retained_last"]) == (4, 3)


def test_bh_adjust_matches_the_definition():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.06, 0.0533, 0.5 -> monotone from the top
    np.testing.assert_allclose(cp.bh_adjust(p), [0.04, 0.0533333, 0.0533333, 0.5], rtol=1e-5)


def planted_shop(seed: int = 0, n: int = 3000) -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    """Customers with a favourite of four categories; those favouring "Shoes" churn 3x as often."""
    rng = np.random.default_rng(seed)
    cats = np.array(["Bags", "Shirts", "Shoes", "Watches"])
    products = pd.DataFrame({"product_id": [f"{c}{k}" for c in cats for k in range(5)]})
    products["category_l1"] = products.product_id.str.rstrip("0123456789")
    fav = rng.integers(0, 4, n)
    churn_p = np.where(cats[fav] == "Shoes", 0.75, 0.25)
    churned = rng.random(n) < churn_p
    orders, lines = [], []
    cutoff = pd.Timestamp("2024-06-01")
    for c in range(n):
        k = int(rng.integers(1, 4))
        days = np.sort(rng.integers(1, 150, k))[::-1]
        times = [cutoff - pd.Timedelta(days=int(d)) for d in days]
        if not churned[c]:
            times.append(cutoff + pd.Timedelta(days=int(rng.integers(1, 20))))
        for j, t in enumerate(times):
            oid = f"{c}-{j}"
            orders.append((oid, f"u{c}", t))
            for line in range(int(rng.integers(1, 4))):
                cat = cats[fav[c]] if rng.random() < 0.7 else cats[rng.integers(0, 4)]
                lines.append((oid, line + 1, f"{cat}{rng.integers(0, 5)}"))
    orders.append(("end", "observer", cutoff + pd.Timedelta(days=60)))  # observation runs past the window
    o = pd.DataFrame(orders, columns=["order_id", "customer_id", "order_ts"])
    o["order_ts"] = o.order_ts.astype("datetime64[us]")
    o["status"] = "paid"
    o["order_number"] = pd.array([None] * len(o), dtype="Int64")
    li = pd.DataFrame(lines, columns=["order_id", "line_no", "product_id"])
    return ibis.memtable(o), ibis.memtable(li), ibis.memtable(products)


def test_planted_category_ranks_first_on_a_hand_planted_shop():
    o, i, p = planted_shop()
    cfg = ChurnConfig(window_days=30, lookback_days=200)
    out = cp.churn_products(o, i, p, cfg, ProductsConfig(), "category_l1", cutoff=datetime(2024, 6, 1))
    top = out.sort_values("lift_rank").iloc[0]
    assert top["item"] == "Shoes" and bool(top.significant)
    assert out.sort_values("churn_rate_rank").iloc[0]["item"] == "Shoes"


def test_planted_category_ranks_first_on_a_generated_shop(tmp_path: Path):
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    generate(
        "fashion-campus",
        tmp_path / "shop",
        GeneratorConfig(customers=1500, seed=3, churn_boost_category="Footwear", churn_boost_factor=4.0),
    )
    with Warehouse(None) as wh:
        ingest("fashion-campus", [tmp_path / "shop"], wh)
        out = cp.churn_products(
            wh.table("orders"),
            wh.table("order_items"),
            wh.table("products"),
            ChurnConfig(),
            ProductsConfig(),
            "category_l1",
        )
    assert out.sort_values("lift_rank").iloc[0]["item"] == "Footwear"
    assert out.sort_values("churn_rate_rank").iloc[0]["item"] == "Footwear"
