"""Warehouse writes are atomic on DuckDB: a write that fails while its table is computed, or a
publish that fails half-way through swapping several tables in, leaves every earlier table
as it was and no temporary table behind."""

from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest

from churnlens.warehouse import Warehouse


def user_tables(wh: Warehouse) -> set[str]:
    """Tables of the warehouse file (not Ibis's in-memory registrations)."""
    return {t for t in wh.con.list_tables() if not t.startswith("ibis_")}


def test_a_write_that_fails_while_computing_keeps_the_previous_table(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.write("scores", pd.DataFrame({"customer_id": ["a", "b"], "p": [0.2, 0.9]}))
    before = user_tables(wh)
    # fails inside DuckDB, after the write has started: 'oops' cannot be cast to a number
    bad = ibis.memtable(pd.DataFrame({"customer_id": ["a", "b"], "p": ["0.3", "oops"]}))
    bad = bad.mutate(p=bad.p.cast("float64"))
    with pytest.raises(duckdb.Error):
        wh.write("scores", bad)
    assert wh.to_pandas("scores").sort_values("customer_id")["p"].tolist() == [0.2, 0.9]
    assert user_tables(wh) == before
    wh.close()
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as again:  # and so on disk
        assert again.to_pandas("scores")["p"].sort_values().tolist() == [0.2, 0.9]
        assert set(again.con.list_tables()) == before


def test_a_publish_that_fails_half_way_swaps_nothing(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.write("orders", pd.DataFrame({"order_id": ["o1"]}))
    wh.write("order_items", pd.DataFrame({"order_id": ["o1"], "line_no": [1]}))
    stage = wh.staging()
    stage.execute("CREATE TABLE staged_orders AS SELECT 'o2' AS order_id")
    # the second table of the publish does not exist: the swap fails after the first rename
    with pytest.raises(duckdb.Error):
        wh.publish(stage, {"orders": "staged_orders", "order_items": "staged_items_missing"})
    assert wh.to_pandas("orders")["order_id"].tolist() == ["o1"]
    assert wh.to_pandas("order_items")["line_no"].tolist() == [1]
    # nothing was half-handed over (the tables already moved are dropped), and a good publish works
    assert not any(t.startswith("_tmp") for t in user_tables(wh))
    stage.execute("CREATE OR REPLACE TABLE staged_orders AS SELECT 'o2' AS order_id")
    stage.execute("CREATE TABLE staged_items AS SELECT 'o2' AS order_id, 1 AS line_no")
    wh.publish(stage, {"orders": "staged_orders", "order_items": "staged_items"})
    assert wh.to_pandas("orders")["order_id"].tolist() == ["o2"]
    assert wh.to_pandas("order_items")["order_id"].tolist() == ["o2"]
    assert not any(t.startswith("_tmp") or t.startswith("staged") for t in user_tables(wh))
    wh.close()
