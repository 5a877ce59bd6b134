"""Customer value on Spark: the models are fitted on counts, the customers scored in executors.

The driver receives only what the engine counted (distinct (frequency, recency, T) rows and
distinct (frequency, spend) rows, each with its number of customers); the per-customer scores
are computed by `mapInPandas` and equal DuckDB's, and those of the pandas path
(`score_customers` on the whole summary).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from churnlens.clv import BGNBD, calibration_holdout, diagnostics_from_orders, summary_from_orders
from churnlens.clv.scores import customer_value_table, score_customers
from churnlens.config import ChurnlensConfig, EngineConfig
from churnlens.engine import connect_spark

pytestmark = [pytest.mark.spark, pytest.mark.slow]

RTOL = 1e-9


def shop_orders(folder) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The orders of the 300-customer demo shop, and a cutoff 60 days before the last."""
    from churnlens.demo import demo_shop
    from churnlens.ingest import ingest
    from churnlens.warehouse import Warehouse

    with Warehouse(None) as wh:
        ingest(*demo_shop("fashion-campus", folder, 300, 0), wh)
        orders = wh.to_pandas("orders")
    return orders, orders["order_ts"].max().normalize() - pd.Timedelta(days=60)


@pytest.fixture(scope="module")
def values(spark_available, tmp_path_factory):
    frame, cutoff = shop_orders(tmp_path_factory.mktemp("shop"))
    cfg = ChurnlensConfig()
    duck = ibis.duckdb.connect()
    spark = connect_spark(EngineConfig(spark_shuffle_partitions=3), tmp_path_factory.mktemp("wh"))
    pulled: list[list[str]] = []
    execute = spark.execute

    def counting_execute(expr, *args, **kwargs):
        out = execute(expr, *args, **kwargs)
        pulled.append(list(getattr(out, "columns", [])))
        return out

    spark.execute = counting_execute
    out = {}
    for name, con in (("duckdb", duck), ("spark", spark)):
        orders = con.create_table(
            "value_orders", frame[["customer_id", "order_ts", "status", "total_amount"]], overwrite=True
        )
        out[name] = customer_value_table(orders, cutoff, cfg)
        out[f"{name} checks"] = diagnostics_from_orders(orders, cutoff, 90.0, cfg)
    out["orders"] = (duck.table("value_orders"), cutoff)
    summary = summary_from_orders(duck.table("value_orders"), cutoff).to_pandas()
    out["pandas"] = score_customers(summary, cfg)
    yield out, list(pulled), spark  # what the fits pulled, not what the tests read later


def scores_of(value) -> pd.DataFrame:
    frame = value.scores if isinstance(value.scores, pd.DataFrame) else value.scores.to_pandas()
    return frame.sort_values("customer_id").reset_index(drop=True)


def test_spark_scores_in_executors_and_pulls_only_counts(values):
    out, pulled, spark = values
    plan = spark._session.sql(spark.compile(out["spark"].scores))._jdf.queryExecution().toString()
    assert "MapInPandas" in plan or "MapInArrow" in plan, plan
    # what reached the driver while fitting: counts of customers sharing a row, never a customer
    assert pulled and all("customer_id" not in columns for columns in pulled), pulled
    assert ["frequency", "recency", "T", "n"] in pulled
    assert out["spark"].count_model.n_customers_ == len(scores_of(out["spark"])) > 200


def test_scores_equal_on_duckdb_spark_and_pandas(values):
    out, _, _ = values
    duck, spark, pandas = (scores_of(out[k]) for k in ("duckdb", "spark", "pandas"))
    assert duck.columns.tolist() == spark.columns.tolist() == pandas.columns.tolist()
    assert duck["customer_id"].tolist() == spark["customer_id"].tolist() == pandas["customer_id"].tolist()
    for col in duck.columns[1:]:
        assert duck[col].notna().all(), col
        np.testing.assert_allclose(spark[col], duck[col], rtol=RTOL, err_msg=col)
        np.testing.assert_allclose(pandas[col], duck[col], rtol=RTOL, err_msg=col)
    for a, b in ((out["spark"], out["duckdb"]), (out["pandas"], out["duckdb"])):
        for m, n in ((a.count_model, b.count_model), (a.spend_model, b.spend_model)):
            assert m.params_ == pytest.approx(n.params_, rel=RTOL)


def test_model_checks_equal_on_duckdb_and_spark(values):
    """The calibration/holdout table, the repeat-purchase curve and the P(alive) grid: each
    customer's holdout prediction made in the executors, the same tables as DuckDB's."""
    out, _, _ = values
    duck, spark = out["duckdb checks"], out["spark checks"]
    assert (
        sorted(duck)
        == sorted(spark)
        == ["clv_calibration_holdout", "clv_p_alive_matrix", "clv_repeat_purchases"]
    )
    for name, a in duck.items():
        b = spark[name]
        assert len(a) > 1 and list(a.columns) == list(b.columns), name
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), rtol=RTOL, atol=1e-12, check_dtype=False
        )
    # independently: the pandas table of the whole summary, with the model fitted on every row
    orders, cutoff = out["orders"]
    summary = summary_from_orders(orders, cutoff - pd.Timedelta(days=90), holdout_end=cutoff).to_pandas()
    model = BGNBD().fit(summary["frequency"], summary["recency"], summary["T"])
    want = calibration_holdout(model, summary)
    assert want["n_customers"].sum() > 100
    pd.testing.assert_frame_equal(duck["clv_calibration_holdout"], want, rtol=1e-6, check_dtype=False)
