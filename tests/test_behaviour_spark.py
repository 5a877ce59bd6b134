"""Every behaviour table is the same on DuckDB and on Spark (one small generated shop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_behaviour_data import click_shop, load

from churnlens.config import ChurnlensConfig
from churnlens.pipeline import run
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores
STAGES = ["behaviour_orders", "behaviour_clicks"]


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in sorted(df.columns):
        col = df[c]
        if pd.api.types.is_float_dtype(col):
            out[c] = col.round(9)
        elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_integer_dtype(col):
            out[c] = col.astype("float64")
        else:
            out[c] = col.map(
                lambda v: (
                    None
                    if v is None or v is pd.NaT or v != v
                    else str(pd.Timestamp(v))
                    if hasattr(v, "year")
                    else str(v)
                )
            )
    return out.sort_values(list(out.columns), kind="stable", na_position="first").reset_index(drop=True)


@pytest.fixture(scope="module")
def both(tmp_path_factory, spark_available):
    shop = click_shop(40, seed=11)
    config = ChurnlensConfig()
    config.behaviour.path_top = 20
    config.engine.spark_shuffle_partitions = 2  # tiny tables: two tasks per stage
    duck = Warehouse(tmp_path_factory.mktemp("bd") / "w.duckdb")
    spark = Warehouse(tmp_path_factory.mktemp("bs") / "warehouse", engine="spark", config=config)
    load(duck, shop)
    load(spark, shop)
    r1 = run(duck, config, only=STAGES)
    r2 = run(spark, config, only=STAGES)
    yield duck, spark, r1, r2
    duck.close()


def test_same_tables_and_rows(both):
    _, _, r1, r2 = both
    assert not r1.skipped and r1.written == r2.written
    assert {"sessions", "funnel_steps", "cohort_retention", "customer_lifecycle", "search_trends"} <= set(
        r1.written
    )
    assert all(n > 0 for n in r1.written.values()), r1.written


def test_every_table_equal(both):
    duck, spark, r1, _ = both
    for name in sorted(r1.written):
        a, b = comparable(duck.to_pandas(name)), comparable(spark.to_pandas(name))
        assert list(a.columns) == list(b.columns), name
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
        except AssertionError as exc:
            raise AssertionError(f"table {name} differs between DuckDB and Spark: {exc}") from None
    s = duck.to_pandas("sessions")
    assert np.isclose(s.duration_s.sum(), spark.to_pandas("sessions").duration_s.sum())
