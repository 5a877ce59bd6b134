"""Every stage's declared contract against what it really writes, and the pipeline built on it:
stage order, unknown stages, stages run alone on missing or stale inputs."""

from __future__ import annotations

import pytest
from test_app_support import SHARED_BUILD, demo_warehouse
from test_source_fashion_campus import write_shop

from churnlens import pipeline, stage_graph
from churnlens.contract import KINDS
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.provenance import table_runs
from churnlens.warehouse import Warehouse

pytestmark = SHARED_BUILD
NUMERIC = {"money", "share", "count", "number", "rank", "days", "seconds"}


def _kind_fits(kind: str, dtype) -> bool:
    if kind in NUMERIC:
        return dtype.is_numeric()
    if kind == "date":
        return dtype.is_temporal() or dtype.is_string()  # ISO text where a cutoff is a label
    if kind == "flag":
        return dtype.is_boolean()
    if kind == "id":
        return dtype.is_string() or dtype.is_integer()
    return dtype.is_string()


@pytest.fixture(scope="module")
def demo():
    with Warehouse(demo_warehouse(), read_only=True) as wh:
        yield wh, table_runs(wh.runs())


def test_every_written_table_is_declared_by_its_stage_and_back(demo):
    wh, written = demo
    results = {t for t in wh.tables() if t in written}
    by_stage: dict[str, set[str]] = {}
    for table in results:
        by_stage.setdefault(written[table]["stage"], set()).add(table)
    for decl in pipeline.declarations():
        # The demo shop has every kind of data: every declared table is written.
        assert by_stage.get(decl.name, set()) == set(decl.written), decl.name


def test_every_column_is_declared_with_a_kind_that_fits(demo):
    wh, written = demo
    checked = 0
    for table in (t for t in wh.tables() if t in written):
        _, decl = pipeline.declared_table(table)
        schema = wh.table(table).schema()
        for column, dtype in schema.items():
            kind = decl.kind(column)
            assert kind is not None, f"{table}.{column} is not declared"
            assert _kind_fits(kind, dtype), f"{table}.{column}: declared {kind}, stored {dtype}"
            checked += 1
        for pattern in decl.columns:
            matched = [c for c in schema.names if decl.kind(c) and (c == pattern or "*" in pattern)]
            assert pattern in schema.names or ("*" in pattern and matched), f"{table}.{pattern} not written"
    assert checked > 400


def test_declarations_are_well_formed():
    decls = pipeline.declarations()
    made = stage_graph.producers(decls)  # no table has two stages
    assert len(made) == sum(len(d.writes) for d in decls)
    for d in decls:
        assert d.doc and all(t.meaning for t in d.writes)
        assert all(k in KINDS for t in d.writes for k in t.columns.values())
        assert d.section is None or hasattr(pipeline.ChurnlensConfig(), d.section)


def test_stages_run_after_the_stages_they_read_from():
    order = [s.name for s in pipeline.STAGES]
    decls = pipeline.declarations()
    for d in decls:
        for producer in stage_graph.inputs(d, decls).values():
            assert order.index(producer) < order.index(d.name)
    # The dependencies the pipeline relies on, computed from the declarations alone.
    assert stage_graph.upstream("playbook", decls) == ["segments", "customer_value", "churn"]
    assert order[:1] == ["profile"] and order.index("churn") < order.index("playbook")


def test_a_cycle_is_refused():
    from churnlens.contract import StageDecl, Table

    a = StageDecl("a", "a", None, ("y",), (Table("x", "x", {"v": "count"}),))
    b = StageDecl("b", "b", None, ("x",), (Table("y", "y", {"v": "count"}),))
    with pytest.raises(ValueError, match="cycle"):
        stage_graph.ordered([a, b])


@pytest.fixture
def small(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    ingest("fashion-campus", [write_shop(tmp_path / "shop")], wh)
    yield wh
    wh.close()


def test_unknown_stage_is_an_error_listing_the_stages(small):
    with pytest.raises(DataError) as exc:
        pipeline.run(small, only=["segmnets"])
    text = str(exc.value)
    assert "'segmnets'" in text and all(s.name in text for s in pipeline.STAGES)
    assert small.runs()["kind"].tolist() == ["ingest"]  # nothing ran


def test_stage_alone_on_stale_input_names_the_stage_to_run_first(small):
    pipeline.run(small, only=["segments"])
    ingest("fashion-campus", [small.path.parent / "shop"], small)  # rfm is now stale
    with pytest.raises(DataError) as exc:
        pipeline.run(small, only=["playbook"])
    text = str(exc.value)
    assert "rfm" in text and "older data" in text and "--only segments" in text and "--with-upstream" in text
    report = pipeline.run(small, only=["playbook"], with_upstream=True)
    ran = set(report.seconds) | set(report.skipped)
    assert ran == {"segments", "customer_value", "churn", "playbook"}
    assert not table_runs(small.runs())["rfm"]["stale"]


# ---- readers take meanings, stages and formats from the declarations -------------------------------
def test_dashboard_table_stages_are_the_declared_ones():
    from churnlens.app.context import TABLE_STAGE

    assert TABLE_STAGE["customer_value"] == "customer_value"
    assert {TABLE_STAGE[t] for t in ("clv_model", "clv_p_alive_matrix", "clv_calibration_holdout")} == {"customer_value"}
    for decl in pipeline.declarations():
        assert all(TABLE_STAGE[t] == decl.name for t in decl.written)


def test_column_formats_follow_the_declared_kinds():
    import pandas as pd

    from churnlens.presentation import i18n

    shown = {"money": "money", "share": "pct", "count": "count", "rank": "count", "number": "float"}
    for decl in pipeline.declarations():
        for t in decl.writes:
            for column, kind in t.columns.items():
                if kind in shown and "*" not in column:
                    assert i18n.column_kind(column, table=t.name) == shown[kind], (t.name, column)
    # A rank is a position, not an amount; a time is not a percentage.
    assert i18n.column_kind("rank_revenue", pd.Series([1, 2]), "product_stats") == "count"
    assert i18n.column_kind("generated_at", pd.Series(pd.to_datetime(["2024-01-01"]))) == "text"
    # The same name in two tables of different kinds: each table's own declaration decides.
    assert i18n.column_kind("value", table="actions") == "money"
    assert i18n.column_kind("value", table="clv_model") == "float"


def test_info_lists_meaning_stage_and_run_of_every_table(demo):
    import subprocess
    import sys

    wh, written = demo
    r = subprocess.run(
        [sys.executable, "-c", "from churnlens.cli import main; main()", "info", "--db", str(wh.path)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "400"},
    )
    assert r.returncode == 0, r.stderr
    lines = {line.split("│")[1].strip(): line for line in r.stdout.splitlines() if line.count("│") > 3}
    for table, rec in written.items():
        row = lines[table]
        decl = pipeline.declared_table(table)[1]
        assert rec["stage"] in row and rec["run_id"] in row and decl.meaning[:40] in row and "current" in row
        assert f"{wh.table(table).count().to_pyarrow().as_py():,}" in row


def test_too_short_history_skips_churn_before_it_runs(tmp_path, monkeypatch):
    import pandas as pd

    def never(_wh, _cfg):
        raise AssertionError("the churn stage ran on a shop it cannot label")

    churn = next(s for s in pipeline.STAGES if s.name == "churn")
    monkeypatch.setattr(pipeline, "STAGES", [pipeline.StageDef(churn.decl, never)])
    wh = Warehouse()
    days = pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-11", "2024-03-01"])
    wh.write(
        "orders",
        pd.DataFrame(
            {
                "order_id": ["o1", "o2", "o3", "o4"],
                "customer_id": ["a", "b", "a", "b"],
                "order_ts": days,
                "status": ["paid", "paid", "paid", "failed"],  # the failed order is no history
                "total_amount": [1.0, 2.0, 3.0, 4.0],
            }
        ),
    )
    report = pipeline.run(wh, only=["churn"])
    assert report.skipped["churn"].startswith("the shop's paid-order history spans 10 days")
    assert "25 days of churn.window_days" in report.skipped["churn"]
    cfg = pipeline.ChurnlensConfig()
    cfg.set("churn.window_days", "7")
    with pytest.raises(AssertionError, match="cannot label"):  # 10 days > 7: the stage runs
        pipeline.run(wh, cfg, only=["churn"])
