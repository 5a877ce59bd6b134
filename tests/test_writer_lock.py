"""One writer per warehouse on both engines: a second run or ingest waits with a progress line
up to engine.lock_wait_seconds, then refuses with the one "in use" message; a lock left by a
dead process is taken over. The lock is taken before any engine starts, so no Spark session is
needed to test it on a Spark warehouse."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import duckdb
import pytest

from churnlens import engine, safe_paths
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.warehouse import Warehouse
from churnlens.writer_lock import SPARK_LOCK, WriterLock, in_use_error, lock_path


def hold(path) -> subprocess.Popen:
    """Another process holding the writer lock at ``path`` until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from churnlens.writer_lock import WriterLock
        WriterLock(Path({str(path)!r}), "x").acquire()
        print("ready", flush=True)
        sys.stdin.read()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def waiting(seconds: float) -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    cfg.set("engine.lock_wait_seconds", str(seconds))
    return cfg


def test_a_second_spark_writer_waits_then_refuses_naming_the_holder(tmp_path):
    root = tmp_path / "spark_wh"
    root.mkdir()
    assert lock_path(root, "spark") == root / SPARK_LOCK
    holder = hold(root / SPARK_LOCK)
    told: list[str] = []
    try:
        with pytest.raises(DataError) as info:
            Warehouse(root, engine="spark", config=waiting(0.6), on_wait=told.append)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    text = str(info.value)
    assert "in use by another program" in text
    assert f"process {holder.pid} on host {socket.gethostname()}" in text
    assert "waited 0.6 s" in text and "try again" in text
    assert told == ["waiting for spark_wh: another run or ingest is writing to it"]


def test_the_cli_refuses_a_held_spark_warehouse_with_one_message(tmp_path):
    root = tmp_path / "spark_wh"
    root.mkdir()
    holder = hold(root / SPARK_LOCK)
    try:
        r = subprocess.run(
            [sys.executable, "-c", "from churnlens.cli import main; main()", "run", "--engine", "spark", "--db", str(root),
             "--set", "engine.lock_wait_seconds=0.5"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "400"},
        )
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "in use by another program" in r.stderr and f"process {holder.pid}" in r.stderr
    assert "waited 0.5 s" in r.stderr
    assert "waiting for spark_wh" in r.stderr


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = hold(lock_path(db, "duckdb"))
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    left = json.loads(lock_path(db, "duckdb").read_text())
    assert left["pid"] == holder.pid and left["host"] == socket.gethostname()
    told: list[str] = []
    with Warehouse(db, config=waiting(0), on_wait=told.append) as wh:
        assert wh.lock.taken_over == f"process {holder.pid} on host {socket.gethostname()}"
        assert json.loads(lock_path(db, "duckdb").read_text())["pid"] == os.getpid()
    assert told == [f"took over the lock of w.duckdb left by process {holder.pid} on host {socket.gethostname()}, which has ended"]
    # a clean close removes the lock file: the next writer takes nothing over
    assert not lock_path(db, "duckdb").exists()
    again = WriterLock(lock_path(db, "duckdb"), "w.duckdb").acquire()
    try:
        assert again.taken_over is None
    finally:
        again.release()


def test_writers_of_one_process_share_the_lock_and_the_last_lets_go(tmp_path):
    """As DuckDB shares a file between the connections of one process; another process waits."""
    db = tmp_path / "w.duckdb"
    first = Warehouse(db)
    second = Warehouse(db, config=waiting(0))
    second.close()
    code = f"from churnlens.writer_lock import WriterLock; from pathlib import Path; WriterLock(Path({str(lock_path(db, 'duckdb'))!r}), 'w').acquire()"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "in use by another program" in r.stderr and f"process {os.getpid()}" in r.stderr
    first.close()
    assert not lock_path(db, "duckdb").exists()  # the last writer of the process let go and removed it
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_one_message_for_every_way_a_lock_is_met(tmp_path):
    """DuckDB's own lock met on opening, met while writing, and the writer lock: one wording."""
    db = tmp_path / "w.duckdb"
    held = duckdb.connect(str(db))
    code = f"import duckdb; duckdb.connect({str(db)!r})"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    held.close()
    met = duckdb.IOException(r.stderr.strip().splitlines()[-1])
    pid = int(str(met).split("PID ")[1].split(")")[0])
    on_open = None
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,sys; c=duckdb.connect({str(db)!r}); print('ready',flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DataError) as info:
            engine.connect_duckdb(db, wait_seconds=0)
        on_open = str(info.value)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    expected = str(in_use_error(db, f"process {holder.pid}"))
    assert on_open == expected
    assert str(safe_paths.duckdb_io_error(met, db)) == str(in_use_error(db, f"process {pid}"))


def test_writers_taking_turns_never_hold_the_lock_together(tmp_path):
    """The file is removed on release while others wait on it: each waiter checks it locked the
    file the path names, so two writers are never inside at once (an exclusive marker file
    would fail to be created otherwise)."""
    lock, inside = tmp_path / "w.duckdb.lock", tmp_path / "inside"
    code = (
        "import os, sys, time; from pathlib import Path; from churnlens.writer_lock import WriterLock\n"
        f"for _ in range(60):\n"
        f"    w = WriterLock(Path({str(lock)!r}), 'w').acquire(wait_seconds=60)\n"
        f"    fd = os.open({str(inside)!r}, os.O_CREAT | os.O_EXCL | os.O_WRONLY)\n"
        f"    time.sleep(0.02); os.close(fd); os.unlink({str(inside)!r}); w.release()\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert not lock.exists() and not inside.exists()
