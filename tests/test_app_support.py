"""Warehouses the dashboard tests share, and the dashboard's formatting rules.

`demo_warehouse()` builds a small shop once per test process: the synthetic Fashion Campus
generator's shop, then the whole pipeline, so every result table is there. `real_warehouse(kind)`
ingests a real sample (Online Retail, shipped: no click stream; Instacart: no prices). A stage
that fails, or a setting the configuration does not have, fails the tests that use them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import online_retail, shared_data

from churnlens import pipeline, strings
from churnlens.app.views import PAGES
from churnlens.config import ChurnlensConfig
from churnlens.ingest import ingest
from churnlens.presentation import i18n
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse

_BUILT: dict[str, Path] = {}
#: The files that use `demo_warehouse()` or `real_warehouse()` mark themselves with this
#: pytest-xdist group: one process runs them all, so each warehouse is built once.
SHARED_BUILD = pytest.mark.xdist_group("app_warehouses")
#: Stages run on the real samples: what their explanation pages need (Behaviour, Promotions),
#: not the slow rest.
REAL_STAGES = {
    "online-retail": ("profile", "behaviour_orders", "behaviour_clicks"),
    "instacart": ("profile",),
}


def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="churnlens_app_test_"))


#: Small models for the test shops (the dashboard only reads what they write).
FAST = {
    "churn.training_cutoffs": 3,
    "churn.backtest_folds": 1,
    "churn.n_trials": 0,
    "churn.models": ["lightgbm", "logistic"],
    "churn.imbalance_strategies": ["none", "oversample"],
    "churn.n_estimators": 60,
    "churn.forest_trees": 20,
    "churn.curve_points": 41,
    "churn.compare": "full",
}


def fast_config() -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    for key, value in FAST.items():
        cfg.set(key, value)  # an unknown setting is a DataError: FAST must follow the config
    return cfg


def run_stages(wh: Warehouse, only: tuple[str, ...] | None = None):
    """Run the pipeline (every stage, or these); any stage's exception propagates. The run report."""
    return pipeline.run(wh, fast_config(), only=list(only) if only else None)


def demo_warehouse() -> Path:
    """A small demo shop run through the pipeline (built once per process)."""
    if "demo" in _BUILT:
        return _BUILT["demo"]
    root = _workdir()
    shop = root / "shop"
    generate("fashion-campus", shop, GeneratorConfig(customers=300, seed=5, scenario="decline"))
    db = root / "demo.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [shop], wh)
        report = run_stages(wh)
    # the generated shop has every kind of data: no stage may skip, so every page has its tables
    assert not report.skipped, report.skipped
    _BUILT["demo"] = db
    return db


def real_warehouse(kind: str) -> Path:
    """Online Retail (no click stream) or Instacart (no prices) heads, through the pipeline."""
    if kind in _BUILT:
        return _BUILT[kind]
    root = _workdir()
    if kind == "online-retail":
        # Every invoice whose number ends in 00-04 (whole invoices over the whole year), in
        # the file's own format: the same adapter, a fast test.
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        table = pq.read_table(online_retail("online_retail_2010_2011.parquet"))
        tail = pc.utf8_slice_codeunits(table["InvoiceNo"], -2)
        table = table.filter(pc.is_in(tail, value_set=pa.array(["00", "01", "02", "03", "04"])))
        paths = [root / "online_retail_sample.parquet"]
        pq.write_table(table, paths[0])
    else:
        paths = [shared_data("instacart_head")]
    db = root / f"{kind}.duckdb"
    with Warehouse(db) as wh:
        ingest(kind, paths, wh)
        run_stages(wh, REAL_STAGES[kind])
    _BUILT[kind] = db
    return db


# ---- formatting ---------------------------------------------------------------------------------
def test_numbers_and_money_follow_the_language():
    assert i18n.fmt_compact(1_234_567, "en") == "1.23M"
    assert i18n.fmt_compact(1_234_567, "ko") == "123만"
    assert i18n.fmt_compact(250_000_000, "ko") == "2.5억"
    assert i18n.fmt_compact(52_000, "en") == "52K"
    assert i18n.fmt_compact(9_999, "en") == "9,999"
    # the currency code, as the findings write it: one label for one shop
    assert i18n.fmt_money(1_234_567, "en", "IDR") == "IDR 1.23M"
    assert i18n.fmt_money(-52_000, "en", "GBP") == "GBP -52K"
    assert i18n.fmt_money(-32_420_000, "ko", "IDR") == "-3,242만 IDR"
    assert i18n.fmt_money(15_000, "ko", "KRW") == "1.5만원"
    assert i18n.fmt_money(1200, "en", None) == "1,200 items"
    assert i18n.fmt_money(1200, "ko", None) == "1,200 개"
    assert i18n.fmt_pct(0.1234, "en") == "12.3%"
    assert i18n.fmt_delta_pct(110, 100) == "+10.0%"
    assert i18n.fmt_delta_pct(1, 0) is None
    assert i18n.fmt_month("2022-07-01", "en") == "Jul 2022"
    assert i18n.fmt_month("2022-07-01", "ko") == "2022년 7월"
    assert i18n.fmt_date("2022-07-05", "ko") == "2022년 7월 5일"
    assert i18n.fmt_number(None) == "–"


def test_every_string_has_both_languages():
    for key, (en, ko) in strings.STRINGS.items():
        assert en and ko, key
        assert set(_fields(en)) == set(_fields(ko)), key
    for key in PAGES:
        assert f"page_{key}" in strings.STRINGS


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("revenue", "money"),
        ("retention", "pct"),
        ("orders", "count"),
        ("customer_id", "text"),
        ("lift", "float"),
    ],
)
def test_column_kinds(column, kind):
    assert i18n.column_kind(column) == kind
