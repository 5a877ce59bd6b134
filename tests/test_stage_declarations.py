"""Every stage's declared contract against what it really writes, and the pipeline built on it:
stage order, unknown stages, stages run alone on missing or stale inputs."""

from __future__ import annotations

import pytest
from test_app_support import demo_warehouse
from test_source_fashion_campus import write_shop

from churnlens import pipeline, stage_graph
from churnlens.contract import KINDS
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.provenance import table_runs
from churnlens.warehouse import Warehouse

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
