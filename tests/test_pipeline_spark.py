"""The whole pipeline through the Spark warehouse's write path gives the tables DuckDB gives.

A small generated fashion-campus shop is ingested and run (every stage) on both engines; every
result table must exist on both with the same columns, column types, row counts and values
(numbers to 1e-9 relative), churn scores included.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from churnlens import pipeline
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.schema import ALL_TABLES
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import RUNS_TABLE, Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # a Spark session takes minutes on 2 cores

#: Tables whose text holds run-specific facts (times, seconds, versions), compared by shape only.
RUN_SPECIFIC = {RUNS_TABLE}
#: Known engine differences still open, as (table, column): absolute tolerance. The playbook's
#: days since the last order: DuckDB's value is rounded to 1e-7 days, Spark's is not.
KNOWN_DIFFERENCES = {("actions", "days_since_last_order"): 1e-4}


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
    duck.close()
    duck = Warehouse(duck.path, read_only=True)  # as the report and the dashboard open it
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
                    x.to_numpy(float, na_value=np.nan), y.to_numpy(float, na_value=np.nan), rtol=1e-9,
                    atol=KNOWN_DIFFERENCES.get((name, col), 0), equal_nan=True,
                    err_msg=f"{name}.{col}",
                )  # fmt: skip
            else:
                xs = x.astype(object).where(x.notna(), None).map(_text)
                ys = y.astype(object).where(y.notna(), None).map(_text)
                for u, v in zip(xs, ys, strict=True):
                    assert same_text(u, v), f"{name}.{col}: {u!r} != {v!r}"


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def same_text(u: str | None, v: str | None) -> bool:
    """Equal texts, where numbers written into them (a reason's "value 1,714,072") may differ by
    one unit of their last shown digit: a value differing in its last bits can round either way."""
    if u is None or v is None or u == v:
        return u == v
    if NUMBER.split(u) != NUMBER.split(v):
        return False
    for a, b in zip(NUMBER.findall(u), NUMBER.findall(v), strict=True):
        unit = 10.0 ** -len(a.partition(".")[2])
        if abs(float(a.replace(",", "")) - float(b.replace(",", ""))) > unit * 1.000001:
            return False
    return True


def _text(v):
    """A value as text for comparison: timestamps without their zone or precision."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
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
    np.testing.assert_array_equal(a["churn_probability"].to_numpy(), b["churn_probability"].to_numpy())
    assert a["risk_band"].tolist() == b["risk_band"].tolist()


def test_report_and_dashboard_read_the_spark_warehouse(both, tmp_path, monkeypatch):
    """`report --engine spark` and `serve --engine spark` read the Spark warehouse: the same
    result tables and KPIs as from the DuckDB one."""
    from churnlens.app import data, server
    from churnlens.report import write_report

    duck, spark, _ = both
    spark_html = write_report(spark.path, tmp_path / "s.html", engine="spark").read_text(encoding="utf-8")
    duck_html = write_report(duck.path, tmp_path / "d.html").read_text(encoding="utf-8")
    assert len(spark_html) == pytest.approx(len(duck_html), rel=0.02)

    for name in (data.ENGINE_ENV, "CHURNLENS_DB", "CHURNLENS_LANG", "STREAMLIT_BROWSER_GATHER_USAGE_STATS"):
        monkeypatch.setenv(name, "")  # prepare() sets them; put back after the test
    path = server.prepare(spark.path, engine="spark")
    assert path == spark.path.resolve()
    shown = data.tables(str(path), 0.0)
    monkeypatch.setenv(data.ENGINE_ENV, "duckdb")
    assert shown == data.tables(str(duck.path), 0.0)
    assert shown["customer_scores"] == duck.table("customer_scores").count().execute() > 0


def test_an_unreadable_folder_does_not_stop_the_warehouse_opening(both):
    _, spark, _ = both
    (spark.path / "notes").mkdir()
    (spark.path / "notes" / "part-0.parquet").write_text("not parquet")
    leftover = spark.path / "_run_20200101T000000000000_abcdef__rfm_123456"
    leftover.mkdir()
    (leftover / "part-0.parquet").write_text("half written")
    try:
        reader = Warehouse(spark.path, engine="spark", read_only=True)
        assert "notes" in reader.unreadable and "notes" not in reader.tables()
        assert "rfm" in reader.tables() and not any(n.startswith("_run_") for n in reader.tables())
        with pytest.raises(DataError, match="notes"):
            reader.table("notes")
        writer = Warehouse(spark.path, engine="spark")
        assert leftover.name in writer.cleaned and not leftover.exists()
        assert writer.table("rfm").count().execute() == spark.table("rfm").count().execute()
    finally:
        (spark.path / "notes" / "part-0.parquet").unlink()
        (spark.path / "notes").rmdir()
