"""One cutoff per run: decided once from the data (or run.cutoff), recorded in the run record,
and the "as of" of every stage's outputs; shown by `info` and the report.

The shop's last order is a cancelled one three days after its last paid order, so "the last
order" and "the last paid order" fall on different days: stages that each decided their own
"as of" from either disagreed on it."""

from __future__ import annotations

import pandas as pd
import pytest
from test_run_publishing import FAST_SETS
from typer.testing import CliRunner

from churnlens import pipeline
from churnlens.cli import app
from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.report import build_report
from churnlens.run_cutoff import recorded
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse

FAST = {**FAST_SETS, "churn.window_rule": "fixed"}
STAGES = ["segments", "customer_value", "churn", "products", "playbook"]


def config(**extra: str) -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    for k, v in {**FAST, **extra}.items():
        cfg.set(k, v)
    return cfg


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    out = tmp_path_factory.mktemp("fc")
    generate("fashion-campus", out, GeneratorConfig(customers=400, seed=11, write_click_stream=False))
    db = out / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [out], wh)
        last_paid = wh.to_pandas("orders").query("status == 'paid'").sort_values("order_ts").iloc[-1]
        # a copy of the last paid order, cancelled three days later (types kept by DuckDB itself)
        wh.con.con.execute(
            "INSERT INTO orders SELECT * REPLACE ('late-cancelled' AS order_id, 'cancelled' AS status, "
            "order_ts + INTERVAL 3 DAY AS order_ts) FROM orders WHERE order_id = ?",
            [last_paid.order_id],
        )
        orders = wh.to_pandas("orders")
    return db, orders


def cutoffs_of(wh: Warehouse) -> dict[str, set]:
    """The distinct "as of" value of each result table that states one per row."""
    got = {}
    for name in ("rfm", "customer_value", "customer_scores", "actions"):
        got[name] = set(pd.to_datetime(wh.to_pandas(name)["cutoff"]).dt.tz_localize(None))
    return got


def test_every_stage_computes_at_the_one_cutoff_the_run_records(shop, tmp_path):
    db, orders = shop
    # midnight after the last order of any status, computed from the raw table
    expected = pd.Timestamp(orders.order_ts.max()).normalize() + pd.Timedelta(days=1)
    last_paid_day = pd.Timestamp(orders[orders.status == "paid"].order_ts.max()).normalize()
    assert expected - last_paid_day == pd.Timedelta(days=4)  # the shop disagrees with itself
    cfg = config()
    with Warehouse(db, config=cfg) as wh:
        report = pipeline.run(wh, cfg, only=STAGES)
        assert not report.skipped, report.skipped
        assert report.cutoff == expected.to_pydatetime()
        assert recorded(wh.runs()) == expected.date().isoformat()
        assert wh.runs()["config"].iloc[-1].count(f'"cutoff": "{expected.date().isoformat()}"') == 1
        for name, values in cutoffs_of(wh).items():
            assert values == {expected}, name
        window = cfg.churn.window_days
        labelled = expected - pd.Timedelta(days=1 + window)
        assert set(pd.to_datetime(wh.to_pandas("churn_products")["cutoff"])) == {labelled}
        assert pd.to_datetime(wh.to_pandas("churn_backtest")["cutoff"]).max() == labelled
        # recency is counted in whole days to the one cutoff
        rfm = wh.to_pandas("rfm").set_index("customer_id")
        paid = orders[(orders.status == "paid") & orders.customer_id.notna()]
        last = paid.groupby("customer_id").order_ts.max()
        days = ((expected - last).dt.total_seconds() // 86400).astype("int64")
        assert (rfm.recency_days.astype("int64") == days.reindex(rfm.index)).all()


def test_a_configured_cutoff_is_every_stage_s_and_hides_later_orders(shop):
    db, orders = shop
    cut = (pd.Timestamp(orders.order_ts.max()).normalize() - pd.Timedelta(days=60)).normalize()
    cfg = config(**{"run.cutoff": cut.date().isoformat()})
    with Warehouse(db, config=cfg) as wh:
        report = pipeline.run(wh, cfg, only=STAGES)
        assert not report.skipped, report.skipped
        assert recorded(wh.runs()) == cut.date().isoformat()
        for name, values in cutoffs_of(wh).items():
            assert values == {cut}, name
        # only orders before the cutoff count: frequency and value from the raw table
        rfm = wh.to_pandas("rfm").set_index("customer_id")
        paid = orders[(orders.status == "paid") & orders.customer_id.notna() & (orders.order_ts < cut)]
        assert set(rfm.index) == set(paid.customer_id)
        assert set(wh.to_pandas("customer_value").customer_id) == set(paid.customer_id)
        assert (rfm.frequency.astype("int64") == paid.groupby("customer_id").size().reindex(rfm.index)).all()
        # the warehouse's own orders are untouched
        assert wh.to_pandas("orders").order_ts.max() == orders.order_ts.max()


def test_info_and_the_report_show_the_cutoff(shop):
    db, _ = shop
    with Warehouse(db, read_only=True) as wh:
        cut = recorded(wh.runs())
        html = build_report(wh, "en")
        html_ko = build_report(wh, "ko")
    assert cut
    day = pd.Timestamp(cut)
    assert f"results as of {day.day} {day:%b} {day.year} (the run&#39;s cutoff)" in html
    assert f"결과 기준일 {day.year}년 {day.month}월 {day.day}일" in html_ko
    r = CliRunner().invoke(app, ["info", "--db", str(db)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert f"Results as of {cut}: the last run's cutoff" in r.output
    r = CliRunner().invoke(app, ["run", "--db", str(db), "--only", "segments", "--set", f"run.cutoff={cut}"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert f"every stage computed as of {cut} (the run's cutoff)" in r.output
