"""Every failure a user can meet gives one message with the fix and exit status 2, never a traceback.

Each case builds its own bad input (or simulates the fault: a full disk or a read-only file
system through monkeypatch, a lock held by a real second process) and runs the command in
process through Typer's CliRunner.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlens import safe_paths
from churnlens.cli import app
from churnlens.warehouse import Warehouse


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_clear_error(result, *words: str) -> None:
    text = result.output
    assert result.exit_code == 2, (result.exit_code, text, result.exception)
    assert "Traceback" not in text
    assert text.count("error:") == 1, text
    for word in words:
        assert word in text, (word, text)


@pytest.fixture
def db(tmp_path):
    """A small warehouse with one table."""
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.write("data_profile", pd.DataFrame({"table_name": ["orders"], "rows": [0]}))
    return path


def _bytes(path) -> bytes:
    return path.read_bytes()


# ---- --db that is missing, a directory, or not a DuckDB file -----------------------------------
@pytest.mark.parametrize("command", [["run"], ["diagnose"], ["train"], ["score"], ["backtest"], ["info"]])
def test_commands_that_read_refuse_a_missing_warehouse(tmp_path, command):
    typo = tmp_path / "typo.duckdb"
    r = invoke(*command, "--db", typo)
    assert_one_clear_error(r, "does not exist", "typo.duckdb", "churnlens ingest")
    assert not typo.exists()


def test_export_and_report_refuse_a_missing_warehouse(tmp_path):
    typo = tmp_path / "typo.duckdb"
    r = invoke("export", "actions", "--action", "all", "--out", tmp_path / "a.csv", "--db", typo)
    assert_one_clear_error(r, "does not exist", "typo.duckdb")
    r = invoke("report", "--out", tmp_path / "r.html", "--db", typo)
    assert_one_clear_error(r, "does not exist", "typo.duckdb")
    assert not typo.exists() and not (tmp_path / "a.csv").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "fashion-campus", "shop"],
        ["run"],
        ["diagnose"],
        ["export", "actions", "--action", "all", "--out", "x.csv"],
    ],
)
def test_a_directory_as_db_is_refused(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wh").mkdir()
    r = invoke(*command, "--db", "wh")
    assert_one_clear_error(r, "--db names a directory", "fix:")


@pytest.mark.parametrize("content", [b"order_id,customer_id\n1,2\n", b"", b"PAR1" + b"\0" * 40])
def test_ingest_refuses_a_db_that_is_not_a_duckdb_file(tmp_path, content):
    target = tmp_path / "orders.csv"
    target.write_bytes(content)
    r = invoke("ingest", "fashion-campus", tmp_path / "shop", "--db", target)
    assert_one_clear_error(r, "not a DuckDB database", "orders.csv", "fix:")
    assert target.read_bytes() == content


def test_ingest_refuses_a_missing_folder_for_the_warehouse(tmp_path):
    r = invoke("ingest", "fashion-campus", tmp_path / "shop", "--db", tmp_path / "nodir" / "w.duckdb")
    assert_one_clear_error(r, "folder of the warehouse does not exist", "mkdir -p")
    assert not (tmp_path / "nodir").exists()


# ---- a lock held by another program ------------------------------------------------------------
@pytest.mark.parametrize("read_only", [False, True], ids=["another-run", "the-dashboard"])
def test_a_held_lock_is_one_message(db, read_only):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, duckdb
                con = duckdb.connect({str(db)!r}, read_only={read_only})
                print("ready", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        r = invoke("run", "--db", db, "--set", "engine.lock_wait_seconds=0")
        assert_one_clear_error(
            r, "in use by another program", f"process {holder.pid}", "churnlens serve", "try again"
        )
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# ---- the file system refuses: read-only, full ------------------------------------------------------
def test_a_read_only_file_system_for_the_warehouse(db, monkeypatch):
    def refuse(path, read_only=False, **_waiting):  # DuckDB's own words for EROFS
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Read-only file system')

    monkeypatch.setattr("churnlens.warehouse.connect_duckdb", refuse)
    r = invoke("run", "--db", db)
    assert_one_clear_error(r, "read-only", "w.duckdb", "writable disk")


def _fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, __import__("os").strerror(code))

    return fail


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [
        ("fsync", errno.ENOSPC, ["disk is full", "Free some space"]),
        ("mkstemp", errno.EROFS, ["read-only", "writable disk"]),
        ("mkstemp", errno.EACCES, ["No permission", "r.html"]),
    ],
    ids=["full-disk", "read-only", "no-permission"],
)
def test_the_file_system_refusing_the_report(db, tmp_path, monkeypatch, where, code, words):
    out = tmp_path / "r.html"
    out.write_text("<!DOCTYPE html><html>old report</html>", encoding="utf-8")
    target = safe_paths.os if where == "fsync" else safe_paths.tempfile
    monkeypatch.setattr(target, where, _fail_with(code))
    r = invoke("report", "--db", db, "--out", out)
    assert_one_clear_error(r, *words)
    assert out.read_text(encoding="utf-8") == "<!DOCTYPE html><html>old report</html>"
    # no temporary file left (beside the warehouse: its publish marker)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "w.duckdb", "w.duckdb.published"]


def test_a_full_disk_while_generating(tmp_path, monkeypatch):
    import churnlens.sources.synthetic.textio as textio

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "shop" / "orders.csv"))

    monkeypatch.setattr(textio, "write_json", full)
    r = invoke("generate", "fashion-campus", "--out", tmp_path / "shop", "--customers", "5")
    assert_one_clear_error(r, "disk is full", "orders.csv", "Free some space")


# ---- configuration ----------------------------------------------------------------------------------
def test_a_config_that_is_not_utf8(db, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_bytes("[churn]\n# 이탈 기간\nwindow_days = 30\n".encode("cp949"))
    r = invoke("run", "--db", db, "--config", cfg)
    assert_one_clear_error(r, "not UTF-8", "bad.toml", "Save it as UTF-8")


def test_config_naming_a_directory(db, tmp_path):
    r = invoke("run", "--db", db, "--config", tmp_path)
    assert_one_clear_error(r, "--config names a directory", "fix:")


def test_markup_in_messages_is_printed_as_text(db):
    r = invoke("run", "--db", db, "--set", "churn.[bold]nope[/bold]=1")
    assert_one_clear_error(r, "Unknown setting 'churn.[bold]nope[/bold]'", "Known keys of section churn", "window_days")


# ---- generate -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope"], ["Unknown kind", "'nope'", "fashion-campus", "instacart"]),
        (["fashion-campus", "--scenario", "crash"], ["Unknown scenario", "'crash'", "decline"]),
        (["fashion-campus", "--customers", "0"], ["at least one customer", "--customers 1"]),
        (["instacart", "--customers", "-3"], ["at least one customer", "-3"]),
    ],
)
def test_generate_with_bad_settings(tmp_path, args, words):
    r = invoke("generate", *args, "--out", tmp_path / "shop")
    assert_one_clear_error(r, *words)
    assert not (tmp_path / "shop").exists()


def test_a_full_disk_during_a_run(db, monkeypatch):
    wal = f"{db}.wal"

    def full(*args, **kwargs):  # DuckDB's own words when the disk fills while it writes
        raise duckdb.IOException(f'IO Error: Could not write file "{wal}": No space left on device')

    monkeypatch.setattr("churnlens.pipeline.run", full)
    r = invoke("run", "--db", db)
    assert_one_clear_error(r, "disk is full", "w.duckdb.wal", "Free some space")
