"""Nothing phones home: the dashboard's Streamlit settings turn usage statistics off and bind
127.0.0.1, `serve` listens there by default, and a whole ingest, run and report makes no
network connection beyond this computer (every attempt is recorded by a Python audit hook)
and downloads no DuckDB extension.
What the browser pages request is checked in `test_browser_dashboard.py`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib

import pytest
import typer.main

from churnlens.app import server
from churnlens.cli import app

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def test_app_config_file_turns_usage_statistics_off_and_binds_loopback():
    cfg = tomllib.loads((server.APP_DIR / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"]["headless"] is True


def test_streamlit_takes_the_serve_flags(tmp_path):
    """The flags `serve` passes are what Streamlit then runs with, from any directory."""
    code = textwrap.dedent(
        """
        import json
        from streamlit import config
        from streamlit.web import bootstrap
        from churnlens.app.server import flag_options
        bootstrap.load_config_options(flag_options=flag_options(8599, "127.0.0.1"))
        names = ["browser.gatherUsageStats", "server.address", "browser.serverAddress", "server.headless"]
        print(json.dumps({n: config.get_option(n) for n in names}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {
        "browser.gatherUsageStats": False,
        "server.address": "127.0.0.1",
        "browser.serverAddress": "127.0.0.1",
        "server.headless": True,
    }


def test_serve_listens_on_loopback_unless_told_otherwise():
    serve = typer.main.get_command(app).commands["serve"]
    host = next(p for p in serve.params if "--host" in getattr(p, "opts", []))
    assert host.default == "127.0.0.1"
    assert server.flag_options(8501, "0.0.0.0")["server.address"] == "0.0.0.0"  # only when asked


_AUDITED_RUN = """
import json, socket, sys
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
attempts = []

def host_of(event, args):
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        return address[0] if isinstance(address, tuple) else None  # AF_UNIX paths stay local
    if event in ("socket.getaddrinfo", "socket.gethostbyname"):
        return args[0]
    if event == "http.client.connect":
        return args[1]
    if event == "urllib.Request":
        return args[0]
    return None

def hook(event, args):
    host = host_of(event, args)
    if host is None:
        return
    if isinstance(host, bytes):
        host = host.decode()
    if host not in LOOPBACK:
        attempts.append(f"{event} {host}")

sys.addaudithook(hook)

from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.pipeline import run
from churnlens.report import build_report
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse

out, db = sys.argv[1], sys.argv[2]
generate("fashion-campus", out, GeneratorConfig(customers=300, seed=5, scenario="decline"))
cfg = ChurnlensConfig()
for key, value in {"churn.training_cutoffs": 3, "churn.backtest_folds": 1, "churn.n_trials": 0,
                   "churn.models": ["lightgbm"], "churn.imbalance_strategies": ["none"],
                   "churn.n_estimators": 40, "churn.forest_trees": 10}.items():
    cfg.set(key, value)
with Warehouse(db, config=cfg) as wh:
    ingest("fashion-campus", [out], wh)
    run(wh, cfg)
    html = build_report(wh, "en")
    tables = sorted(wh.tables())
print(json.dumps({"attempts": attempts, "html": len(html), "tables": tables}))
"""


@pytest.mark.slow
def test_ingest_run_and_report_connect_nowhere(tmp_path):
    script = tmp_path / "audited.py"
    script.write_text(_AUDITED_RUN)
    home = tmp_path / "home"  # where DuckDB would put an extension it downloads
    home.mkdir()
    r = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "shop"), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HOME": str(home)},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    # the run and the report really happened, down to the churn scores and the actions
    assert got["html"] > 10_000
    assert {"sessions", "customer_value", "customer_scores", "basket_rules", "actions"} <= set(got["tables"])
    assert got["attempts"] == []
    assert not [p for p in home.rglob("*.duckdb_extension")]  # DuckDB fetched no extension either


def test_local_spark_binds_loopback_and_has_no_web_ui(monkeypatch):
    """The options `spark_session` gives a local Spark, read off the builder (no JVM started)."""
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install -e '.[spark]')")
    from pyspark.sql import SparkSession

    from churnlens.config import EngineConfig
    from churnlens.engine import spark_session

    seen: dict[str, str] = {}

    class Session:
        class sparkContext:  # noqa: N801 - the attribute name SparkSession has
            @staticmethod
            def setLogLevel(level):  # noqa: N802
                pass

    def capture(builder):
        seen.update(builder._options)
        return Session()

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", capture)
    monkeypatch.delenv("SPARK_LOCAL_IP", raising=False)
    spark_session(EngineConfig())
    assert seen["spark.driver.host"] == "127.0.0.1" and seen["spark.driver.bindAddress"] == "127.0.0.1"
    assert seen["spark.ui.enabled"] == "false"
    assert os.environ["SPARK_LOCAL_IP"] == "127.0.0.1"


def test_the_audit_hook_sees_a_connection_attempt(tmp_path):
    """The recorder above can fail: an attempt to reach a public address is recorded."""
    probe = _AUDITED_RUN.split("sys.addaudithook(hook)")[0] + textwrap.dedent(
        """
        sys.addaudithook(hook)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", ("192.0.2.1", 9))  # TEST-NET-1: reserved, never routed
        s.close()
        print(json.dumps(attempts))
        """
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout.strip().splitlines()[-1]) == ["socket.sendto 192.0.2.1"]
