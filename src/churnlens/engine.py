"""Open the warehouse's engine: an embedded DuckDB file, or PySpark.

This is the one place that knows how to start an engine. Everything above the warehouse
works with the Ibis backend it returns and never asks which engine it is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis

from churnlens.config import EngineConfig
from churnlens.errors import DataError
from churnlens.writer_lock import duckdb_holder, in_use_error

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
                raise in_use_error(p, duckdb_holder(exc), wait_seconds) from exc
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
    if is_connect(cfg):
        # Spark Connect: the server owns the context (driver, UI, log level); the client only
        # sets the session's SQL settings, and never touches `sparkContext`, which it has not
        try:
            session = SparkSession.builder.remote(cfg.spark_master).getOrCreate()
        except ImportError as exc:  # the Connect client's own packages (grpcio, ...)
            raise DataError(
                f"Spark Connect ({cfg.spark_master}) needs packages that are not installed: {exc}",
                fix='Install them with: pip install "churnlens[spark]"',
            ) from exc
        for key, value in _sql_settings(cfg).items():
            session.conf.set(key, value)
        return session
    builder = (
        SparkSession.builder.appName("churnlens")
        .master(cfg.spark_master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", cfg.spark_driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in _sql_settings(cfg).items():
        builder = builder.config(key, value)
    if warehouse_dir is not None:
        builder = builder.config("spark.sql.warehouse.dir", str(Path(warehouse_dir).resolve()))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _sql_settings(cfg: EngineConfig) -> dict[str, str]:
    """The session settings both engines' results depend on: UTC time, microsecond Parquet
    timestamps (what DuckDB and pyarrow read), non-ANSI arithmetic as Ibis compiles it; and
    results and in-memory tables crossing to and from pandas as Arrow columns (Ibis fetches
    every result through pandas), not row by row."""
    return {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(cfg.spark_shuffle_partitions),
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }


def connect_spark(cfg: EngineConfig, warehouse_dir: str | Path | None = None) -> Any:
    """An Ibis PySpark backend that computes what the DuckDB backend computes (`spark_compiler`)."""
    session = spark_session(cfg, warehouse_dir)
    backend = connect_backend().connect(session) if is_connect(cfg) else ibis.pyspark.connect(session)
    backend.compiler = spark_compiler()
    return backend


def is_connect(cfg: EngineConfig) -> bool:
    """True when the engine is a Spark Connect server (``sc://host:port``), not a driver here."""
    return cfg.spark_master.startswith("sc://")


def connect_backend() -> Any:
    """Ibis's PySpark backend for a Spark Connect session.

    Ibis checks that a cached table reports itself cached right after ``cache()``; through
    Connect the server answers for its own copy of the plan, which may say no while the data is
    cached (or recomputed, with the same result). The cached table is kept without that check.
    """
    # the class of the backend `ibis.pyspark` loads, which registers its options (ibis.options.pyspark)
    base = type(ibis.pyspark.compile.__self__)

    class ConnectBackend(base):
        def _create_cached_table(self, name: str, expr: Any) -> Any:
            frame = self._session.sql(self.compile(expr)).cache()
            frame.createTempView(name)
            self._cached_dataframes[name] = frame
            return self.table(name)

        def _drop_cached_table(self, name: str) -> None:
            self._session.catalog.dropTempView(name)
            self._cached_dataframes.pop(name).unpersist()

    return ConnectBackend()


def spark_compiler() -> Any:
    """Ibis's PySpark compiler, with ``epoch_seconds`` as DuckDB gives it.

    Ibis compiles ``epoch_seconds`` to Spark's ``unix_timestamp``, which drops the fraction of a
    second, where DuckDB's ``epoch`` keeps it (microseconds / 1e6, as a double). Days between
    orders then differed by up to a second between the engines, and every figure built on them
    (gaps, recency, BG/NBD ages, customer values) in their last digits. Here Spark divides the
    timestamp's microseconds since 1970 by 1e6 in doubles: the same bits as DuckDB.
    """
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler
    from ibis.expr import datatypes as dt

    class Compiler(PySparkCompiler):
        def visit_ExtractEpochSeconds(self, op: Any, *, arg: Any) -> Any:
            micros = self.cast(self.f.unix_micros(self.cast(arg, dt.timestamp)), dt.float64)
            return sge.Div(this=micros, expression=self.cast(sge.convert(1_000_000), dt.float64))

    return Compiler()
