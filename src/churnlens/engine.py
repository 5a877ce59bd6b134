"""Open the warehouse's engine: an embedded DuckDB file, or PySpark.

This is the one place that knows how to start an engine. Everything above the warehouse
works with the Ibis backend it returns and never asks which engine it is.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis

from churnlens.config import EngineConfig
from churnlens.errors import DataError

ENGINES = ("duckdb", "spark")


def connect_duckdb(
    path: str | Path | None,
    read_only: bool = False,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Any:
    """An Ibis DuckDB backend on a file (``None``: in memory), without DuckDB's own progress
    bar (it would write over the command line's output and fill logs).

    A file that another process holds (a run, an ingest, a dashboard query) is waited for up to
    ``wait_seconds``, telling ``on_wait`` once; after that a DataError says who holds it and what
    to do."""
    if path is None:
        return quiet(ibis.duckdb.connect())
    p = Path(path)
    if read_only and not p.exists():
        raise DataError(
            "The warehouse file does not exist.",
            file=str(p),
            fix="Run `churnlens ingest ...` or `churnlens demo` first, or pass --db with an existing file.",
        )
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            return quiet(ibis.duckdb.connect(str(p), read_only=read_only))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                holder = re.search(r"\(PID (\d+)\)", str(exc))
                raise DataError(
                    "The warehouse is in use by another program"
                    + (f" (process {holder.group(1)})" if holder else "")
                    + ": a churnlens command that is still running, or the dashboard (`churnlens serve`)"
                    + (f"; waited {wait_seconds:g} s" if wait_seconds else "")
                    + ".",
                    file=str(p),
                    fix="Wait until the other run or ingest has finished, then try again "
                    "(the dashboard only holds the file for a moment; raise engine.lock_wait_seconds to wait longer).",
                ) from exc
            if on_wait is not None and not told:
                on_wait(f"waiting for {p.name}: another run or ingest is writing to it")
                told = True
            time.sleep(0.25)


def quiet(backend: Any) -> Any:
    """Turn off DuckDB's progress bar on an Ibis backend or a plain DuckDB connection."""
    con = getattr(backend, "con", backend)
    con.execute("SET enable_progress_bar = false")
    return backend


def limit_memory(backend: Any, cfg: EngineConfig, default_temp: str = "") -> None:
    """Bound DuckDB's memory to ``cfg.duckdb_memory_limit``; beyond it, it spills to
    ``cfg.duckdb_temp_directory``, else ``default_temp``, else DuckDB's own place (beside the
    database file)."""
    con = getattr(backend, "con", backend)
    temp = cfg.duckdb_temp_directory or default_temp
    try:
        if cfg.duckdb_memory_limit:
            con.execute("SET memory_limit = ?", [cfg.duckdb_memory_limit])
        if temp:
            con.execute("SET temp_directory = ?", [temp])
    except duckdb.Error as exc:
        raise DataError(
            f"DuckDB refused the memory settings: {str(exc).splitlines()[0]}",
            values=[cfg.duckdb_memory_limit, temp],
            fix="Set engine.duckdb_memory_limit like 1.5GB and engine.duckdb_temp_directory to a "
            "writable folder.",
        ) from exc


def spark_session(cfg: EngineConfig, warehouse_dir: str | Path | None = None) -> Any:
    """A SparkSession on 127.0.0.1 with UTC time and no web UI (local unless cfg says otherwise)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DataError(
            "The Spark engine needs PySpark, which is not installed.",
            fix='Install it with: pip install "churnlens[spark]"',
        ) from exc
    builder = SparkSession.builder.appName("churnlens")
    if cfg.spark_master.startswith("sc://"):
        builder = builder.remote(cfg.spark_master)
    else:
        builder = (
            builder.master(cfg.spark_master)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", cfg.spark_driver_memory)
        )
    builder = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(cfg.spark_shuffle_partitions))
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.ansi.enabled", "false")
    )
    if warehouse_dir is not None:
        builder = builder.config("spark.sql.warehouse.dir", str(Path(warehouse_dir).resolve()))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect_spark(cfg: EngineConfig, warehouse_dir: str | Path | None = None) -> Any:
    """An Ibis PySpark backend."""
    return ibis.pyspark.connect(spark_session(cfg, warehouse_dir))
