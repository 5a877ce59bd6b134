"""Spark parity: product stats and basket pairs are the same on DuckDB and on Spark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens.config import ChurnlensConfig
from churnlens.products import baskets, product_stats, repeat
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores


def small_shop(seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_orders = 300
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i:04d}" for i in range(n_orders)],
            "customer_id": [f"c{int(c)}" for c in rng.integers(0, 60, n_orders)],
            "order_ts": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 150 * 24, n_orders), unit="h")
            ).astype("datetime64[us]"),
            "status": rng.choice(["paid", "paid", "paid", "cancelled"], n_orders),
            "total_amount": rng.uniform(5, 50, n_orders).round(2),
        }
    )
    lines = []
    for oid in orders.order_id:
        k = int(rng.integers(1, 6))
        for j, p in enumerate(rng.choice(12, k, replace=True)):
            lines.append((oid, j + 1, f"p{int(p):02d}", float(rng.integers(1, 4)), float(p + 1), j + 1))
    items = pd.DataFrame(
        lines, columns=["order_id", "line_no", "product_id", "quantity", "unit_price", "cart_position"]
    )
    items["reordered"] = pd.array([None] * len(items), dtype="boolean")
    products = pd.DataFrame(
        {
            "product_id": [f"p{i:02d}" for i in range(12)],
            "name": [f"Product {i}" for i in range(12)],
            "category_l1": ["A", "A", "A", "B", "B", "B", "C", "C", "C", "D", "D", "D"],
            "category_l2": [f"s{i // 2}" for i in range(12)],
        }
    )
    return {"orders": orders, "order_items": items, "products": products}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_available):
    shop = small_shop()
    cfg = ChurnlensConfig()
    cfg.engine.spark_shuffle_partitions = 2  # tiny tables: two tasks per stage
    duck = Warehouse(tmp_path_factory.mktemp("d") / "w.duckdb")
    spark = Warehouse(tmp_path_factory.mktemp("s") / "warehouse", engine="spark", config=cfg)
    for wh in (duck, spark):
        for name, df in shop.items():
            wh.write(name, df)
    yield duck, spark
    duck.close()


def frame(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = df[c].astype("datetime64[us]")
    return df.astype(object).where(df.notna(), None)


def run_stats(wh: Warehouse) -> pd.DataFrame:
    lines = product_stats.paid_lines(wh.table("orders"), wh.table("order_items"), wh.table("products"))
    parts = [
        product_stats.product_stats(lines, lv, "month", priced=True).to_pandas()
        for lv in ("product", "category_l1", "category_l2")
    ]
    purch = repeat.purchases(lines, source_flag=False)
    rates = repeat.reorder_rates(purch, "product", 5).to_pandas()
    return frame(pd.concat(parts, ignore_index=True), ["level", "item", "period_index"]), frame(
        rates, ["item"]
    )


def run_pairs(wh: Warehouse, level: str) -> pd.DataFrame:
    items = baskets.basket_items(wh.table("order_items"), level, wh.table("products"), wh.table("orders"))
    pairs = baskets.frequent_pairs(items, min_support=0.01, min_pair_orders=2)
    rules = baskets.pair_rules(pairs, level, 3)
    return frame(pairs.to_pandas(), ["item_a", "item_b"]), frame(
        rules.to_pandas(), ["antecedent", "consequent"]
    )


def test_product_stats_equal(engines):
    duck, spark = engines
    (a, ra), (b, rb) = run_stats(duck), run_stats(spark)
    assert len(a) > 50
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(ra, rb, check_dtype=False, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("level", ["product", "category_l1"])
def test_basket_pairs_equal(engines, level):
    duck, spark = engines
    (pa, ra), (pb, rb) = run_pairs(duck, level), run_pairs(spark, level)
    assert len(pa) > 5
    pd.testing.assert_frame_equal(pa, pb, check_dtype=False, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(ra, rb, check_dtype=False, check_exact=False, rtol=1e-9)
