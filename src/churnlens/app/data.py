"""Read-only, cached queries over the warehouse's result tables.

The dashboard opens the warehouse **read-only** for each query and closes it at once, so it
never holds the file that a run or an ingest needs. A run computes apart from the warehouse and
holds it only to publish; a query meeting that moment waits for it
(`churnlens.warehouse.READ_WAIT_SECONDS`), so a page opened mid-run shows the previous run. Every query result is cached
(`st.cache_data`) under the time of the warehouse's last publication (`stamp`), so a new
`churnlens run` is picked up on the next page view, a warm page never queries twice, and pages
already seen stay readable while a run is writing. Queries are built with Ibis from fixed table and column names: nothing typed on a page
becomes SQL or a file path, and a value typed on a page is only ever a literal in a filter.

Personal fields (names, e-mails, phone numbers, addresses) are never loaded: `PRIVATE` columns
are dropped before a query runs, and so is a ``name`` in a table of customers (a product's name
in a table of a customer's products stays). Canonical tables are read only where a page needs raw facts
(a customer's order timeline) and only through `CANONICAL_COLUMNS`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import streamlit as st

from churnlens.provenance import last_ingest_time, results_dataset, stale_tables
from churnlens.warehouse import RUNS_TABLE, Warehouse, published_marker

#: Canonical tables (and the only columns of them) the dashboard may read.
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "order_id",
        "customer_id",
        "order_ts",
        "status",
        "items_amount",
        "discount_amount",
        "total_amount",
        "promo_code",
    ),
}
CANONICAL = {"customers", "products", "orders", "order_items", "events"}
INTERNAL = {RUNS_TABLE, "rejected_rows"}

#: Column names that hold personal data; never selected.
PRIVATE = re.compile(
    r"(^|_)(e?mail|email_address|phone|phone_number|first_name|last_name|full_name|username|"
    r"address|street|zip|postcode|postal_code|ip|ip_address|card|card_number)$",
    re.IGNORECASE,
)

#: (column, op, value); op is "==", ">=", "<=", "in", "contains", or "semi": keep the rows whose
#: ``column`` appears in another result table's rows matching filters: value = (table, filters).
Filter = tuple[str, str, Any]


#: The warehouse's engine, set by `churnlens serve --engine` (DuckDB when unset).
ENGINE_ENV = "CHURNLENS_ENGINE"

#: One query at a time per process (a DuckDB connection is not shared across threads).
_LOCK = threading.Lock()


@contextlib.contextmanager
def _opened(db: str) -> Iterator[Warehouse]:
    """The warehouse, read-only, for one query: opened and closed again at once, so the dashboard
    never holds the file a run or an ingest needs to write."""
    with _LOCK:
        wh = Warehouse(db, engine=os.environ.get(ENGINE_ENV, "duckdb"), read_only=True)
        try:
            yield wh
        finally:
            wh.close()


def stamp(db: str) -> float:
    """The cache key of every query: changes when a run or an ingest publishes (the warehouse's
    publication marker), not while one is writing, so pages already seen stay readable then."""
    for path in (published_marker(db), Path(db)):
        try:
            return os.stat(path).st_mtime
        except OSError:
            continue
    return 0.0


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_columns(db: str, stamp: float) -> dict[str, list[str]]:
    """Every table's columns, read in one visit to the warehouse (a page's first view then opens
    it once for all of them, not once per table)."""
    with _opened(db) as wh:
        if wh.engine == "duckdb":  # DuckDB's own relations: no Ibis schema lookup per table
            raw = wh.con.con
            return {name: list(raw.table(name).columns) for name in wh.tables()}
        return {name: list(wh.table(name).columns) for name in wh.tables()}


def _allowed_columns(db: str, table: str, stamp: float = 0.0) -> list[str]:
    stored = _stored_columns(db, stamp)
    if table in stored:
        cols = stored[table]
    else:  # not there: the warehouse says so (its error names the table and the fix)
        with _opened(db) as wh:
            cols = list(wh.table(table).columns)
    if table in CANONICAL:
        cols = [c for c in cols if c in CANONICAL_COLUMNS.get(table, ())]
    # a "name" beside a customer is the customer's, unless the rows are products (a customer's
    # routine products): then it is the product's name
    personal = table in CANONICAL or ("customer_id" in cols and "product_id" not in cols)
    return [c for c in cols if not PRIVATE.search(c) and not (personal and c.lower() == "name")]


@st.cache_data(show_spinner=False, max_entries=64)
def tables(db: str, stamp: float) -> dict[str, int]:
    """Result tables (and their rows), without the canonical and internal tables."""
    with _opened(db) as wh:
        names = [n for n in wh.tables() if n not in CANONICAL and n not in INTERNAL]
        if wh.engine == "duckdb":  # DuckDB's own relations: no Ibis schema lookup per table
            raw = wh.con.con
            return {name: int(raw.table(name).count("*").fetchone()[0]) for name in names}
        return {name: int(wh.con.table(name).count().to_pyarrow().as_py()) for name in names}


@st.cache_data(show_spinner=False, max_entries=256)
def columns(db: str, stamp: float, table: str) -> list[str]:
    return _allowed_columns(db, table, stamp)


@st.cache_data(show_spinner=False, max_entries=16)
def run_info(db: str, stamp: float) -> dict[str, Any]:
    """Dataset facts (currency, time mode, prices) of the data the results were computed from,
    the last run (time, skipped stages) and the result tables that are stale."""
    with _opened(db) as wh:
        runs = wh.runs()
        # The results are labelled with the data they were computed from (currency, time mode).
        info = dict(results_dataset(runs) or wh.dataset_info())
        has_canonical = {name: wh.has(name) for name in CANONICAL}
        visible = set(wh.tables())
    info["canonical"] = has_canonical
    info["stale"] = [t for t in stale_tables(runs) if t in visible]
    info["ingested_at"] = last_ingest_time(runs)
    if not runs.empty and "kind" in runs:
        kinds = runs["kind"].tolist()
        since = max((i for i, k in enumerate(kinds) if k == "ingest"), default=-1) + 1
        done = runs.iloc[since:]
        done = done[done["kind"] == "run"]
        skipped: dict[str, str] = {}
        for _, run in done.iterrows():
            try:
                skipped.update(json.loads(run.get("skipped") or "{}"))
            except (TypeError, ValueError):
                continue
        if len(done):
            info["last_run"] = str(done.iloc[-1].get("started_at", ""))
            info["settings"] = _settings(done.iloc[-1].get("config"))
        info["skipped"] = skipped
    info.setdefault("skipped", {})
    return info


def _settings(text: Any) -> dict[str, Any]:
    """The settings a run recorded (its configuration as JSON); empty when unreadable."""
    try:
        settings = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def _apply(t: ibis.Table, filters: Sequence[Filter], con: Any = None) -> ibis.Table:
    for col, op, value in filters:
        c = t[col]
        if op == "semi":
            other_name, other_filters = value
            if other_name in CANONICAL or con is None:
                raise ValueError(f"cannot filter on table {other_name!r}")
            other = _apply(con.table(other_name), other_filters, con)
            t = t.filter(c.isin(other[col]))
            continue
        if op == "==":
            t = t.filter(c == value)
        elif op == ">=":
            t = t.filter(c >= value)
        elif op == "<=":
            t = t.filter(c <= value)
        elif op == "in":
            t = t.filter(c.isin(list(value)))
        elif op == "contains":
            t = t.filter(c.cast("string").contains(str(value)))
        else:
            raise ValueError(f"unknown filter operator {op!r}")
    return t


@st.cache_data(show_spinner=False, max_entries=512)
def frame(
    db: str,
    stamp: float,
    table: str,
    cols: tuple[str, ...] | None = None,
    filters: tuple[Filter, ...] = (),
    order_by: tuple[str, ...] = (),
    descending: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """Rows of ``table`` (allowed columns only), filtered, ordered and limited in the engine."""
    allowed = columns(db, stamp, table)
    chosen = [c for c in (cols or allowed) if c in allowed]
    with _opened(db) as wh:
        t = wh.con.table(table)
        t = _apply(t, filters, wh.con).select(*chosen)
        if order_by:
            keys = [ibis.desc(c) if descending else ibis.asc(c) for c in order_by if c in chosen]
            if keys:
                t = t.order_by(keys)
        if limit is not None:
            t = t.limit(limit)
        return t.to_pandas()


@st.cache_data(show_spinner=False, max_entries=256)
def count(db: str, stamp: float, table: str, filters: tuple[Filter, ...] = ()) -> int:
    with _opened(db) as wh:
        return int(_apply(wh.con.table(table), filters, wh.con).count().to_pyarrow().as_py())


@st.cache_data(show_spinner=False, max_entries=256)
def distinct(db: str, stamp: float, table: str, col: str, limit: int = 200) -> list[Any]:
    """Distinct values of one allowed column (for filter choices), most frequent first."""
    if col not in columns(db, stamp, table):
        return []
    with _opened(db) as wh:
        t = wh.con.table(table)
        agg = t.group_by(col).aggregate(n=t.count()).order_by(ibis.desc("n")).limit(limit)
        return [v for v in agg.to_pandas()[col].tolist() if not pd.isna(v)]


def exists(db: str) -> bool:
    return Path(db).is_file()


@st.cache_data(show_spinner=False, max_entries=256)
def grouped(
    db: str,
    stamp: float,
    table: str,
    by: tuple[str, ...],
    metrics: tuple[tuple[str, str, str | None], ...],
    filters: tuple[Filter, ...] = (),
) -> pd.DataFrame:
    """``by`` groups of ``table`` with ``metrics`` = (output, "count" | "sum" | "mean", column)."""
    allowed = columns(db, stamp, table)
    with _opened(db) as wh:
        t = _apply(wh.con.table(table), filters, wh.con)
        aggs = {}
        for out, op, col in metrics:
            if op == "count":
                aggs[out] = t.count()
            elif col in allowed and op in ("sum", "mean", "max", "min"):
                aggs[out] = getattr(t[col], op)()
        keys = [c for c in by if c in allowed]
        if not keys:
            return t.aggregate(**aggs).to_pandas()
        return t.group_by(keys).aggregate(**aggs).order_by(keys).to_pandas()
