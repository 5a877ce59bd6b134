"""Shared test fixtures: where the real sample data lives, small warehouses, a Spark session.

Real data comes from two places. UCI Online Retail II (CC BY 4.0) ships inside the package
(`churnlens.demo.ONLINE_RETAIL`), so its tests always run. Data sets whose terms do not allow
redistribution (Instacart head, Olist, DIGINETICA) stay in `../shared/data` beside the project
(or wherever `CHURNLENS_SHARED_DATA` points): `shared_data()` finds them, and when one is missing
the test skips on a developer's machine but fails under CI (`CI` set, as every CI service does).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from churnlens.schema import CANONICAL

REPO = Path(__file__).resolve().parents[1]

#: Spark settings for the suite's tiny shops, given to every Spark driver the tests start (in
#: this process and in the `churnlens` commands they run) and to its executors. Spark's cost
#: here is per query, not per row: without adaptive re-planning and whole-stage code
#: generation a query issues fewer jobs and compiles nothing, and the JVMs, which live for
#: minutes, skip the optimising JIT compiler. None of them changes a result; a developer's
#: own PYSPARK_SUBMIT_ARGS wins.
SPARK_TEST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
SPARK_TEST_SETTINGS = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.executor.extraJavaOptions": SPARK_TEST_JVM,
}
os.environ.setdefault(
    "PYSPARK_SUBMIT_ARGS",
    " ".join(f"--conf {k}={shlex.quote(v)}" for k, v in SPARK_TEST_SETTINGS.items())
    + f" --driver-java-options {shlex.quote(SPARK_TEST_JVM)} pyspark-shell",
)
os.environ.setdefault("SPARK_DAEMON_JAVA_OPTS", SPARK_TEST_JVM)
#: Real data sets we may not ship: ../shared/data beside the project, or $CHURNLENS_SHARED_DATA.
SHARED_DATA = Path(os.environ.get("CHURNLENS_SHARED_DATA") or REPO / ".." / "shared" / "data").resolve()


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


def in_ci() -> bool:
    """True under CI (the `CI` variable set, as GitHub Actions, GitLab and others set it)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_outside_ci(message: str, under_ci: str) -> None:
    """Skip the test on a developer's machine; under CI fail it, saying why it must not skip."""
    if in_ci():
        pytest.fail(f"{message}; {under_ci}", pytrace=False)
    pytest.skip(message)


def shared_data(dataset: str, *parts: str) -> Path:
    """Path to a real data set we may not ship (``instacart_head``, ``olist_first1000``,
    ``diginetica_sample``) under ../shared/data. When it is missing the test skips, except under
    CI, where a missing data set fails the test with its name."""
    path = SHARED_DATA.joinpath(dataset, *parts)
    if path.exists():
        return path
    message = (
        f"real data set {dataset!r} is missing: {path} not found "
        f"(put ../shared/data beside the project or set CHURNLENS_SHARED_DATA)"
    )
    skip_outside_ci(message, "under CI every real data set must be present")


def online_retail(name: str | None = None) -> Path:
    """The shipped UCI Online Retail II: its folder (both files) or one file by name. It is part
    of the package, so this never skips: a missing file fails the test."""
    from churnlens.demo import ONLINE_RETAIL, online_retail_files

    online_retail_files()  # a DataError when the package lacks them
    return ONLINE_RETAIL if name is None else ONLINE_RETAIL / name


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Every Spark test is slow (a Spark session takes minutes on 2 cores): one marked `spark`
    but not `slow` is a usage error, so `-m "not slow"` never starts Spark.

    The suite runs in three processes (`-n 3 --dist loadgroup`, see `.ci/run`). Each test file is
    one group, run whole by one process, so its module fixtures are built once; the Spark tests
    are one group, so one JVM serves them, except the whole-pipeline file
    (`test_pipeline_spark.py`, its own group `spark_pipeline`), which runs beside them in
    another process; a file may name a group of its own to share a process-wide build with others
    (`pytest.mark.xdist_group`). The heaviest groups start first (Spark, then those with slow
    tests), so no process is left alone with a long file at the end."""
    unmarked = [i.nodeid for i in items if i.get_closest_marker("spark") and not i.get_closest_marker("slow")]
    if unmarked:
        raise pytest.UsageError(f"Spark tests must also be marked slow: {', '.join(unmarked[:5])}")
    groups = {i: xdist_group(i) for i in items}
    spark = {groups[i] for i in items if i.get_closest_marker("spark")}
    slow = {groups[i] for i in items if i.get_closest_marker("slow")}
    items.sort(key=lambda i: (groups[i] not in spark, groups[i] not in slow))


def xdist_group(item) -> str:
    """The item's pytest-xdist group, set from its file (or Spark) when it names none."""
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    name = "spark" if item.get_closest_marker("spark") else item.path.name
    item.add_marker(pytest.mark.xdist_group(name))
    return name


@pytest.fixture(scope="session")
def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_outside_ci("PySpark is not installed (pip install -e '.[spark]')", "CI installs it")
    if os.system("java -version >/dev/null 2>&1") != 0:
        skip_outside_ci("Java is not installed; the Spark engine needs Java 17", "CI must provide it")
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


@pytest.fixture(scope="session")
def online_retail_db(tmp_path_factory) -> Path:
    """The shipped Online Retail (both files) ingested with the default settings, once per test
    process (15-20 s of CPU): a closed DuckDB file. Tests read it through `copy_warehouse`."""
    from churnlens.ingest import ingest
    from churnlens.warehouse import Warehouse

    db = tmp_path_factory.mktemp("online_retail") / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("online-retail", [online_retail()], wh)
    return db


def copy_warehouse(db: Path, folder: Path) -> Path:
    """A copy of a closed DuckDB warehouse in ``folder``, with the files beside it that share its
    name: a test may write to it without touching the one other tests copy."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in db.parent.glob(f"{db.name}*"):
        shutil.copyfile(path, folder / path.name)
    return folder / db.name
