"""The behaviour stages in the pipeline: order-only shops get cohorts, lifecycle and order funnels."""

from __future__ import annotations

import pytest
from test_behaviour_data import click_shop, load

from churnlens.analytics.behaviour import check_config
from churnlens.analytics.sessions import sessionize
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.pipeline import run
from churnlens.warehouse import Warehouse

STAGES = ["behaviour_orders", "behaviour_clicks"]
ORDER_TABLES = {"cohort_retention", "customer_lifecycle", "lifecycle_monthly", "order_funnel_steps"}
CLICK_TABLES = {"sessions", "customer_sessions", "funnel_steps", "funnel_breakdown", "paths_top"}
CLICK_TABLES |= {"path_transitions", "path_exits", "path_outcomes", "search_trends", "visit_kpis"}


def test_order_only_shop_skips_click_tables_with_a_reason():
    shop = click_shop(30, seed=5)
    wh = Warehouse()
    load(wh, {"customers": shop["customers"], "orders": shop["orders"]})
    report = run(wh, ChurnlensConfig(), only=STAGES)
    assert "click stream" in report.skipped["behaviour_clicks"]
    assert ORDER_TABLES <= set(report.written) and not CLICK_TABLES & set(report.written)
    steps = wh.to_pandas("order_funnel_steps").sort_values("step")
    assert steps.step_name.tolist() == ["order_1", "order_2", "order_3"]
    assert (
        steps.units.iloc[0]
        == wh.table("orders").filter(lambda o: o.status == "paid").customer_id.nunique().to_pyarrow().as_py()
    )


def test_click_shop_gets_every_table():
    wh = Warehouse()
    load(wh, click_shop(30, seed=5))
    config = ChurnlensConfig()
    config.sessions.gap_minutes = 20
    report = run(wh, config, only=STAGES)
    assert not report.skipped
    assert ORDER_TABLES | CLICK_TABLES <= set(report.written)
    assert all(report.written[t] > 0 for t in ORDER_TABLES | CLICK_TABLES)
    assert not any(t.startswith("_") for t in wh.tables())  # the stage's caches stay hidden


def test_sessions_table_is_written_once_and_whole(monkeypatch):
    wh = Warehouse()
    shop = click_shop(30, seed=5)
    load(wh, shop)
    writes: list[str] = []
    write = wh.write
    monkeypatch.setattr(wh, "write", lambda name, obj: (writes.append(name), write(name, obj))[1])
    report = run(wh, ChurnlensConfig(), only=["behaviour_clicks"])
    assert writes.count("sessions") == 1 and writes.count("customer_sessions") == 1
    assert "_behaviour_sessions" not in writes
    # one row per session of the sessionized events
    events = sessionize(wh.table("events")).to_pandas()
    sessions = wh.to_pandas("sessions")
    assert report.written["sessions"] == len(sessions) == events.session_id.nunique() > 0
    assert sorted(sessions.session_id) == sorted(events.session_id.unique())


def test_settings_from_toml_and_bad_settings(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        "[sessions]\ngap_minutes = 15\nsplit_at_midnight = true\n\n"
        '[behaviour]\nfunnel_steps = ["home", "purchase"]\nage_band_edges = [0, 30]\n\n'
        '[behaviour.search_groups]\nshoes = ["Sepatu", "Sendal"]\n'
    )
    cfg = ChurnlensConfig.from_toml(path)
    assert cfg.sessions.gap_minutes == 15 and cfg.sessions.split_at_midnight
    assert cfg.behaviour.search_groups == {"shoes": ["Sepatu", "Sendal"]}
    check_config(cfg)
    for key, value in [
        ("behaviour.funnel_steps", ["home", "view"]),
        ("behaviour.funnel_unit", "month"),
        ("behaviour.search_match", "regex"),
        ("behaviour.age_band_edges", [18, 0]),
        ("behaviour.path_steps", 0),
        ("sessions.gap_minutes", 0.0),
    ]:
        # Refused when loaded, before any stage runs.
        with pytest.raises(DataError, match=key.replace(".", r"\.")):
            ChurnlensConfig().set(key, value)
