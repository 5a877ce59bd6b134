"""`churnlens demo --shop online-retail`: the real shop shipped with churnlens, offline, through
every stage. Its results are checked against the raw files read independently with pandas."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import online_retail
from test_cli import churnlens
from test_diagnosis_online_retail import paid_invoices
from typer.testing import CliRunner

from churnlens import pipeline
from churnlens.cli import app
from churnlens.warehouse import Warehouse

#: Small models, so the demo runs in a test: the shop, the ingest and every stage stay as they are.
FAST = [
    "churn.training_cutoffs=3",
    "churn.backtest_folds=1",
    "churn.n_trials=0",
    'churn.models=["lightgbm", "logistic"]',
    'churn.imbalance_strategies=["none"]',
    "churn.n_estimators=60",
]


def digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo_or")
    shipped = digest(online_retail())
    args = ["demo", "--shop", "online-retail", "--no-serve", "--db", str(tmp / "demo.duckdb")]
    for setting in FAST:
        args += ["--set", setting]
    # in this process (the subprocess helper's time limit is for small commands)
    cwd = Path.cwd()
    os.chdir(tmp)
    try:
        r = CliRunner().invoke(app, [*args, "--out", str(tmp / "out")], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    # the shipped files are read, never written (nor copied to --out, which a generated shop uses);
    # the working directory gets only the warehouse, its saved models and its publish marker
    assert digest(online_retail()) == shipped
    assert sorted(p.name for p in tmp.iterdir()) == ["demo.duckdb", "demo.duckdb.models", "demo.duckdb.published"]
    wh = Warehouse(tmp / "demo.duckdb", read_only=True)
    yield wh, r.output
    wh.close()


@pytest.mark.slow
def test_demo_ingests_the_shipped_files_and_runs_every_stage(demo):
    wh, stdout = demo
    assert "demo ready" in stdout
    runs = wh.to_pandas("runs")
    run = runs[runs["kind"] == "run"].iloc[-1]
    skipped = json.loads(run["skipped"])
    # a shop without a click stream: only the click-stream stage is left out, with its reason
    needs_clicks = {s.name for s in pipeline.STAGES if "click" in s.name}
    assert set(skipped) == needs_clicks, skipped
    made = set(json.loads(run["stage_tables"]))
    assert made == {s.name for s in pipeline.STAGES} - needs_clicks
    for table in ("rfm", "sales_monthly", "customer_value", "customer_scores", "churn_backtest", "actions"):
        assert wh.has(table), table


@pytest.mark.slow
def test_demo_results_equal_the_raw_files(demo):
    wh, _ = demo
    inv = paid_invoices()
    orders = wh.to_pandas("orders")
    paid = orders[orders["status"] == "paid"]
    assert set(paid["order_id"]) == set(inv.index)
    monthly = wh.to_pandas("sales_monthly").sort_values("period_start")
    month = inv["ts"].dt.to_period("M").dt.to_timestamp()
    want = inv.groupby(month)["cents"].sum()
    assert monthly["revenue_value"].tolist() == want.tolist()
    rfm = wh.to_pandas("rfm")
    customers = set(inv["customer_id"].dropna())
    assert set(rfm["customer_id"]) == customers
    frequency = inv.dropna(subset=["customer_id"]).groupby("customer_id").size()
    got = rfm.set_index("customer_id")["frequency"].sort_index()
    assert got.tolist() == frequency.sort_index().tolist()


@pytest.mark.slow
def test_demo_scores_real_customers_and_beats_the_recency_rule(demo):
    wh, _ = demo
    scores = wh.to_pandas("customer_scores")
    inv = paid_invoices()
    last_year = inv[inv["ts"] >= inv["ts"].max().normalize() - np.timedelta64(364, "D")]
    # the scored customers are the buyers of the last year (the churn population), each once
    assert set(scores["customer_id"]) == set(last_year["customer_id"].dropna())
    assert scores["customer_id"].is_unique
    assert scores["churn_probability"].between(0, 1).all()
    bt = wh.to_pandas("churn_backtest")
    model = bt[bt["model"] == "lightgbm"].iloc[0]
    rule = bt[(bt["model"] == "recency_rule") & (bt["cohort"] == model["cohort"])].iloc[0]
    assert model["roc_auc"] > rule["roc_auc"]


def test_unknown_demo_shop_is_a_clear_error(tmp_path):
    r = churnlens("demo", "--shop", "nowhere", "--no-serve", "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "nowhere" in r.stderr and "online-retail" in r.stderr and "fix:" in r.stderr
    assert list(tmp_path.iterdir()) == []
