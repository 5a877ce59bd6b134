"""The whole pipeline through the Spark warehouse's write path gives the tables DuckDB gives.

A small generated fashion-campus shop is ingested and run (every stage) on both engines; every
result table must exist on both with the same columns, column types, row counts and values
(numbers to 1e-9 relative), churn scores included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens import pipeline
from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.schema import ALL_TABLES
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import RUNS_TABLE, Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores

#: Tables whose text holds run-specific facts (times, seconds, versions), compared by shape only.
RUN_SPECIFIC = {RUNS_TABLE}


@pytest.fixture(scope="module")
def both(tmp_path_factory, spark_available):
    shop = tmp_path_factory.mktemp("shop")
    generate("fashion-campus", shop, GeneratorConfig(customers=300, seed=0))
    duck = Warehouse(tmp_path_factory.mktemp("d") / "w.duckdb")
    spark = Warehouse(tmp_path_factory.mktemp("s") / "warehouse", engine="spark")
    cfg = ChurnlensConfig()
    # a smaller model search keeps the test short; every stage still runs
    cfg.churn.models = ["lightgbm", "logistic"]
    cfg.churn.imbalance_strategies = ["none", "class_weight"]
    cfg.churn.n_trials = 2
    reports = {}
    for name, wh in (("duckdb", duck), ("spark", spark)):
        ingest("fashion-campus", [shop], wh, cfg)
        reports[name] = pipeline.run(wh, cfg)
    yield duck, spark, reports
    duck.close()


def comparable(wh: Warehouse, name: str) -> pd.DataFrame:
    """The table with its rows in one order (by every column) and its index reset."""
    df = wh.to_pandas(name)
    cols = list(df.columns)
    keyed = df.astype(object).where(df.notna(), None)
    order = keyed.map(lambda v: (v is None, str(v))).sort_values(cols, kind="stable").index
    return df.loc[order].reset_index(drop=True)


def test_every_stage_ran_on_both_engines(both):
    _, _, reports = both
    duck, spark = reports["duckdb"], reports["spark"]
    assert spark.skipped == duck.skipped
    assert spark.stage_tables == duck.stage_tables
    assert spark.written == duck.written
    # the churn, value, products and playbook stages went through Spark's write path
    for table in ("customer_scores", "churn_monthly_labels", "customer_value", "actions", "data_profile"):
        assert spark.written.get(table, 0) > 0, table


def test_same_tables_columns_and_types(both):
    duck, spark, _ = both
    assert spark.tables() == duck.tables()
    for name in duck.tables():
        a, b = duck.table(name).schema(), spark.table(name).schema()
        assert list(a.names) == list(b.names), name
        mismatched = {
            c: (str(a[c]), str(b[c]))
            for c in a.names
            if a[c].is_integer() != b[c].is_integer() or (a[c].is_integer() and a[c] != b[c])
        }
        assert not mismatched, f"{name}: {mismatched}"


def test_result_values_equal(both):
    duck, spark, _ = both
    for name in duck.tables():
        if name in ALL_TABLES or name in RUN_SPECIFIC:
            continue  # canonical tables: test_engine_parity.py
        a, b = comparable(duck, name), comparable(spark, name)
        assert len(a) == len(b), name
        for col in a.columns:
            x, y = a[col], b[col]
            if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
                np.testing.assert_allclose(
                    x.to_numpy(float), y.to_numpy(float), rtol=1e-9, atol=0, equal_nan=True,
                    err_msg=f"{name}.{col}",
                )  # fmt: skip
            else:
                xs = x.astype(object).where(x.notna(), None).map(_text)
                ys = y.astype(object).where(y.notna(), None).map(_text)
                assert xs.tolist() == ys.tolist(), f"{name}.{col}"


def _text(v):
    """A value as text for comparison: timestamps without their zone or precision."""
    if v is None:
        return None
    if isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).tz_localize(None).isoformat() if pd.Timestamp(v).tzinfo else pd.Timestamp(v).isoformat()
    return str(v)


def test_churn_scores_identical(both):
    duck, spark, _ = both
    a = duck.to_pandas("customer_scores").sort_values("customer_id").reset_index(drop=True)
    b = spark.to_pandas("customer_scores").sort_values("customer_id").reset_index(drop=True)
    assert len(a) > 100
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    np.testing.assert_array_equal(a["p_churn"].to_numpy(), b["p_churn"].to_numpy())
