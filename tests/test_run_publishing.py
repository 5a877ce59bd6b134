"""Runs and ingests are published whole: a failed, interrupted or killed one leaves the previous
complete state visible and untouched, and what it left behind is gone after the next open."""

from __future__ import annotations

import hashlib
import html
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_source_fashion_campus import write_shop

from churnlens import pipeline
from churnlens.contract import StageDecl
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.publishing import apply_journal, leftover, write_journal
from churnlens.warehouse import Warehouse, staging_file
from churnlens.writer_lock import lock_path

#: Small models: the tests are about publishing, not about the models.
FAST_SETS = {
    "churn.n_trials": "0",
    "churn.training_cutoffs": "3",
    "churn.backtest_folds": "1",
    "churn.models": '["lightgbm"]',
    "churn.imbalance_strategies": '["none"]',
    "churn.n_estimators": "40",
}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from churnlens.cli import main; main()", *args]


def set_args() -> list[str]:
    return [a for k, v in FAST_SETS.items() for a in ("--set", f"{k}={v}")]


def all_tables(db: Path) -> list[str]:
    """Every table in the file, hidden and leftover ones included."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
    finally:
        con.close()


def fingerprints(db: Path) -> dict[str, str]:
    """A digest of the rows of every visible table (order ignored)."""
    out = {}
    with Warehouse(db, read_only=True) as wh:
        for name in wh.tables():
            rows = sorted(map(repr, wh.to_pandas(name).astype("string").itertuples(index=False)))
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def whole_last_run(db: Path) -> bool:
    """Every table the last run says it wrote holds the rows it recorded, and was written by it."""
    import json

    from churnlens.provenance import table_runs

    with Warehouse(db, read_only=True) as wh:
        runs = wh.runs()
        last = runs[runs.kind == "run"].iloc[-1]
        counts = json.loads(last["row_counts"])
        by = table_runs(runs)
        return all(
            wh.table(t).count().to_pyarrow().as_py() == n and by[t]["run_id"] == last["run_id"]
            for t, n in counts.items()
        )


def kill_after(args: list[str], seconds: float) -> bool:
    """Start ``args``, SIGKILL it after ``seconds``; True when it was killed (not finished)."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


# ---- in process: errors and interrupts ----------------------------------------------------------
@pytest.mark.parametrize("raised", [RuntimeError("stage failed"), KeyboardInterrupt()])
def test_unpublished_run_leaves_the_previous_tables(tmp_path, raised):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.write("a", pd.DataFrame({"x": [1]}))
    wh.write("gone", pd.DataFrame({"x": [1]}))
    with pytest.raises(type(raised)):
        with wh.run_scope("r1"):
            wh.write("a", pd.DataFrame({"x": [2, 3]}))
            wh.write("b", pd.DataFrame({"y": [1]}))
            wh.drop("gone")
            # Inside the run, the run sees its own tables.
            assert wh.to_pandas("a").x.tolist() == [2, 3] and wh.has("b") and not wh.has("gone")
            raise raised
    assert wh.to_pandas("a").x.tolist() == [1] and wh.has("gone") and not wh.has("b")
    assert not [n for n in wh.con.list_tables() if leftover(n)]
    wh.close()


def test_published_run_replaces_everything_at_once(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.write("a", pd.DataFrame({"x": [1]}))
    wh.write("gone", pd.DataFrame({"x": [1]}))
    with wh.run_scope("r1"):
        wh.write("a", pd.DataFrame({"x": [2]}))
        wh.write("a", wh.table("a").mutate(x=wh.table("a").x + 1))  # reads its own earlier write
        wh.write("_scratch", pd.DataFrame({"s": [1]}))
        wh.drop("gone")
        wh.publish_run({"run_id": "r1", "kind": "run"})
    assert wh.to_pandas("a").x.tolist() == [3]
    assert not wh.has("gone") and not wh.has("_scratch")
    assert wh.runs()["run_id"].tolist() == ["r1"]
    assert not [n for n in wh.con.list_tables() if leftover(n)]
    wh.close()


def test_failing_stage_keeps_the_previous_run(tmp_path, monkeypatch):
    """A stage that fails after others wrote their tables: nothing of the run is published."""
    shop = write_shop(tmp_path / "shop")
    wh = Warehouse(tmp_path / "w.duckdb")
    ingest("fashion-campus", [shop], wh)
    pipeline.run(wh, only=["profile", "segments"])
    before = {n: wh.to_pandas(n) for n in wh.tables()}
    runs_before = len(wh.runs())

    def broken(_wh, _cfg):
        raise RuntimeError("disk full")

    decl = StageDecl("broken", "fails", None, ("orders",), ())
    stages = [*pipeline.STAGES[:2], pipeline.StageDef(decl, broken)]
    monkeypatch.setattr(pipeline, "STAGES", stages)
    with pytest.raises(RuntimeError, match="disk full"):
        pipeline.run(wh, only=["profile", "segments", "broken"])
    assert sorted(wh.tables()) == sorted(before) and len(wh.runs()) == runs_before
    for name, df in before.items():
        pd.testing.assert_frame_equal(wh.to_pandas(name), df)
    assert not [n for n in wh.con.list_tables() if leftover(n)]
    wh.close()


def test_failed_ingest_leaves_no_staging_tables_and_the_previous_shop(tmp_path):
    good = write_shop(tmp_path / "good")
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [good], wh)
    before = fingerprints(db)
    bad = write_shop(tmp_path / "bad")
    (bad / "transactions.csv").write_text("nothing,useful\n1,2\n")
    with Warehouse(db) as wh, pytest.raises(DataError):
        ingest("fashion-campus", [bad], wh)
    assert fingerprints(db) == before
    assert not [n for n in all_tables(db) if leftover(n)]


READ_A = "import sys; from churnlens.warehouse import Warehouse; wh = Warehouse(sys.argv[1], read_only=True); print(wh.to_pandas('a').x.tolist(), wh.tables())"


def read_in_another_process(db: Path) -> str:
    r = subprocess.run([sys.executable, "-c", READ_A, str(db)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_readers_see_the_last_published_run_while_a_run_computes(tmp_path):
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.write("a", pd.DataFrame({"x": [1]}))
    with wh.run_scope("r1", apart=True):
        wh.write("a", pd.DataFrame({"x": [2, 3]}))
        wh.write("b", wh.table("a").mutate(y=wh.table("a").x * 10))
        assert staging_file(db, "r1").exists()
        # another process opens the warehouse mid-run: no lock met, the published state
        assert read_in_another_process(db) == "[1] ['a']"
        assert wh.to_pandas("b").y.tolist() == [20, 30]  # the run reads its own tables
        wh.publish_run({"run_id": "r1", "kind": "run"})
    assert not staging_file(db, "r1").exists()
    assert wh.to_pandas("a").x.tolist() == [2, 3] and wh.runs()["run_id"].tolist() == ["r1"]
    wh.close()
    assert read_in_another_process(db) == "[2, 3] ['a', 'b', 'runs']"
    assert not [n for n in all_tables(db) if leftover(n)]


def test_a_reader_meeting_a_publication_waits_for_it(tmp_path):
    """A run holds the file for writing only to publish: a reader opened then waits, not fails."""
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.write("a", pd.DataFrame({"x": [1]}))
    code = (
        "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(2); c.execute('CREATE OR REPLACE TABLE a AS SELECT 2 AS x'); c.close()"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        started = time.monotonic()
        with Warehouse(db, read_only=True) as wh:
            assert wh.to_pandas("a").x.tolist() == [2]  # what the publication left
        assert time.monotonic() - started >= 1.0
    finally:
        writer.wait(timeout=30)


def test_a_run_apart_that_fails_leaves_the_warehouse_and_no_staging_file(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.write("a", pd.DataFrame({"x": [1]}))
        with pytest.raises(RuntimeError, match="stage failed"):
            with wh.run_scope("r1", apart=True):
                wh.write("a", pd.DataFrame({"x": [2]}))
                raise RuntimeError("stage failed")
        assert wh.to_pandas("a").x.tolist() == [1] and not wh.has("runs")
        wh.write("c", pd.DataFrame({"x": [1]}))  # the warehouse is writable again
    assert not staging_file(db, "r1").exists()
    assert all_tables(db) == ["a", "c"]


def test_the_staging_file_of_a_killed_run_is_removed_on_the_next_open(tmp_path):
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    left = staging_file(db, "20260101T000000000000_abcdef")
    duckdb.connect(str(left)).execute("CREATE TABLE x AS SELECT 1 AS y").close()
    with Warehouse(db, read_only=True) as wh:
        assert wh.cleaned == [] and left.exists()  # a reader never removes anything
    with Warehouse(db) as wh:
        assert wh.cleaned == [left.name]
    assert not left.exists()


def test_leftovers_of_a_killed_writer_are_dropped_on_the_next_open(tmp_path):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    for name in ("_stg_1234abcd_raw_orders", "ibis_duckdb_table_abc", "_run_x__rfm_1a2b3c", "_tmp_rfm_1", "kept"):
        con.execute(f'CREATE TABLE "{name}" AS SELECT 1 AS x')
    con.close()
    with Warehouse(db, read_only=True) as wh:  # a reader never removes anything
        assert wh.tables() == ["kept"] and wh.cleaned == []
    with Warehouse(db) as wh:
        assert sorted(wh.cleaned) == sorted(
            ["_stg_1234abcd_raw_orders", "ibis_duckdb_table_abc", "_run_x__rfm_1a2b3c", "_tmp_rfm_1"]
        )
    assert all_tables(db) == ["kept"]


def test_spark_journal_is_finished_after_a_kill(tmp_path):
    """The Spark layout: a committed journal is rolled forward whatever step the kill hit."""
    root = tmp_path / "wh"
    for d, text in (("rfm", "old"), ("findings", "old"), ("_run_r__rfm_1", "new"), ("_run_r__findings_2", "new")):
        (root / d).mkdir(parents=True)
        (root / d / "part-0.parquet").write_text(text)
    (root / "gone").mkdir()
    write_journal(root, {"rfm": "_run_r__rfm_1", "findings": "_run_r__findings_2"}, ["gone"])
    # Killed after the first directory moved: rfm is in place, findings not yet.
    (root / "rfm").rename(root / "_old_rfm_x")
    (root / "_run_r__rfm_1").rename(root / "rfm")
    assert sorted(apply_journal(root)) == ["findings", "gone"]
    assert sorted(p.name for p in root.iterdir()) == ["findings", "rfm"]
    assert {(root / t / "part-0.parquet").read_text() for t in ("rfm", "findings")} == {"new"}
    assert apply_journal(root) == []  # nothing left to do


# ---- kill -9 of real processes -------------------------------------------------------------------
def _generated_shop(root: Path, seed: int) -> Path:
    from churnlens.sources.synthetic import GeneratorConfig, generate

    shop = root / f"shop{seed}"
    generate("fashion-campus", shop, GeneratorConfig(customers=200, seed=seed, scenario="decline"))
    return shop


@pytest.mark.slow
def test_killed_run_leaves_the_previous_run(tmp_path):
    shop = _generated_shop(tmp_path, 5)
    db = tmp_path / "w.duckdb"
    assert subprocess.run(cli("ingest", "fashion-campus", str(shop), "--db", str(db)), capture_output=True).returncode == 0
    started = time.perf_counter()
    done = subprocess.run(cli("run", "--db", str(db), *set_args()), capture_output=True, text=True)
    whole = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    before = fingerprints(db)
    runs_before = len(Warehouse(db, read_only=True).runs())
    killed, cleaned = [], []
    # A different setting in the killed runs: their tables would differ from the published ones.
    args = cli("run", "--db", str(db), *set_args(), "--set", "rfm.recency_grades=5")
    # Kill moments spread over an uninterrupted run's own time on this machine (2, 6, 11 and 18 s
    # of a 20 s run), so that they land while it starts, computes and writes however busy the
    # machine is.
    for seconds in (whole * f for f in (0.1, 0.3, 0.55, 0.9)):
        if not kill_after(args, seconds):  # finished: its run is the one to keep from now on
            before, runs_before = fingerprints(db), runs_before + 1
            continue
        killed.append(seconds)
        n_runs = len(Warehouse(db, read_only=True).runs())
        if n_runs == runs_before:
            assert fingerprints(db) == before  # the reader sees the previous run, whole
        else:  # killed after it published, before it exited: the new run, whole
            assert n_runs == runs_before + 1 and whole_last_run(db)
            before, runs_before = fingerprints(db), n_runs
        with Warehouse(db) as wh:  # the next writer cleans up
            assert len(wh.runs()) == runs_before
            cleaned += wh.cleaned
        assert not [n for n in all_tables(db) if leftover(n)]
    assert killed, "every run finished before it could be killed"
    # a run computes in its staging file (the warehouse stays readable): a kill leaves that file
    assert any(n.startswith(f"{db.name}._run_") and n.endswith(".staging") for n in cleaned), (
        "no kill landed while the run was computing"
    )
    # export and report read that same run.
    with Warehouse(db, read_only=True) as wh:
        actions = wh.to_pandas("actions")
        findings = wh.to_pandas("findings")
    out = tmp_path / "all.csv"
    r = subprocess.run(cli("export", "actions", "--action", "all", "--out", str(out), "--db", str(db)), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    exported = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(exported.customer_id.astype(str)) == sorted(actions.customer_id.astype(str))
    report = tmp_path / "report.html"
    r = subprocess.run(cli("report", "--db", str(db), "--out", str(report)), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = report.read_text(encoding="utf-8")
    assert all(html.escape(t) in page for t in findings.text_en)
    # every dashboard page renders that run: the Data page lists its tables with their rows,
    # and the at-risk list is the published actions table's
    from test_app_pages import render

    from churnlens.app.views import PAGES

    for key in PAGES:
        render(db, key, "en")
    with Warehouse(db, read_only=True) as wh:
        rows = {n: len(wh.to_pandas(n)) for n in fingerprints(db)}
    listing = render(db, "data", "en").dataframe[0].value.set_index("table_name")["rows"].to_dict()
    assert {n: listing[n] for n in listing if n in rows} == {n: rows[n] for n in listing if n in rows}
    shown = [d.value for d in render(db, "churn", "en").dataframe if "state" in d.value.columns][0]
    saveable = actions[actions.state.isin(["at_risk", "lapsing"])].sort_values("expected_saved_revenue", ascending=False)
    assert shown["expected_saved_revenue"].tolist() == pytest.approx(
        saveable["expected_saved_revenue"].head(len(shown)).tolist()
    )


@pytest.mark.slow
def test_killed_ingest_leaves_the_previous_shop(tmp_path):
    db = tmp_path / "w.duckdb"
    first, second = _generated_shop(tmp_path, 5), _generated_shop(tmp_path, 6)
    assert subprocess.run(cli("ingest", "fashion-campus", str(first), "--db", str(db)), capture_output=True).returncode == 0
    before = fingerprints(db)
    # The second shop ingested whole, elsewhere: what a kill after the publication must show.
    with Warehouse(tmp_path / "ref.duckdb") as ref:
        ingest("fashion-campus", [second], ref)
    after = {k: v for k, v in fingerprints(tmp_path / "ref.duckdb").items() if k != "runs"}
    # Kill moments spread over the second half of an uninterrupted ingest's own time on this
    # machine (the first half is mostly the interpreter starting and the files being read).
    started = time.perf_counter()
    scratch = tmp_path / "timed.duckdb"
    assert subprocess.run(cli("ingest", "fashion-campus", str(second), "--db", str(scratch)), capture_output=True).returncode == 0
    whole = time.perf_counter() - started
    killed, cleaned = [], []
    for seconds in (whole * f for f in (0.5, 0.6, 0.7, 0.8, 0.9)):
        if not kill_after(cli("ingest", "fashion-campus", str(second), "--db", str(db)), seconds):
            before = fingerprints(db)  # finished: the second shop is the complete state now
            continue
        killed.append(seconds)
        now = fingerprints(db)
        shop = {k: v for k, v in now.items() if k != "runs"}
        assert now == before or shop == after  # the previous shop whole, or the new one whole
        before = now
        with Warehouse(db) as wh:
            cleaned += wh.cleaned
        assert not [n for n in all_tables(db) if leftover(n)]
    assert killed, "every ingest finished before it could be killed"
    assert any(n.startswith(("_stg_", "_run_")) for n in cleaned), "no kill landed while the ingest was writing"


@pytest.mark.slow
def test_second_writer_waits_with_a_message_or_refuses_clearly(tmp_path):
    shop, db = write_shop(tmp_path / "shop"), tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [shop], wh)
    first = subprocess.Popen(cli("run", "--db", str(db), *set_args()), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the first run holds the writer lock
            lock = lock_path(db, "duckdb")
            if lock.exists() and f'"pid": {first.pid}' in lock.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the first run never opened the warehouse")
        r = subprocess.run(cli("run", "--db", str(db), "--set", "engine.lock_wait_seconds=0.5"), capture_output=True, text=True)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert "in use by another program" in r.stderr and "waited 0.5 s" in r.stderr
        second = subprocess.run(
            cli("run", "--db", str(db), "--only", "profile", "--set", "engine.lock_wait_seconds=600"),
            capture_output=True,
            text=True,
        )
        assert first.wait() == 0, first.stderr.read()
        assert second.returncode == 0, second.stderr
        assert "waiting for w.duckdb" in second.stderr
    finally:
        first.kill()
        first.wait()
    with Warehouse(db, read_only=True) as wh:
        assert wh.runs()["kind"].tolist() == ["ingest", "run", "run"]
