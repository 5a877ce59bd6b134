"""Every ingest and every run leaves one record in `runs`: time, config, row counts, versions,
and the currency and time mode of the data (as the README's "Canonical tables" says)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import metadata

from test_source_fashion_campus import write_shop

from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.pipeline import run
from churnlens.warehouse import Warehouse


def test_ingest_and_run_each_leave_a_full_record(tmp_path):
    shop = write_shop(tmp_path / "shop")
    began = datetime.now(UTC)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        ingest("fashion-campus", [shop], wh)
        cfg = ChurnlensConfig()
        cfg.set("rfm.recency_grades", "4")
        run(wh, cfg, only=["segments"])
        runs = wh.runs()
        stored = {t: wh.table(t).count().to_pyarrow().as_py() for t in ("orders", "customers", "rfm")}
        rejected = wh.to_pandas("rejected_rows")
    assert runs["kind"].tolist() == ["ingest", "run"]
    for _, rec in runs.iterrows():
        started = datetime.fromisoformat(rec["started_at"])
        assert began - timedelta(seconds=1) <= started <= datetime.now(UTC)
        dataset = json.loads(rec["dataset"])
        assert (dataset["currency"], dataset["time_mode"]) == ("IDR", "calendar")
        versions = json.loads(rec["versions"])
        for module, dist in (("duckdb", "duckdb"), ("ibis", "ibis-framework"), ("numpy", "numpy")):
            assert versions[module] == metadata.version(dist)
    ingest_rec, run_rec = (runs.iloc[i] for i in (0, 1))
    counts = {r["table"]: r for r in json.loads(ingest_rec["row_counts"])}
    for table in ("orders", "customers"):
        assert counts[table]["stored"] == stored[table]
        assert counts[table]["rejected"] == (rejected["target_table"] == table).sum() > 0
        assert counts[table]["read"] == counts[table]["stored"] + counts[table]["rejected"]
    assert json.loads(run_rec["row_counts"])["rfm"] == stored["rfm"]
    assert json.loads(run_rec["config"])["rfm"]["recency_grades"] == 4  # the run's own settings
    assert json.loads(ingest_rec["config"])["rfm"]["recency_grades"] == 3
