"""Results computed from older data than the warehouse holds are stale: export refuses them,
the report and every dashboard page say so, `info` marks them, and `run` makes them current."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from test_app_pages import render
from test_source_fashion_campus import write_shop

from churnlens import pipeline, strings
from churnlens.app.views import PAGES
from churnlens.ingest import ingest
from churnlens.provenance import data_version, stale_tables, table_runs
from churnlens.report import build_report
from churnlens.warehouse import Warehouse

STAGES = ["profile", "segments", "diagnosis", "playbook"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from churnlens.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def used(tmp_path_factory):
    """A warehouse with a complete run, then another ingest: every result table is stale."""
    root = tmp_path_factory.mktemp("stale")
    shop, db = write_shop(root / "shop"), root / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [shop], wh)
        pipeline.run(wh, only=STAGES)
        first = wh.runs()
        results = set(wh.tables()) - {"customers", "products", "orders", "order_items", "events", "rejected_rows", "runs"}
        ingest("fashion-campus", [shop], wh)  # the same files again: a new data version all the same
    return root, db, first, results


def test_every_ingest_is_a_new_data_version_and_runs_record_theirs(used):
    _, db, first, results = used
    with Warehouse(db, read_only=True) as wh:
        runs = wh.runs()
    assert data_version(first) != data_version(runs) and data_version(runs) is not None
    run = runs[runs.kind == "run"].iloc[-1]
    assert run["data_version"] == data_version(first)
    assert set(table_runs(runs)) == results and stale_tables(runs) == sorted(results)
    assert stale_tables(first) == []


def test_stale_results_are_refused_flagged_and_made_current_by_run(used):
    root, db, _, results = used
    out = root / "actions.csv"
    r = cli("export", "actions", "--action", "all", "--out", str(out), "--db", str(db))
    assert r.returncode == 2 and not out.exists()
    assert "older data" in r.stderr and "--allow-stale" in r.stderr and "churnlens run" in r.stderr
    r = cli("export", "actions", "--action", "all", "--out", str(out), "--db", str(db), "--allow-stale")
    assert r.returncode == 0, r.stderr
    r = cli("info", "--db", str(db))
    assert r.returncode == 0 and r.stdout.count("stale") >= len(results)
    assert f"{len(results)} result tables are stale" in " ".join(r.stdout.split())

    with Warehouse(db, read_only=True) as wh:
        page = build_report(wh)
        assert 'role="alert"' in page and "findings" in page.split('role="alert"')[1]
    for key in PAGES:
        at = render(db, key)
        banners = [w.value for w in at.warning if w.value.startswith("Stale results")]
        assert len(banners) == 1 and "findings" in banners[0], key
    at = render(db, "overview", "ko")
    assert any(w.value.startswith(strings.tr("ko", "stale_results")[:6]) for w in at.warning)

    with Warehouse(db) as wh:
        pipeline.run(wh, only=STAGES)
        assert stale_tables(wh.runs()) == []
        assert 'role="alert"' not in build_report(wh)
    r = cli("export", "actions", "--action", "all", "--out", str(out), "--db", str(db))
    assert r.returncode == 0, r.stderr
    with Warehouse(db, read_only=True) as wh:
        assert len(pd.read_csv(out, encoding="utf-8-sig")) == wh.table("actions").count().to_pyarrow().as_py()
    assert not [w for w in render(db, "overview").warning if w.value.startswith("Stale results")]
    assert "stale" not in cli("info", "--db", str(db)).stdout.replace("result tables are stale", "")
