"""The warehouse: canonical and result tables in one Ibis connection.

Default: an embedded DuckDB file (``churnlens.duckdb``). With ``engine="spark"`` the warehouse
is a directory with one Parquet dataset per table, read and written by PySpark. Every write
is atomic: the new table is built under a temporary name and then swapped in, so a reader
never sees half a table and a failed stage leaves the previous result in place.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churnlens.config import ChurnlensConfig
from churnlens.engine import ENGINES, connect_duckdb, connect_spark, quiet
from churnlens.errors import DataError

RUNS_TABLE = "runs"


def default_db(engine: str = "duckdb") -> str:
    """The warehouse a command uses when no --db is given."""
    return "churnlens.duckdb" if engine == "duckdb" else "churnlens_spark"


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
    """

    def __init__(
        self,
        path: str | Path | None = None,
        engine: str = "duckdb",
        config: ChurnlensConfig | None = None,
        read_only: bool = False,
    ) -> None:
        if engine not in ENGINES:
            raise DataError(
                f"Unknown engine '{engine}'.", values=[engine], fix=f"Use one of {list(ENGINES)}."
            )
        self.engine = engine
        self.config = config or ChurnlensConfig()
        self.read_only = read_only
        self.path = None if path is None else Path(path)
        if engine == "duckdb":
            self.con = connect_duckdb(self.path, read_only=read_only)
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
            self.con = connect_spark(self.config.engine, self.path / "_spark")
            for d in sorted(self.path.iterdir()):
                if d.is_dir() and not d.name.startswith((".", "_")):
                    self._register(d.name)

    # ---- reading ---------------------------------------------------------------------------
    def tables(self) -> list[str]:
        if self.engine == "duckdb":
            return sorted(t for t in self.con.list_tables() if not t.startswith("_"))
        return sorted(d.name for d in self.path.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))

    def has(self, name: str) -> bool:
        return name in self.tables()

    def table(self, name: str) -> ibis.Table:
        if not self.has(name):
            raise DataError(
                f"The warehouse has no table '{name}'.",
                file=str(self.path),
                fix="Ingest a shop (`churnlens ingest ...`) or run the pipeline (`churnlens run`) first.",
            )
        return self.con.table(name)

    def to_pandas(self, name: str) -> pd.DataFrame:
        return self.table(name).to_pandas()

    # ---- writing ---------------------------------------------------------------------------
    def write(self, name: str, obj: ibis.Table | pa.Table | pd.DataFrame) -> None:
        """Replace table ``name`` with ``obj`` atomically."""
        self._check_writable()
        if isinstance(obj, pd.DataFrame):
            obj = pa.Table.from_pandas(obj, preserve_index=False)
        if isinstance(obj, pa.Table):
            obj = _typed_nulls(obj)
        if self.engine == "duckdb":
            tmp = f"_tmp_{name}_{uuid.uuid4().hex[:8]}"
            try:
                # Ibis creates the table, then fills it: a failure in between leaves it behind
                self.con.create_table(tmp, obj)
            except Exception:
                self.con.drop_table(tmp, force=True)
                raise
            self._swap_duckdb({name: tmp})
        else:
            tmp_dir = self.path / f"_tmp_{name}_{uuid.uuid4().hex[:8]}"
            if isinstance(obj, ibis.Table):
                self.con._session.sql(self.con.compile(obj)).write.parquet(str(tmp_dir))
            else:
                tmp_dir.mkdir()
                pq.write_table(obj, tmp_dir / "part-0.parquet")
            self._swap_dirs({name: tmp_dir})

    def drop(self, name: str) -> None:
        """Remove table ``name`` if it exists."""
        self._check_writable()
        if self.engine == "duckdb":
            self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
            return
        self.con._session.catalog.dropTempView(name)
        shutil.rmtree(self.path / name, ignore_errors=True)

    def staging(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection where source adapters build tables before `publish`.

        On the DuckDB engine it is the warehouse's own connection (no copy); on Spark it is a
        separate embedded DuckDB that spills to a temporary directory.
        """
        self._check_writable()
        if self.engine == "duckdb":
            return self.con.con
        con = quiet(duckdb.connect())
        con.execute(f"SET temp_directory = '{tempfile.mkdtemp(prefix='churnlens_stage_')}'")
        return con

    def publish(self, stage: duckdb.DuckDBPyConnection, staged: dict[str, str]) -> None:
        """Swap staged tables (``{final_name: staged_name}``) into the warehouse at once."""
        self._check_writable()
        if self.engine == "duckdb":
            self._swap_duckdb(staged)
            return
        dirs = {}
        for name, staged_name in staged.items():
            tmp_dir = self.path / f"_tmp_{name}_{uuid.uuid4().hex[:8]}"
            tmp_dir.mkdir()
            stage.execute(f"COPY \"{staged_name}\" TO '{tmp_dir / 'part-0.parquet'}' (FORMAT parquet)")
            dirs[name] = tmp_dir
        self._swap_dirs(dirs)

    # ---- run records -------------------------------------------------------------------------
    def append_run(self, record: dict[str, Any]) -> None:
        """Add a run record (time, kind, config, row counts, versions...)."""
        row = {k: (v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in record.items()}
        new = pd.DataFrame([row])
        old = self.to_pandas(RUNS_TABLE) if self.has(RUNS_TABLE) else None
        self.write(RUNS_TABLE, new if old is None else pd.concat([old, new], ignore_index=True))

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
        if self.engine == "duckdb":
            self.con.disconnect()

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

    def _swap_duckdb(self, staged: dict[str, str]) -> None:
        raw = self.con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            for name, tmp in staged.items():
                raw.execute(f'DROP TABLE IF EXISTS "{name}"')
                raw.execute(f'ALTER TABLE "{tmp}" RENAME TO "{name}"')
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise

    def _swap_dirs(self, dirs: dict[str, Path]) -> None:
        for name, tmp_dir in dirs.items():
            final = self.path / name
            old = self.path / f"_old_{name}_{uuid.uuid4().hex[:8]}"
            if final.exists():
                final.rename(old)
            tmp_dir.rename(final)
            self._register(name)
            shutil.rmtree(old, ignore_errors=True)

    def _register(self, name: str) -> None:
        self.con.read_parquet(str(self.path / name), table_name=name)


def _typed_nulls(table: pa.Table) -> pa.Table:
    """Give columns with no value at all (Arrow type null) a type: text.

    A result column can be empty for a whole shop (no prices: no revenue rank); engines cannot
    store an untyped column, and text is the type every reader can take.
    """
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, pa.field(f.name, pa.string()), pa.nulls(len(table), pa.string()))
    return table
