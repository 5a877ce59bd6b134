"""The customer summary is the same on Spark as on DuckDB."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from churnlens.clv import summary_from_orders
from churnlens.config import EngineConfig
from churnlens.engine import connect_spark

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores


def random_orders(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amounts = rng.gamma(2.0, 30.0, n).round(2)
    amounts[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "order_id": [str(i) for i in range(n)],
            "customer_id": rng.integers(0, 60, n).astype(str),
            "order_ts": (
                pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.uniform(0, 120, n), unit="D")
            ).floor("s"),
            "status": rng.choice(["paid", "paid", "paid", "cancelled"], n),
            "total_amount": amounts,
        }
    )


def test_same_summary_on_duckdb_and_spark(spark_available, tmp_path):
    frame = random_orders()  # some amounts are NaN: treated as unknown on both engines
    cons = {"duckdb": ibis.duckdb.connect(), "spark": connect_spark(EngineConfig(), tmp_path / "wh")}
    for unit in ("day", "order"):
        results = []
        for con in cons.values():
            orders = con.create_table("clv_orders", frame, overwrite=True)
            got = summary_from_orders(orders, "2022-03-15", unit=unit, holdout_end="2022-05-01").to_pandas()
            results.append(got.sort_values("customer_id").reset_index(drop=True))
        duck, spark = results
        assert len(duck) > 30
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-12)
