"""Apply a pandas function to a table's rows where the engine keeps them.

Per-customer maths (a fitted model scoring every customer) is a NumPy function of one row at a
time. `map_row_batches` runs it on batches of rows: on Spark in the executors
(``mapInPandas``), so the driver never holds the per-customer table, only the function and the
fitted parameters it closes over; on DuckDB in this process, on the whole table at once. Both
return an Ibis table of the same rows, which the warehouse writes like any other result.

The function must be row-wise (a row's output depends on that row only), take and return a
pandas DataFrame, and return the columns of ``schema`` in its order and types. On a Spark
cluster it is pickled to the executors, so the modules it uses (churnlens, NumPy) must be
installed there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import ibis
import pandas as pd

RowFunction = Callable[[pd.DataFrame], pd.DataFrame]


def map_row_batches(table: ibis.Table, fn: RowFunction, schema: ibis.Schema) -> ibis.Table:
    """``fn`` applied to every row of ``table`` (in batches), as an Ibis table with ``schema``."""
    backend = table._find_backend()
    if backend.name != "pyspark":
        return ibis.memtable(_typed(fn(table.execute()), schema), schema=schema)
    from ibis.backends.pyspark.datatypes import PySparkSchema

    backend._run_pre_execute_hooks(table)  # in-memory tables become Spark views first
    frame = backend._session.sql(backend.compile(table))

    def batches(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for part in parts:
            yield _typed(fn(part), schema)

    name = f"_rows_{uuid.uuid4().hex[:12]}"
    frame.mapInPandas(batches, schema=PySparkSchema.from_ibis(schema)).createOrReplaceTempView(name)
    return backend.table(name)


def _typed(frame: pd.DataFrame, schema: ibis.Schema) -> pd.DataFrame:
    """``frame``'s columns in ``schema``'s order, numbers in its types (a NULL float is NaN)."""
    out = frame[list(schema.names)].copy()
    for name, dtype in schema.items():
        if dtype.is_floating():
            out[name] = out[name].astype("float64")
        elif dtype.is_integer() and not out[name].isna().any():
            out[name] = out[name].astype(dtype.to_pandas())
    return out
