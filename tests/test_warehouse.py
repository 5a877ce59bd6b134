"""Warehouse writes: atomic replacement and columns without any value."""

from __future__ import annotations

import pandas as pd
import pytest

from churnlens.errors import DataError
from churnlens.warehouse import Warehouse


def test_write_replaces_and_reads_back(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.write("t", pd.DataFrame({"a": [1, 2, 3]}))
    wh.write("t", wh.table("t").filter(wh.table("t").a > 1))  # reads the table it replaces
    assert wh.to_pandas("t").a.tolist() == [2, 3]
    assert not any(name.startswith("_tmp") for name in wh.con.list_tables())


def test_column_without_values_is_stored_as_text():
    wh = Warehouse()
    wh.write("t", pd.DataFrame({"a": [1, 2], "rank": [None, None]}))
    schema = wh.table("t").schema()
    assert schema["rank"].is_string() and wh.to_pandas("t")["rank"].isna().all()


def test_missing_table_names_the_fix():
    with pytest.raises(DataError, match="churnlens ingest"):
        Warehouse().table("orders")


def test_read_only_refuses_writes(tmp_path):
    Warehouse(tmp_path / "w.duckdb").close()
    wh = Warehouse(tmp_path / "w.duckdb", read_only=True)
    with pytest.raises(DataError, match="read-only"):
        wh.write("t", pd.DataFrame({"a": [1]}))


def test_duckdb_progress_bar_is_off(tmp_path):
    """DuckDB's own progress bar would write over the command line's output and fill logs."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.write("t", pd.DataFrame({"a": [1]}))
    for wh in (Warehouse(), Warehouse(tmp_path / "w.duckdb", read_only=True)):
        assert wh.con.con.sql("select current_setting('enable_progress_bar')").fetchone() == (False,)
        wh.close()
