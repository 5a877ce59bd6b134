"""Shared test fixtures: where the real sample data lives, small warehouses, a Spark session."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from churnlens.schema import CANONICAL

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


#: Arrow type of each canonical SQL type.
ARROW = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
}


def canonical(name: str, rows: list[dict]) -> pa.Table:
    """A canonical table from row dicts (missing columns NULL, typed as the schema says)."""
    cols = {}
    for c in CANONICAL[name].columns:
        vals = [r.get(c.name) for r in rows]
        if c.sql_type == "TIMESTAMP":
            vals = [None if v is None else pd.Timestamp(v).floor("us").to_pydatetime() for v in vals]
        if c.sql_type == "DATE":
            vals = [None if v is None else pd.Timestamp(v).date() for v in vals]
        cols[c.name] = pa.array(vals, type=ARROW[c.sql_type])
    return pa.table(cols)


def shared_data(*parts: str) -> Path:
    """Path to a real sample under ../shared/data; skips the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real sample data not found at {path} (expected ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("PySpark is not installed (pip install -e '.[spark]')")
    if os.system("java -version >/dev/null 2>&1") != 0:
        pytest.skip("Java is not installed; the Spark engine needs Java 17")
    return True


def query(wh, sql: str):
    """Run SQL on a DuckDB warehouse; a pandas DataFrame."""
    return wh.con.con.execute(sql).df()


def counts(summary) -> dict[str, tuple[int, int, int]]:
    """(read, stored, rejected) per table of an ingest summary, checking read = stored + rejected."""
    out = {r["table"]: (r["read"], r["stored"], r["rejected"]) for r in summary.rows()}
    for table, (read, stored, rejected) in out.items():
        assert read == stored + rejected, table
    return out


def rejected(wh):
    """The rejected rows, in file and line order."""
    return query(wh, "SELECT * FROM rejected_rows ORDER BY source_file, line")
