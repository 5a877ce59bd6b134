"""Product performance and repeat behaviour on a hand-built shop with hand-computed numbers."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from churnlens.config import ProductsConfig
from churnlens.products import product_stats as ps
from churnlens.products import repeat


def shop() -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    """Three customers over January and February 2024; one cancelled order.

    jan: o1 u1 {A x2 @10, B x1 @5}   o2 u2 {A x1 @10}           o3 u1 cancelled {B x9}
    feb: o4 u1 {A x1 @10, C x3 @2}   o5 u3 {B x2 @5}            o6 u2 {A x1 @10, B x1 @5}
    """
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
            "customer_id": ["u1", "u2", "u1", "u1", "u3", "u2"],
            "order_ts": pd.to_datetime(
                ["2024-01-05", "2024-01-20", "2024-01-21", "2024-02-03", "2024-02-10", "2024-02-11"]
            ).astype("datetime64[us]"),
            "status": ["paid", "paid", "cancelled", "paid", "paid", "paid"],
            "total_amount": [25.0, 10.0, 45.0, 16.0, 10.0, 15.0],
        }
    )
    items = pd.DataFrame(
        {
            "order_id": ["o1", "o1", "o2", "o3", "o4", "o4", "o5", "o6", "o6"],
            "line_no": [1, 2, 1, 1, 1, 2, 1, 1, 2],
            "product_id": ["A", "B", "A", "B", "A", "C", "B", "A", "B"],
            "quantity": [2.0, 1, 1, 9, 1, 3, 2, 1, 1],
            "unit_price": [10.0, 5, 10, 5, 10, 2, 5, 10, 5],
            "cart_position": [1, 2, 1, 1, 1, 2, 1, 1, 2],
            "reordered": pd.array([None] * 9, dtype="boolean"),
        }
    )
    products = pd.DataFrame(
        {
            "product_id": ["A", "B", "C"],
            "name": ["Apple", "Bread", "Cheese"],
            "category_l1": ["Fresh", "Bakery", "Fresh"],
            "category_l2": ["Fruit", "Bread", "Dairy"],
        }
    )
    return ibis.memtable(orders), ibis.memtable(items), ibis.memtable(products)


@pytest.fixture(scope="module")
def lines():
    o, i, p = shop()
    return ps.paid_lines(o, i, p)


def test_product_stats_by_month(lines):
    s = ps.product_stats(lines, "product", "month", priced=True).to_pandas()
    s = s.set_index(["item", s.period_start.dt.strftime("%Y-%m")])
    jan_a, feb_a = s.loc[("A", "2024-01")], s.loc[("A", "2024-02")]
    assert (jan_a.revenue, jan_a.units, jan_a.orders, jan_a.buyers) == (30.0, 3.0, 2, 2)
    assert jan_a.first_orders == 2  # o1 and o2 are u1's and u2's first orders
    assert (feb_a.revenue, feb_a.revenue_prev, feb_a.orders_prev) == (20.0, 30.0, 2)
    assert feb_a.growth == pytest.approx(-1 / 3)
    jan_b, feb_b = s.loc[("B", "2024-01")], s.loc[("B", "2024-02")]
    assert jan_b.revenue == 5.0  # the cancelled o3 does not count
    assert feb_b.revenue == 15.0 and feb_b.growth == pytest.approx(2.0) and feb_b.first_orders == 1
    feb_c = s.loc[("C", "2024-02")]
    assert feb_c.revenue_prev == 0 and pd.isna(feb_c.growth)
    assert feb_a["name"] == "Apple"
    # February ranks: A 20 > B 15 > C 6 by revenue; by units C 3 = B 3 > A 2 (ties share)
    assert (feb_a.rank_revenue, s.loc[("B", "2024-02")].rank_revenue, feb_c.rank_revenue) == (1, 2, 3)
    assert (feb_c.rank_units, feb_b.rank_units, feb_a.rank_units) == (1, 1, 3)


def test_category_levels_and_unpriced(lines):
    s = ps.product_stats(lines, "category_l1", "month", priced=False).to_pandas()
    feb = s[s.period_start == pd.Timestamp("2024-02-01")].set_index("item")
    assert feb.loc["Fresh", "units"] == 5.0 and feb.loc["Fresh", "orders"] == 2
    assert feb.loc["Fresh", "growth"] == pytest.approx((5 - 3) / 3)  # units without prices
    assert feb.rank_revenue.isna().all()


def test_period_indexes_are_consecutive():
    ts = ibis.memtable(
        pd.DataFrame({"t": pd.to_datetime(["2023-12-31", "2024-01-01", "2024-01-08", "2024-04-02"])})
    ).t
    for period, expected in {
        "week": [1, 2, 14],  # 2023-12-31 is a Sunday
        "month": [1, 1, 4],
        "quarter": [1, 1, 2],
        "year": [1, 1, 1],
    }.items():
        _start, idx = ps.period_columns(ts, period)
        got = idx.to_pandas()
        got = (got - got.iloc[0]).tolist()
        assert got[1:] == expected, period


def test_highlights_respect_minimum_volume(lines):
    s = ps.product_stats(lines, "product", "month", priced=True).to_pandas()
    cfg = ProductsConfig(min_orders=2, top_n=5, growth_threshold=0.2)
    feb = int(s.period_index.max())
    h = ps.highlights(s, feb, cfg, priced=True)
    best = h[h.kind == "best_seller"]
    assert best.item.tolist() == ["A", "B"]  # C has 1 order in February: below the minimum
    assert h[h.kind == "worst_seller"].item.tolist() == ["B", "A"]
    assert h[h.kind == "falling"].item.tolist() == ["A"]
    assert h[h.kind == "rising"].item.tolist() == ["B"]
    assert h[h.kind == "first_order"].item.tolist() == ["B"]
    last = ps.last_complete_period(s, pd.Timestamp("2024-02-11"), "month")
    assert last == feb - 1  # February is not over on the 11th


def test_reorder_rates_derived_from_history(lines):
    purch = repeat.purchases(lines, source_flag=False)
    r = repeat.reorder_rates(purch, "product", min_orders=1).to_pandas().set_index("item")
    # A: o1 u1, o2 u2, o4 u1 (reorder), o6 u2 (reorder)
    assert (r.loc["A", "purchases"], r.loc["A", "reorders"]) == (4, 2)
    assert r.loc["A", "reorder_rate"] == pytest.approx(0.5)
    assert (r.loc["A", "buyers"], r.loc["A", "repeat_buyers"]) == (2, 2)
    # B: o1 u1, o5 u3, o6 u2: no reorder (o3 was cancelled)
    assert r.loc["B", "reorder_rate"] == 0.0 and r.loc["B", "repeat_buyer_rate"] == 0.0
    assert pd.isna(
        repeat.reorder_rates(purch, "product", min_orders=4)
        .to_pandas()
        .set_index("item")
        .loc["B", "reorder_rate"]
    )
    cats = repeat.reorder_rates(purch, "category_l1", min_orders=1).to_pandas().set_index("item")
    assert cats.loc["Fresh", "purchases"] == 5 and cats.loc["Fresh", "reorders"] == 2


def test_source_reorder_flag_wins():
    o, i, p = shop()
    df = i.to_pandas()
    df["reordered"] = pd.array([True, False, False, False, False, True, False, False, False], dtype="boolean")
    lines = ps.paid_lines(o, ibis.memtable(df), p)
    assert repeat.has_reorder_flag(lines)
    r = repeat.reorder_rates(repeat.purchases(lines, True), "product", 1).to_pandas().set_index("item")
    assert r.loc["A", "reorders"] == 1 and r.loc["C", "reorder_rate"] == 1.0


def test_low_reorder_high_volume_flag():
    rates = pd.DataFrame(
        {
            "level": "product",
            "item": list("abcd"),
            "purchases": [100, 100, 10, 10],
            "reorder_rate": [0.1, 0.6, 0.05, 0.5],
        }
    )
    out = repeat.flag_low_reorder(rates, ProductsConfig(high_volume_quantile=0.5, low_reorder_quantile=0.5))
    assert out.low_reorder_high_volume.tolist() == [True, False, False, False]


def test_cart_position_rates(lines):
    purch = repeat.purchases(lines, source_flag=False)
    c = repeat.cart_position_rates(purch, "category_l1", max_position=1).to_pandas()
    c = c.set_index(["item", "cart_position"])
    # position 1: o1 A, o2 A, o4 A, o5 B, o6 A -> Fresh 4 of 5; position 2 pooled: o1 B, o4 C, o6 B
    assert c.loc[("Fresh", 1), "lines"] == 4 and c.loc[("Fresh", 1), "position_share"] == pytest.approx(0.8)
    assert c.loc[("Bakery", 2), "lines"] == 2 and c.loc[("Bakery", 2), "position_share"] == pytest.approx(
        2 / 3
    )
    assert c.loc[("Fresh", 1), "reorder_rate"] == pytest.approx(0.5)  # o4 and o6 A reorders


def test_cart_conversion_by_category_and_position():
    o, i, p = shop()
    od = o.to_pandas()
    od["session_id"] = ["s1", "s2", "s3", "s4", "s5", "s6"]
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5"],
            "session_id": ["s1", "s1", "s1", "s3", "s9"],
            "event_ts": pd.to_datetime(
                [
                    "2024-01-05 10:00",
                    "2024-01-05 10:01",
                    "2024-01-05 10:02",
                    "2024-01-21 00:00",
                    "2024-01-22 00:00",
                ]
            ),
            "event_type": ["add_to_cart"] * 5,
            "product_id": ["A", "C", "B", "B", "A"],
        }
    )
    conv = repeat.cart_conversion(
        ibis.memtable(events), ibis.memtable(od), i, p, ["category_l1"], max_position=5
    ).to_pandas()
    conv = conv.set_index(["dimension", "key"])
    # s1 bought A and B (o1), not C; s3's order was cancelled; s9 has no order
    assert (
        conv.loc[("category_l1", "Fresh"), "added"] == 3
        and conv.loc[("category_l1", "Fresh"), "purchased"] == 1
    )
    assert conv.loc[("category_l1", "Bakery"), "conversion_rate"] == pytest.approx(0.5)
    assert (
        conv.loc[("cart_position", "1"), "added"] == 3 and conv.loc[("cart_position", "1"), "purchased"] == 1
    )
    assert conv.loc[("cart_position", "3"), "purchased"] == 1
