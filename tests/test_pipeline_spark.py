"""The whole pipeline through the Spark warehouse's write path gives the tables DuckDB gives.

A small generated fashion-campus shop is ingested and run (every stage) on both engines; every
result table must exist on both with the same columns, column types, row counts and values
(numbers to 1e-9 relative), churn scores included.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from test_browser_dashboard import churnlens, free_port
from typer.testing import CliRunner

from churnlens import pipeline
from churnlens.cli import app
from churnlens.config import ChurnlensConfig
from churnlens.demo import demo_shop
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.report import write_report
from churnlens.warehouse import RUNS_TABLE, Warehouse

#: A Spark session takes minutes on 2 cores; the whole pipelines here run in their own process,
#: beside the other Spark tests (tests/conftest.py).
pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark_pipeline")]

#: Tables whose text holds run-specific facts (times, seconds, versions), compared by shape only.
RUN_SPECIFIC = {RUNS_TABLE}
#: Text columns naming the run's time (``lgbm-20261201T162940094619``), compared without it.
RUN_STAMPED = {"model_version"}
RUN_STAMP = r"\d{8}T\d{6,12}"
#: Numbers agree to this relative difference (float sums in another order differ in the last bits)
RTOL = 1e-9
#: ... and below this absolute one (a sum that should be 0 is 1e-17 on one engine, 0 on the other)
ATOL = 1e-12


#: The shop of `churnlens demo --customers 300 --seed 0`, and a smaller model search, fewer
#: training and held-out cutoffs (every stage still runs) and two shuffle partitions (a tiny
#: shop) that keep the tests short.
CUSTOMERS, SEED = 300, 0
SETTINGS = """
[churn]
models = ["lightgbm", "logistic"]
imbalance_strategies = ["none", "class_weight"]
n_trials = 2
training_cutoffs = 4
backtest_folds = 1

[engine]
spark_shuffle_partitions = 2
"""


#: The test that runs `demo` on a standalone cluster: it starts before the local runs, beside them.
ON_A_CLUSTER = "test_demo_and_report_on_a_standalone_cluster"


@pytest.fixture(scope="module")
def both(tmp_path_factory, spark_available, request):
    if any(item.name == ON_A_CLUSTER for item in request.session.items):
        request.getfixturevalue("cluster_demo")  # Spark's waits on one run leave the CPU to the other
    shop = tmp_path_factory.mktemp("shop")
    kind, paths = demo_shop("fashion-campus", shop, CUSTOMERS, SEED)
    duck = Warehouse(tmp_path_factory.mktemp("d") / "w.duckdb")
    spark = Warehouse(tmp_path_factory.mktemp("s") / "warehouse", engine="spark")
    cfg = ChurnlensConfig.from_toml(write(tmp_path_factory.mktemp("cfg") / "settings.toml", SETTINGS))
    reports = {}
    for name, wh in (("duckdb", duck), ("spark", spark)):
        ingest(kind, paths, wh, cfg)
        reports[name] = pipeline.run(wh, cfg)
    duck.close()
    duck = Warehouse(duck.path, read_only=True)  # as the report and the dashboard open it
    yield duck, spark, reports
    duck.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_stage_ran_on_both_engines(both):
    _, _, reports = both
    duck, spark = reports["duckdb"], reports["spark"]
    assert spark.skipped == duck.skipped
    assert spark.stage_tables == duck.stage_tables
    assert spark.written == duck.written
    # the churn, value, products and playbook stages went through Spark's write path
    for table in ("customer_scores", "churn_monthly_labels", "customer_value", "actions", "data_profile"):
        assert spark.written.get(table, 0) > 0, table


def test_same_tables_columns_and_types(both):
    duck, spark, _ = both
    assert spark.tables() == duck.tables()
    for name in duck.tables():
        a, b = duck.table(name).schema(), spark.table(name).schema()
        assert list(a.names) == list(b.names), name
        mismatched = {
            c: (str(a[c]), str(b[c]))
            for c in a.names
            if a[c].is_integer() != b[c].is_integer() or (a[c].is_integer() and a[c] != b[c])
        }
        assert not mismatched, f"{name}: {mismatched}"


def test_epoch_seconds_keep_the_fraction_on_both_engines(both):
    """Days between two times are the same number on both engines: seconds since 1970 keep
    their microseconds (Spark's own `unix_timestamp` drops them)."""
    duck, spark, _ = both
    ts = pd.Series(
        pd.to_datetime(
            ["2021-03-04 05:06:07.123456", "1999-12-31 23:59:59.999999", "2022-08-01 00:00:00.000000"]
        )
    )
    t = ibis.memtable({"ts": ts.astype("datetime64[us]")})
    expr = t.select(s=t.ts.epoch_seconds().cast("float64"))
    want = ((ts - pd.Timestamp("1970-01-01")) // pd.Timedelta(microseconds=1)).to_numpy() / 1e6
    assert want[0] == 1614834367.123456
    for wh in (duck, spark):
        np.testing.assert_array_equal(wh.con.execute(expr)["s"].to_numpy(), want)


def test_every_result_table_has_equal_values(both):
    duck, spark, _ = both
    assert_same_values(duck, spark)


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in an order both engines share: by every column, floats rounded to 6 significant
    digits (so a last-bit difference cannot reorder rows), text and times as they are."""
    frame = frame.copy()
    for c in frame.columns:
        if frame[c].dtype == object:  # list columns: arrays from one reader, lists from another
            frame[c] = frame[c].map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v)
        if c in RUN_STAMPED:
            frame[c] = frame[c].str.replace(RUN_STAMP, "<time>", regex=True)
    key = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_float_dtype(col):
            col = col.map(lambda v: float(f"{v:.6g}"))
        key[c] = col.astype(str) if col.dtype == object else col
    return frame.loc[key.sort_values(list(key.columns), kind="stable").index].reset_index(drop=True)


def assert_same_values(duck: Warehouse, other: Warehouse) -> None:
    """Every result table of ``other`` holds the values of the DuckDB warehouse: the same rows
    (counted and compared in one order), numbers to RTOL, everything else exactly."""
    assert other.tables() == duck.tables()
    differences = []
    for name in duck.tables():
        a, b = duck.to_pandas(name), other.to_pandas(name)
        assert len(a) == len(b), name
        if name in RUN_SPECIFIC:
            continue
        a, b = ordered(a), ordered(b)
        for c in a.columns:
            x, y = a[c], b[c]
            if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
                x, y = x.to_numpy(float), y.to_numpy(float)
                same = np.isclose(x, y, rtol=RTOL, atol=ATOL) | (np.isnan(x) & np.isnan(y))
            else:
                same = (x.isna() & y.isna()) | (x == y)
            if not same.all():
                bad = np.flatnonzero(~np.asarray(same))
                differences.append(f"{name}.{c}: {len(bad)} rows, e.g. {x[bad[0]]!r} vs {y[bad[0]]!r}")
    assert not differences, "\n".join(differences)


def test_churn_scores_identical(both):
    duck, spark, _ = both
    assert_identical_scores(duck, spark)


def assert_identical_scores(duck: Warehouse, other: Warehouse) -> None:
    a = duck.to_pandas("customer_scores").sort_values("customer_id").reset_index(drop=True)
    b = other.to_pandas("customer_scores").sort_values("customer_id").reset_index(drop=True)
    assert len(a) > 100
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    np.testing.assert_array_equal(a["churn_probability"].to_numpy(), b["churn_probability"].to_numpy())
    assert a["risk_band"].tolist() == b["risk_band"].tolist()


def test_export_actions_from_the_spark_warehouse(both, tmp_path):
    """`export actions --engine spark` writes the file `--engine duckdb` writes."""
    duck, spark, _ = both
    runner = CliRunner()
    out = {}
    for engine, wh in (("duckdb", duck), ("spark", spark)):
        out[engine] = tmp_path / f"{engine}.csv"
        args = ["export", "actions", "--action", "all", "--out", out[engine], "--db", wh.path]
        r = runner.invoke(
            app, [str(a) for a in args] + ["--engine", engine, "--set", "engine.lock_wait_seconds=5"]
        )
        assert r.exit_code == 0, r.output + repr(r.exception)
    a, b = (pd.read_csv(out[e], encoding="utf-8-sig") for e in ("duckdb", "spark"))
    assert len(a) == duck.table("actions").count().execute() > 100
    key = ["customer_id", "action"]
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True), rtol=RTOL
    )


def test_report_and_dashboard_read_the_spark_warehouse(both, tmp_path, monkeypatch):
    """`report --engine spark` and `serve --engine spark` read the Spark warehouse: the same
    result tables and KPIs as from the DuckDB one."""
    from churnlens.app import data, server

    duck, spark, _ = both
    spark_html = write_report(spark.path, tmp_path / "s.html", engine="spark").read_text(encoding="utf-8")
    duck_html = write_report(duck.path, tmp_path / "d.html").read_text(encoding="utf-8")
    assert len(spark_html) == pytest.approx(len(duck_html), rel=0.02)

    for name in (data.ENGINE_ENV, "CHURNLENS_DB", "CHURNLENS_LANG", "STREAMLIT_BROWSER_GATHER_USAGE_STATS"):
        monkeypatch.setenv(name, "")  # prepare() sets them; put back after the test
    path = server.prepare(spark.path, engine="spark")
    assert path == spark.path.resolve()
    shown = data.tables(str(path), 0.0)
    monkeypatch.setenv(data.ENGINE_ENV, "duckdb")
    assert shown == data.tables(str(duck.path), 0.0)
    assert shown["customer_scores"] == duck.table("customer_scores").count().execute() > 0


def test_an_unreadable_folder_does_not_stop_the_warehouse_opening(both):
    _, spark, _ = both
    (spark.path / "notes").mkdir()
    (spark.path / "notes" / "part-0.parquet").write_text("not parquet")
    leftover = spark.path / "_run_20200101T000000000000_abcdef__rfm_123456"
    leftover.mkdir()
    (leftover / "part-0.parquet").write_text("half written")
    try:
        reader = Warehouse(spark.path, engine="spark", read_only=True)
        assert "notes" in reader.unreadable and "notes" not in reader.tables()
        assert "rfm" in reader.tables() and not any(n.startswith("_run_") for n in reader.tables())
        with pytest.raises(DataError, match="notes"):
            reader.table("notes")
        writer = Warehouse(spark.path, engine="spark")
        assert leftover.name in writer.cleaned and not leftover.exists()
        assert writer.table("rfm").count().execute() == spark.table("rfm").count().execute()
    finally:
        (spark.path / "notes" / "part-0.parquet").unlink()
        (spark.path / "notes").rmdir()


class Daemons:
    """Spark's own programs started from the pyspark installation, each in its own process
    group with its log in ``logs``, every port and web UI on 127.0.0.1; `stop` ends them all."""

    def __init__(self, logs: Path) -> None:
        import pyspark

        self.home, self.logs, self.procs = Path(pyspark.__file__).parent, logs, []
        self.env = {
            **os.environ,
            "SPARK_HOME": str(self.home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOG_DIR": str(logs),
            "SPARK_DAEMON_MEMORY": "256m",
        }

    def start(self, name: str, program: str, *args: str) -> Path:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            self.procs.append(
                subprocess.Popen(
                    [str(self.home / "bin" / program), *args],
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return log

    def wait_for(self, log: Path, text: str, count: int = 1, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while log.read_text(errors="replace").count(text) < count:
            ended = [p.args for p in self.procs if p.poll() is not None]
            assert not ended and time.monotonic() < deadline, (ended, log.read_text(errors="replace"))
            time.sleep(1)

    def stop(self) -> None:
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


DEPLOY = "org.apache.spark.deploy."


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, spark_available):
    """A Spark standalone master and two workers (one core, 1 GB each); stopped at the end,
    even when a test fails. Yields the master's address and its log."""
    logs = tmp_path_factory.mktemp("cluster")
    daemons = Daemons(logs)
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    try:
        log = daemons.start("master", "spark-class", DEPLOY + "master.Master", "--host", "127.0.0.1",
                            "--port", str(port), "--webui-port", str(free_port()))  # fmt: skip
        for i in (1, 2):
            daemons.start(f"worker{i}", "spark-class", DEPLOY + "worker.Worker", url, "--host", "127.0.0.1",
                          "--cores", "1", "--memory", "1g", "--webui-port", str(free_port()),
                          "--work-dir", str(logs / f"work{i}"))  # fmt: skip
        daemons.wait_for(log, "Registering worker", 2)
        yield url, log
    finally:
        daemons.stop()


class ClusterDemo:
    """`churnlens demo --engine spark` (generate the shop, ingest, every stage) as a user runs it,
    with ``settings`` naming the cluster's master, started in the background; `report` runs
    `churnlens report --engine spark` once it has finished."""

    def __init__(self, settings: Path, folder: Path) -> None:
        self.db, self.html, self.folder = folder / "warehouse", folder / "report.html", folder
        self.common = ["--engine", "spark", "--db", str(self.db), "--config", str(settings)]
        shop = ["--out", str(folder / "shop"), "--customers", str(CUSTOMERS), "--seed", str(SEED)]
        self.output = open(folder / "demo.log", "w+b")  # noqa: SIM115 - closed by `finish`
        self.demo = subprocess.Popen(
            churnlens("demo", "--no-serve", *shop, *self.common), stdout=self.output, stderr=subprocess.STDOUT
        )

    def report(self) -> tuple[Warehouse, Path]:
        """Waits for `demo`, runs `report`; the warehouse and the report."""
        rc = self.demo.wait(timeout=1200)
        self.output.seek(0)
        assert rc == 0, self.output.read().decode(errors="replace")
        args = ["report", "--out", str(self.html), *self.common]
        r = subprocess.run(churnlens(*args), capture_output=True, text=True, timeout=1200)
        assert r.returncode == 0, r.stdout + r.stderr
        return Warehouse(self.db, engine="spark", read_only=True), self.html

    def finish(self) -> None:
        if self.demo.poll() is None:
            self.demo.kill()
            self.demo.wait()
        self.output.close()


@pytest.fixture(scope="module")
def cluster_demo(cluster, tmp_path_factory):
    url, _ = cluster
    folder = tmp_path_factory.mktemp("on_cluster")
    settings = write(folder / "cluster.toml", SETTINGS + f'spark_master = "{url}"\n')
    demo = ClusterDemo(settings, folder)
    yield demo
    demo.finish()


def assert_same_report(duck: Warehouse, html: Path, tmp_path: Path) -> None:
    duck_html = write_report(duck.path, tmp_path / "d.html").read_text(encoding="utf-8")
    assert len(html.read_text(encoding="utf-8")) == pytest.approx(len(duck_html), rel=0.02)


def test_demo_and_report_on_a_standalone_cluster(both, cluster, cluster_demo, tmp_path):
    """`demo` and `report` with `engine.spark_master` naming a standalone master run their work
    on its two workers and give the tables and churn scores of the DuckDB run of the same shop."""
    duck, _, _ = both
    _, master_log = cluster
    cl, html = cluster_demo.report()
    log = master_log.read_text(errors="replace")
    # both commands were applications of the cluster, with executors on both workers
    assert log.count("Registered app churnlens") == 2, log
    assert len(set(re.findall(r"Launching executor \S+ on worker (\S+)", log))) == 2, log
    assert_same_values(duck, cl)
    assert_identical_scores(duck, cl)
    assert_same_report(duck, html, tmp_path)
