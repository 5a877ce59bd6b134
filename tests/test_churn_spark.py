"""Spark parity: churn labels and point-in-time features are the same on DuckDB and PySpark."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from conftest import canonical
from test_churn_features import small_shop

from churnlens.churn import labels
from churnlens.churn.dataset import anchors_frame, features_frame, shop_tables
from churnlens.churn.features import build_features
from churnlens.config import ChurnlensConfig
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores

CUTOFFS = [datetime(2020, 6, 1), datetime(2020, 9, 1), datetime(2020, 12, 1)]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_available):
    shop = small_shop(80, seed=7)
    for k, r in enumerate(sorted(shop["orders"], key=lambda r: (r["customer_id"], r["order_ts"]))):
        r["order_number"] = k + 1
    duck = Warehouse()
    cfg = ChurnlensConfig()
    cfg.engine.spark_shuffle_partitions = 2  # tiny tables: two tasks per stage
    spark = Warehouse(tmp_path_factory.mktemp("s") / "warehouse", engine="spark", config=cfg)
    for name, rows in shop.items():
        duck.write(name, canonical(name, rows))
        spark.write(name, canonical(name, rows))
    yield duck, spark
    duck.close()


def same(a: pd.DataFrame, b: pd.DataFrame, key: list[str]) -> None:
    a = a.sort_values(key).reset_index(drop=True)
    b = b[list(a.columns)].sort_values(key).reset_index(drop=True)
    for c in a.columns:
        if pd.api.types.is_datetime64_any_dtype(a[c]):
            a[c], b[c] = (
                pd.to_datetime(a[c]).astype("datetime64[us]"),
                pd.to_datetime(b[c]).astype("datetime64[us]"),
            )
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9, atol=1e-9)


def test_window_labels_equal(engines):
    duck, spark = engines
    got = [labels.window_labels(w.table("orders"), CUTOFFS, 25, 365).to_pandas() for w in (duck, spark)]
    assert len(got[0]) > 50
    same(*got, ["customer_id", "cutoff"])


def test_next_gap_labels_equal(engines):
    duck, spark = engines
    got = [labels.next_gap_labels(w.table("orders"), 30, 3).to_pandas() for w in (duck, spark)]
    assert len(got[0]) > 50
    same(*got, ["customer_id", "seq"])


def test_features_equal(engines):
    duck, spark = engines
    cfg = ChurnlensConfig()
    pop = labels.population(duck.table("orders"), CUTOFFS, 365).to_pandas()
    pop["cohort"] = pd.to_datetime(pop["cutoff"]).map({pd.Timestamp(c): k for k, c in enumerate(CUTOFFS)})
    got = [
        build_features(shop_tables(w), anchors_frame(pop), cfg.churn, cfg.rfm).to_pandas()
        for w in (duck, spark)
    ]
    assert len(got[0]) == len(pop)
    same(*got, ["customer_id", "cutoff", "cohort"])


def test_feature_frame_in_batches_equal(engines):
    """The batched frame `build_frame` uses (RFM graded over all batches) is the same on Spark."""
    duck, spark = engines
    pop = labels.population(duck.table("orders"), CUTOFFS, 365).to_pandas()
    pop["cohort"] = pd.to_datetime(pop["cutoff"]).map({pd.Timestamp(c): k for k, c in enumerate(CUTOFFS)})
    cfg = ChurnlensConfig()
    cfg.churn.feature_batch_anchors = len(pop) // 2 + 1  # two batches: the fewest that batch
    assert len(pop) > cfg.churn.feature_batch_anchors
    got = [features_frame(shop_tables(w), pop, cfg) for w in (duck, spark)]
    one = build_features(shop_tables(duck), anchors_frame(pop), cfg.churn, cfg.rfm).to_pandas()
    same(*got, ["customer_id", "cutoff", "cohort"])
    same(got[0], one, ["customer_id", "cutoff", "cohort"])
