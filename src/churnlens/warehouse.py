"""The warehouse: canonical and result tables in one Ibis connection.

Default: an embedded DuckDB file (``churnlens.duckdb``). With ``engine="spark"`` the warehouse
is a directory with one Parquet dataset per table, read and written by PySpark. Every write
is atomic: the new table is built under a private name and then swapped in, so a reader
never sees half a table. Inside `run_scope` the writes of a whole run stay private until
`publish_run` makes them visible together with the run record (`churnlens.publishing`): a run
that fails or is killed leaves the previous complete run in place, and what it left behind is
removed the next time the warehouse is opened for writing.

A run on a DuckDB file computes apart from it (``run_scope(..., apart=True)``): in a run-private
staging file beside the warehouse (`staging_file`), with the warehouse attached read-only, so
that the dashboard and other readers keep reading the last published run while it works. Only
the publication opens the warehouse for writing, for one transaction that copies the run's
tables in; readers meeting that moment wait for it (`READ_WAIT_SECONDS`). Two writers never
meet: each writing open holds the warehouse's writer lock (`churnlens.writer_lock`).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot as sg

from churnlens.config import ChurnlensConfig
from churnlens.engine import ENGINES, connect_duckdb, connect_spark, limit_memory, quiet
from churnlens.errors import DataError
from churnlens.publishing import (
    RUN_PREFIX,
    RunScope,
    apply_journal,
    leftover,
    remove_leftover_dirs,
    write_journal,
)
from churnlens.writer_lock import WriterLock, duckdb_holder, in_use_error, lock_path

RUNS_TABLE = "runs"
#: Seconds a read-only open waits for a warehouse a writer holds (a run holds it only to publish).
READ_WAIT_SECONDS = 10.0
#: Names of the warehouse inside a run's staging file: read-only while computing, writable to publish.
PUBLISHED, TARGET = "published", "target"
#: The time column of each canonical table a run at an earlier cutoff does not see past.
AS_OF_COLUMNS = {"orders": "order_ts", "events": "event_ts"}


def default_db(engine: str = "duckdb") -> str:
    """The warehouse a command uses when no --db is given."""
    return "churnlens.duckdb" if engine == "duckdb" else "churnlens_spark"


def published_marker(db: str | Path) -> Path:
    """A small file beside a DuckDB warehouse, rewritten after every publication: its time tells
    readers (the dashboard) that the tables changed, without opening the warehouse."""
    return Path(f"{db}.published")


def staging_file(db: str | Path, run_id: str) -> Path:
    """The run-private DuckDB file a run on ``db`` computes in (removed when the run ends)."""
    return Path(f"{db}.{RUN_PREFIX}{run_id}.staging")


def _q(name: str) -> str:
    """A table name quoted for DuckDB SQL (sqlglot; names never reach SQL unquoted)."""
    return sg.to_identifier(name, quoted=True).sql("duckdb")


class Warehouse:
    """Canonical tables and results in one engine.

    Parameters
    ----------
    path:
        DuckDB file (``duckdb``) or directory of Parquet tables (``spark``); ``None`` keeps a
        DuckDB warehouse in memory (tests).
    engine:
        ``"duckdb"`` or ``"spark"``.
    config:
        The run's configuration (Spark settings are read from ``config.engine``).
    read_only:
        Open without the right to write (the dashboard does this).
    on_wait:
        Told once when the DuckDB file is held by another process and the warehouse waits for it
        (up to ``config.engine.lock_wait_seconds``; read-only opens do not wait).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        engine: str = "duckdb",
        config: ChurnlensConfig | None = None,
        read_only: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise DataError(
                f"Unknown engine '{engine}'.", values=[engine], fix=f"Use one of {list(ENGINES)}."
            )
        self.engine = engine
        self.config = config or ChurnlensConfig()
        self.read_only = read_only
        self.path = None if path is None else Path(path)
        self._scope: RunScope | None = None
        #: Set during a run whose cutoff is earlier than the data (`seen_as_of`).
        self.as_of: datetime | None = None
        #: The staging file of a run computing apart from the warehouse (`run_scope`).
        self._apart: Path | None = None
        #: Names removed when the warehouse was opened: what an unfinished write left behind.
        self.cleaned: list[str] = []
        #: Spark table folders that could not be read when the warehouse was opened, with why.
        self.unreadable: dict[str, str] = {}
        #: The writer lock a writing open holds until `close` (none in memory or read-only).
        self.lock: WriterLock | None = None
        if not read_only and self.path is not None:
            if engine == "spark":
                self.path.mkdir(parents=True, exist_ok=True)
            self.lock = WriterLock(lock_path(self.path, engine), self.path.name)
            self.lock.acquire(self.config.engine.lock_wait_seconds, on_wait)
            if self.lock.taken_over and on_wait is not None:
                on_wait(
                    f"took over the lock of {self.path.name} left by {self.lock.taken_over}, which has ended"
                )
        try:
            self._open(on_wait)
        except BaseException:
            self._release()
            raise

    def _open(self, on_wait: Callable[[str], None] | None) -> None:
        engine, read_only = self.engine, self.read_only
        if engine == "duckdb":
            wait = READ_WAIT_SECONDS if read_only else self.config.engine.lock_wait_seconds
            self.con = connect_duckdb(self.path, read_only=read_only, wait_seconds=wait, on_wait=on_wait)
            spill = str(Path(tempfile.gettempdir()) / "churnlens_spill") if self.path is None else ""
            limit_memory(self.con, self.config.engine, default_temp=spill)
            if not read_only:
                self.cleaned = self._drop_leftover_tables() + self._remove_staging_files()
        else:
            if self.path is None:
                self.path = Path(tempfile.mkdtemp(prefix="churnlens_spark_"))
            if read_only and not self.path.is_dir():
                raise DataError(
                    "The Spark warehouse directory does not exist.",
                    file=str(self.path),
                    fix="Ingest data with --engine spark first.",
                )
            self.path.mkdir(parents=True, exist_ok=True)
            if not read_only:
                apply_journal(self.path)
                self.cleaned = remove_leftover_dirs(self.path)
            self.con = connect_spark(self.config.engine, self.path / "_spark")
            for name in self._stored():
                try:
                    self._register(name, self.path / name)
                except Exception as exc:  # noqa: BLE001 - one bad folder must not hide the others
                    self.unreadable[name] = str(exc).splitlines()[0]

    # ---- reading ---------------------------------------------------------------------------
    def tables(self) -> list[str]:
        """Visible tables (hidden ``_`` names left out); inside a run, as the run sees them."""
        names = {n for n in self._stored() if not n.startswith("_") and n not in self.unreadable}
        if self._scope is not None:
            names = (names | {n for n in self._scope.written if not n.startswith("_")}) - self._scope.dropped
        return sorted(names)

    def has(self, name: str) -> bool:
        if self._scope is not None:
            if name in self._scope.dropped:
                return False
            if name in self._scope.written:
                return True
        return name in self._stored()

    def table(self, name: str) -> ibis.Table:
        if name in self.unreadable and not (self._scope is not None and name in self._scope.written):
            raise DataError(
                f"The warehouse's table '{name}' cannot be read: {self.unreadable[name]}",
                file=str(self.path / name),
                fix="Write the table again (`churnlens run`, or `churnlens ingest` for a canonical table), "
                "or remove that folder.",
            )
        if not self.has(name):
            raise DataError(
                f"The warehouse has no table '{name}'.",
                file=str(self.path),
                fix="Ingest a shop (`churnlens ingest ...`) or run the pipeline (`churnlens run`) first.",
            )
        written = self._scope.written if self._scope is not None else {}
        if name in written or self._apart is None:
            table = self.con.table(written.get(name, name))
        else:
            table = self.con.table(name, database=(PUBLISHED, "main"))
        column = AS_OF_COLUMNS.get(name)
        if self.as_of is not None and column is not None and name not in written:
            return table.filter(table[column] < ibis.literal(self.as_of, type="timestamp"))
        return table

    def holds(self, name: str, obj: object) -> bool:
        """Whether ``obj`` is table ``name`` as this run already wrote it (read back with `table`):
        a stage that writes a result itself, to read it again, returns it without a second write."""
        if self._scope is None or name not in self._scope.written or not isinstance(obj, ibis.Table):
            return False
        return bool(obj.equals(self.con.table(self._scope.written[name])))

    @contextlib.contextmanager
    def seen_as_of(self, cutoff: datetime | None) -> Iterator[None]:
        """While open, orders and events at or after ``cutoff`` are hidden (None: nothing is)."""
        self.as_of = cutoff
        try:
            yield
        finally:
            self.as_of = None

    def to_pandas(self, name: str) -> pd.DataFrame:
        return self.table(name).to_pandas()

    # ---- writing ---------------------------------------------------------------------------
    def write(self, name: str, obj: ibis.Table | pa.Table | pd.DataFrame) -> None:
        """Replace table ``name`` with ``obj``: at once, or inside a run at its publication."""
        self._check_writable()
        if isinstance(obj, pd.DataFrame):
            obj = pa.Table.from_pandas(obj, preserve_index=False)
        if isinstance(obj, pa.Table):
            obj = _typed_nulls(obj)
        private = self._private(name)
        if self.engine == "duckdb":
            try:
                # Ibis creates the table, then fills it: a failure in between leaves it behind
                self.con.create_table(private, obj)
            except Exception:
                self.con.drop_table(private, force=True)
                raise
        else:
            target = self.path / private
            try:
                if isinstance(obj, ibis.Table):
                    # in-memory tables (ibis.memtable) become Spark views before the query runs
                    self.con._run_pre_execute_hooks(obj)
                    frame = _declared_integers(self.con._session.sql(self.con.compile(obj)), obj.schema())
                    frame.write.parquet(str(target))
                else:
                    target.mkdir()
                    # Spark reads timestamps in micro- or milliseconds only (pandas has nanoseconds)
                    pq.write_table(
                        obj,
                        target / "part-0.parquet",
                        coerce_timestamps="us",
                        allow_truncated_timestamps=True,
                    )
                self._register(private, target)
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
        self._settle({name: private})

    def drop(self, name: str) -> None:
        """Remove table ``name`` if it exists (inside a run: when the run is published)."""
        self._check_writable()
        if self._scope is not None:
            private = self._scope.written.pop(name, None)
            if private is not None:
                self._discard([private])
            self._scope.dropped.add(name)
            return
        self._commit({}, [name])

    # ---- runs: private writes, published together --------------------------------------------
    @contextlib.contextmanager
    def run_scope(self, run_id: str, apart: bool = False) -> Iterator[RunScope]:
        """Keep every write and drop private until `publish_run`; anything raised (an error, an
        interrupt) discards them and leaves the published tables as they were.

        ``apart`` (a DuckDB file): compute in a staging file with the warehouse attached
        read-only, so that readers are never kept out while the run works."""
        self._check_writable()
        if self._scope is not None:
            raise RuntimeError("a run is already open on this warehouse")
        if apart and self.engine == "duckdb" and self.path is not None:
            self._compute_apart(staging_file(self.path, run_id))
        self._scope = RunScope(run_id)
        try:
            yield self._scope
        finally:
            scope, self._scope = self._scope, None
            try:
                if scope is not None:  # not published: an error, an interrupt, or no publish_run
                    self._discard(list(scope.written.values()))
            finally:
                if self._apart is not None:
                    self._back_from_apart()

    def publish_run(self, record: dict[str, Any]) -> None:
        """Make the run's tables, its removals and its run ``record`` visible in one step."""
        scope = self._scope
        if scope is None:
            raise RuntimeError("publish_run needs an open run_scope")
        self.write(RUNS_TABLE, self._runs_with(record))
        self._discard(scope.scratch())
        self._commit(scope.renames(), sorted(scope.dropped))
        self._scope = None

    def staging(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection where source adapters build tables before `publish`.

        On the DuckDB engine it is the warehouse's own connection (no copy); on Spark it is a
        separate embedded DuckDB that spills to a temporary directory.
        """
        self._check_writable()
        if self.engine == "duckdb":
            return self.con.con
        con = quiet(duckdb.connect())
        limit_memory(con, self.config.engine, default_temp=tempfile.mkdtemp(prefix="churnlens_stage_"))
        return con

    def publish(self, stage: duckdb.DuckDBPyConnection, staged: dict[str, str]) -> None:
        """Hand staged tables (``{final_name: staged_name}``) to the warehouse: swapped in at once,
        or inside a run kept private until it is published."""
        self._check_writable()
        done: dict[str, str] = {}
        try:
            for name, staged_name in staged.items():
                private = self._private(name)
                if self.engine == "duckdb":
                    self.con.con.execute(f"ALTER TABLE {_q(staged_name)} RENAME TO {_q(private)}")
                else:
                    target = self.path / private
                    target.mkdir()
                    stage.table(_q(staged_name)).write_parquet(str(target / "part-0.parquet"))
                    self._register(private, target)
                done[name] = private
        except BaseException:
            self._discard(list(done.values()))  # nothing half-handed: the published tables stay
            raise
        self._settle(done)

    # ---- run records -------------------------------------------------------------------------
    def append_run(self, record: dict[str, Any]) -> None:
        """Add a run record (time, kind, config, row counts, versions...)."""
        self.write(RUNS_TABLE, self._runs_with(record))

    def runs(self) -> pd.DataFrame:
        return self.to_pandas(RUNS_TABLE) if self.has(RUNS_TABLE) else pd.DataFrame()

    def dataset_info(self) -> dict[str, Any]:
        """Facts about the shop's data recorded at ingest (currency, time mode, source kind)."""
        runs = self.runs()
        if runs.empty or "dataset" not in runs:
            return {}
        ingests = runs[runs["kind"] == "ingest"]
        return json.loads(ingests["dataset"].iloc[-1]) if len(ingests) else {}

    def close(self) -> None:
        try:
            if self.engine == "duckdb":
                self._disconnect()
        finally:
            self._release()

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals -----------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise DataError(
                "This warehouse was opened read-only.",
                file=str(self.path),
                fix="Open it without read_only=True to write (the dashboard and the report only read).",
            )

    def _runs_with(self, record: dict[str, Any]) -> pd.DataFrame:
        row = {k: (v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in record.items()}
        new = pd.DataFrame([row])
        old = self.runs()
        return new if old.empty else pd.concat([old, new], ignore_index=True)

    def _private(self, name: str) -> str:
        """Where a write goes before it is published: the run's name for it, or a fresh one."""
        if self._scope is not None:
            return self._scope.private(name)
        return f"_tmp_{name}_{uuid.uuid4().hex[:8]}"

    def _settle(self, done: dict[str, str]) -> None:
        """Written ``{final: private}`` tables: kept for the run's publication, or published now."""
        if self._scope is None:
            self._commit(done, [])
            return
        replaced = [self._scope.written[n] for n in done if n in self._scope.written]
        self._scope.written.update(done)
        self._scope.dropped.difference_update(done)
        self._discard(replaced)

    def _stored(self) -> list[str]:
        """Every stored table, hidden ones included, leftovers of unfinished writes left out."""
        if self.engine == "duckdb":
            if self._apart is not None:
                names = self.con.con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
                    [PUBLISHED],
                ).fetchall()
            else:
                names = self.con.con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                    "AND schema_name = current_schema()"
                ).fetchall()
            return [n for (n,) in names if not leftover(n)]
        return [
            d.name
            for d in self.path.iterdir()
            if d.is_dir() and not leftover(d.name) and not d.name.startswith((".", "_spark"))
        ]

    def _commit(self, renames: dict[str, str], drops: list[str]) -> None:
        """Publish ``{final: private}`` renames and drops all at once."""
        if self.engine == "duckdb":
            raw = self.con.con
            if self._apart is not None:
                self._copy_in(renames, drops)
            else:
                _in_one_transaction(
                    raw,
                    [f"DROP TABLE IF EXISTS {_q(name)}" for name in [*renames, *drops]]
                    + [
                        f"ALTER TABLE {_q(private)} RENAME TO {_q(name)}" for name, private in renames.items()
                    ],
                )
            if self.path is not None:
                marker = published_marker(self.path)
                tmp = marker.with_name(f"{marker.name}.{uuid.uuid4().hex[:8]}")
                tmp.write_text(str(time.time()), encoding="utf-8")
                os.replace(tmp, marker)
            return
        write_journal(self.path, renames, drops)
        apply_journal(self.path)
        for name in drops:
            self.con._session.catalog.dropTempView(name)
        for name in renames:
            self._register(name, self.path / name)

    def _discard(self, privates: list[str]) -> None:
        """Remove unpublished private tables."""
        for private in privates:
            if self.engine == "duckdb":
                self.con.con.execute(f"DROP TABLE IF EXISTS {_q(private)}")
            else:
                self.con._session.catalog.dropTempView(private)
                shutil.rmtree(self.path / private, ignore_errors=True)

    # ---- a run computing apart: a staging file, the warehouse attached ----------------------------
    def _attach(self, alias: str, read_only: bool) -> None:
        """Attach the warehouse file to the staging connection, waiting for readers' moments."""
        target = sg.exp.Literal.string(str(self.path)).sql("duckdb")
        mode = " (READ_ONLY)" if read_only else ""
        wait = READ_WAIT_SECONDS if read_only else self.config.engine.lock_wait_seconds
        deadline = time.monotonic() + wait
        while True:
            try:
                self.con.con.execute(f"ATTACH {target} AS {_q(alias)}{mode}")
                return
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise in_use_error(self.path, duckdb_holder(exc), wait) from exc
                time.sleep(0.05)

    def _disconnect(self) -> None:
        """Close the DuckDB connection; its cached tables go with it (Ibis would otherwise try to
        drop them on a closed connection when their expressions are collected)."""
        for entry in getattr(self.con, "_cache_name_to_entry", {}).values():
            entry.finalizer.detach()
        getattr(self.con, "_cache_name_to_entry", {}).clear()
        getattr(self.con, "_cache_op_to_entry", {}).clear()
        self.con.disconnect()

    def _compute_apart(self, staging: Path) -> None:
        """Let go of the warehouse file and compute in ``staging``, reading the warehouse."""
        self._disconnect()
        self._apart = staging
        try:
            self.con = connect_duckdb(staging)
            self._attach(PUBLISHED, read_only=True)
        except BaseException:
            self._back_from_apart()
            raise

    def _copy_in(self, renames: dict[str, str], drops: list[str]) -> None:
        """Publish a run computed apart: one transaction on the warehouse copies its tables in."""
        raw = self.con.con
        raw.execute(f"DETACH {_q(PUBLISHED)}")
        self._attach(TARGET, read_only=False)
        t = _q(TARGET)
        try:
            _in_one_transaction(
                raw,
                [f"DROP TABLE IF EXISTS {t}.main.{_q(name)}" for name in [*renames, *drops]]
                + [
                    f"CREATE TABLE {t}.main.{_q(name)} AS SELECT * FROM main.{_q(private)}"
                    for name, private in renames.items()
                ],
            )
        finally:
            raw.execute(f"DETACH {t}")

    def _back_from_apart(self) -> None:
        """The run is over: drop its staging file and hold the warehouse again."""
        staging, self._apart = self._apart, None
        try:
            self._disconnect()
        finally:
            for p in (staging, Path(f"{staging}.wal")):
                p.unlink(missing_ok=True)
            self.con = connect_duckdb(self.path, wait_seconds=self.config.engine.lock_wait_seconds)

    def _remove_staging_files(self) -> list[str]:
        """Staging files of runs killed before they ended (only ever called under the writer lock)."""
        if self.path is None:
            return []
        gone = []
        for p in self.path.parent.glob(f"{glob.escape(self.path.name)}.{RUN_PREFIX}*.staging*"):
            p.unlink(missing_ok=True)
            gone.append(p.name)
        return gone

    def _drop_leftover_tables(self) -> list[str]:
        names = self.con.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        gone = [n for (n,) in names if leftover(n)]
        for name in gone:
            self.con.con.execute(f"DROP TABLE IF EXISTS {_q(name)}")
        return gone

    def _register(self, name: str, directory: Path) -> None:
        self.con.read_parquet(str(directory), table_name=name)
        self.unreadable.pop(name, None)


def _declared_integers(frame: Any, schema: ibis.Schema) -> Any:
    """A Spark DataFrame with its integer columns of the widths the Ibis expression declares.

    Spark's SQL functions return 32-bit integers where Ibis (and DuckDB) give 64-bit ones
    (``row_number``, ``extract``, ``datediff``): cast so that both engines store the same types.
    """
    from ibis.backends.pyspark.datatypes import PySparkType

    want = {
        name: PySparkType.from_ibis(dtype)
        for name, dtype in schema.items()
        if dtype.is_integer() and frame.schema[name].dataType != PySparkType.from_ibis(dtype)
    }
    if not want:
        return frame
    # columns by position: no name is parsed as an expression
    cols = [frame[i].cast(want[c]).alias(c) if c in want else frame[i] for i, c in enumerate(frame.columns)]
    return frame.select(cols)


def _typed_nulls(table: pa.Table) -> pa.Table:
    """Give columns with no value at all (Arrow type null) a type: text.

    A result column can be empty for a whole shop (no prices: no revenue rank); engines cannot
    store an untyped column, and text is the type every reader can take.
    """
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, pa.field(f.name, pa.string()), pa.nulls(len(table), pa.string()))
    return table


def _in_one_transaction(raw: Any, statements: list[str]) -> None:
    """Run ``statements`` (names quoted by the caller) in one DuckDB transaction: all or none."""
    raw.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            raw.execute(statement)
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
