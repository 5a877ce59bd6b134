"""The same ingest on DuckDB and on Spark gives the same canonical tables."""

from __future__ import annotations

import pandas as pd
import pytest
from test_source_fashion_campus import write_shop

from churnlens.ingest import ingest
from churnlens.schema import ALL_TABLES
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores


def canonical_frame(wh: Warehouse, name: str) -> pd.DataFrame:
    df = wh.to_pandas(name)
    spec = ALL_TABLES[name]
    key = list(spec.key) or spec.column_names
    df = df[spec.column_names].sort_values(key, kind="stable").reset_index(drop=True)
    return df.astype(object).where(df.notna(), None)


@pytest.fixture(scope="module")
def spark_and_duck(tmp_path_factory, spark_available):
    shop = write_shop(tmp_path_factory.mktemp("shop"))
    duck = Warehouse(tmp_path_factory.mktemp("d") / "w.duckdb")
    spark = Warehouse(tmp_path_factory.mktemp("s") / "warehouse", engine="spark")
    s1 = ingest("fashion-campus", [shop], duck)
    s2 = ingest("fashion-campus", [shop], spark)
    yield duck, spark, s1, s2
    duck.close()


@pytest.mark.parametrize("name", sorted(ALL_TABLES))
def test_canonical_tables_equal(spark_and_duck, name):
    duck, spark, _, _ = spark_and_duck
    a, b = canonical_frame(duck, name), canonical_frame(spark, name)
    assert len(a) > 0 or name in ("order_items",)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_same_counts(spark_and_duck):
    _, _, s1, s2 = spark_and_duck
    assert s1.rows() == s2.rows()


def test_spark_warehouse_reopens(spark_and_duck):
    _, spark, _, _ = spark_and_duck
    again = Warehouse(spark.path, engine="spark")
    assert set(again.tables()) >= {"orders", "events", "rejected_rows", "runs"}
    assert again.table("orders").count().to_pyarrow().as_py() == 3
