"""The command line: ingest, run, info, and errors printed without a traceback."""

from __future__ import annotations

import subprocess
import sys

from test_source_fashion_campus import write_shop


def churnlens(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from churnlens.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_ingest_run_info(tmp_path):
    shop = write_shop(tmp_path / "shop")
    db = str(tmp_path / "w.duckdb")
    r = churnlens("ingest", "fashion-campus", str(shop), "--db", db)
    assert r.returncode == 0, r.stderr
    assert "orders" in r.stdout and "rejected rows kept" in r.stdout
    r = churnlens("run", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "data_profile" in r.stdout
    r = churnlens("info", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "rejected_rows" in r.stdout and "ingest" in r.stdout


def test_data_error_is_printed_without_traceback(tmp_path):
    shop = write_shop(tmp_path / "shop")
    (shop / "customer.csv").write_text("customer_id,gender\n1,F\n")
    r = churnlens("ingest", "fashion-campus", str(shop), "--db", str(tmp_path / "w.duckdb"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "birthdate" in r.stderr and "customer.csv" in r.stderr and "fix:" in r.stderr


def test_bad_setting_is_a_data_error(tmp_path):
    r = churnlens("run", "--db", str(tmp_path / "w.duckdb"), "--set", "churn.nope=3")
    assert r.returncode == 2 and "Unknown setting" in r.stderr and "Traceback" not in r.stderr


def test_missing_warehouse_table_is_explained(tmp_path):
    import duckdb

    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    r = churnlens("run", "--db", str(tmp_path / "empty.duckdb"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "holds no shop yet" in r.stderr and "churnlens ingest" in r.stderr
