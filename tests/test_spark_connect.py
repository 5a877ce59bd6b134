"""The pipeline through a Spark Connect server gives the tables DuckDB gives.

A Spark Connect server from the pip pyspark (its `spark-connect` jar) listens on 127.0.0.1; `churnlens
ingest` and `churnlens run` with ``engine.spark_master = "sc://127.0.0.1:<port>"`` send all their
Spark work to it, and their result tables equal those of the DuckDB run of the same shop. The
stages run are the data profile and customer value (BG/NBD and Gamma-Gamma per customer), which
keeps the test short; the whole pipeline's agreement is tested in local mode and on a standalone
cluster (test_pipeline_spark.py).
"""

from __future__ import annotations

import subprocess

import pytest
from test_browser_dashboard import churnlens, free_port
from test_pipeline_spark import CUSTOMERS, SEED, SETTINGS, Daemons, assert_same_values, write

from churnlens import pipeline
from churnlens.config import ChurnlensConfig
from churnlens.demo import demo_shop
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]

STAGES = ["profile", "customer_value"]
SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory, spark_available):
    """A Spark Connect server (one local core, 1 GB, no web UI, UTC) on a free port of 127.0.0.1,
    started with spark-submit from the pyspark installation and stopped when the tests end.
    Yields its ``sc://`` address and its log."""
    logs = tmp_path_factory.mktemp("connect")
    daemons = Daemons(logs)
    daemons.env.pop("SPARK_DAEMON_MEMORY")  # the driver's memory is spark-submit's --driver-memory
    port = free_port()
    jar = next((daemons.home / "jars").glob("spark-connect_*.jar"))
    try:
        log = daemons.start(
            "connect", "spark-submit", "--class", SERVER, "--master", "local[1]", "--driver-memory", "1g",
            "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.session.timeZone=UTC", str(jar),
        )  # fmt: skip
        daemons.wait_for(log, f"Spark Connect server started at: 127.0.0.1:{port}")
        yield f"sc://127.0.0.1:{port}", log
    finally:
        daemons.stop()


def test_ingest_and_run_through_spark_connect(connect_server, tmp_path):
    url, server_log = connect_server
    settings = write(tmp_path / "settings.toml", SETTINGS)
    kind, paths = demo_shop("fashion-campus", tmp_path / "shop", CUSTOMERS, SEED)

    with Warehouse(tmp_path / "w.duckdb") as duck:
        cfg = ChurnlensConfig.from_toml(settings)
        ingest(kind, paths, duck, cfg)
        pipeline.run(duck, cfg, only=STAGES)

    db = tmp_path / "warehouse"
    common = ["--engine", "spark", "--db", str(db), "--config", str(settings), "--set",
              f"engine.spark_master={url}", "--set", "engine.spark_shuffle_partitions=2"]  # fmt: skip
    only = [a for stage in STAGES for a in ("--only", stage)]
    for args in (["ingest", kind, *map(str, paths)], ["run", *only]):
        r = subprocess.run(churnlens(*args, *common), capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr

    # the server wrote the warehouse's tables: the client only sent it plans
    assert server_log.read_text(errors="replace").count(f"file:{db}/") > 10
    duck = Warehouse(tmp_path / "w.duckdb", read_only=True)
    spark = Warehouse(db, engine="spark", read_only=True)
    try:
        assert {"data_profile", "customer_value", "clv_model"} <= set(spark.tables())
        assert_same_values(duck, spark)
    finally:
        duck.close()
