"""Segments and diagnosis give the same tables on DuckDB and on Spark (a small shop)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_diagnosis_findings import numpy_shop

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.segments.stage import run_segments
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores


def frame(obj) -> pd.DataFrame:
    df = obj if isinstance(obj, pd.DataFrame) else obj.to_pandas()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.DatetimeTZDtype):
            df[c] = df[c].dt.tz_convert("UTC").dt.tz_localize(None)
        if df[c].dtype.kind == "M":
            df[c] = df[c].astype("datetime64[us]")
    df = df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)
    return df.astype(object).where(df.notna(), None)


@pytest.fixture(scope="module")
def both(tmp_path_factory, spark_available):
    cfg = ChurnlensConfig()
    cfg.engine.spark_shuffle_partitions = 1  # tiny tables: one task per stage
    duck = numpy_shop("decline", seed=5, customers=60)
    spark_wh = Warehouse(tmp_path_factory.mktemp("s") / "w", engine="spark", config=cfg)
    spark = numpy_shop("decline", seed=5, customers=60, wh=spark_wh)
    out = {}
    for name, wh in (("duck", duck), ("spark", spark)):
        tables = {**run_segments(wh, cfg), **run_diagnosis(wh, cfg)}
        out[name] = {k: frame(v) for k, v in tables.items()}
    duck.close()
    return out


NAMES = [
    "rfm", "segment_summary", "demographic_segments", "sales_daily", "sales_weekly", "sales_monthly",
    "category_sales_monthly", "revenue_bridge", "revenue_bridge_by_segment", "promo_codes", "promo_usage",
    "promo_audience", "promo_repurchase", "promo_roi", "acquisition_monthly", "findings",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_same_tables_on_both_engines(both, name):
    a, b = both["duck"][name], both["spark"][name]
    assert len(a) > 0 and list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
