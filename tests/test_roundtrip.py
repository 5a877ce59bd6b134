"""Generated native files -> adapter -> canonical tables reproduce the generator's own facts."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED_DATA

from churnlens.ingest import ingest
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse


def scalar(wh: Warehouse, sql: str):
    return wh.con.con.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def fashion(tmp_path_factory):
    out = tmp_path_factory.mktemp("fc")
    facts = generate("fashion-campus", out, GeneratorConfig(customers=400, seed=3, scenario="decline"))
    wh = Warehouse()
    summary = ingest("fashion-campus", [out], wh)
    return wh, summary, facts, out


def test_fashion_facts_file_matches_return(fashion):
    _, _, facts, out = fashion
    assert json.loads((out / "facts.json").read_text())["bookings"] == facts["bookings"]


def test_fashion_nothing_rejected_and_counts_equal(fashion):
    wh, summary, facts, _ = fashion
    assert summary.rejected == 0, wh.to_pandas("rejected_rows").head().to_string()
    got = {r["table"]: r["stored"] for r in summary.rows()}
    assert got["customers"] == facts["customers"]
    assert got["products"] == facts["products"]
    assert got["orders"] == facts["bookings"]
    assert got["order_items"] == facts["item_lines"]
    assert got["events"] == facts["click_events"]
    assert scalar(wh, "SELECT count(*) FROM orders WHERE status = 'failed'") == facts["bookings_failed"]
    assert (
        scalar(wh, "SELECT count(*) FROM orders WHERE promo_code IS NOT NULL") == facts["bookings_with_promo"]
    )
    assert scalar(wh, "SELECT count(DISTINCT session_id) FROM events") == facts["sessions"]


def test_fashion_money_totals_exact(fashion):
    wh, _, facts, _ = fashion
    assert scalar(wh, "SELECT sum(quantity) FROM order_items") == facts["sum_quantity"]
    assert scalar(wh, "SELECT sum(quantity * unit_price) FROM order_items") == facts["sum_item_amount"]
    assert scalar(wh, "SELECT sum(items_amount) FROM orders") == facts["sum_item_amount"]
    assert scalar(wh, "SELECT sum(discount_amount) FROM orders") == facts["sum_promo_amount"]
    assert scalar(wh, "SELECT sum(shipping_amount) FROM orders") == facts["sum_shipment_fee"]
    assert scalar(wh, "SELECT sum(total_amount) FROM orders") == facts["sum_total_amount"]


def test_fashion_event_names(fashion):
    wh, _, facts, _ = fashion
    by_name = dict(wh.con.con.execute("SELECT raw_event_name, count(*) FROM events GROUP BY 1").fetchall())
    assert by_name == facts["click_events_by_name"]
    anon = scalar(wh, "SELECT count(DISTINCT session_id) FROM events WHERE customer_id IS NULL")
    assert anon == facts["sessions_without_booking"]


def test_fashion_unquoted_commas_repaired(fashion):
    _, summary, facts, _ = fashion
    n = facts["products_with_unquoted_commas"]
    assert n >= 2
    assert any(note.startswith(f"{n} product rows with unquoted commas") for note in summary.notes)


@pytest.fixture(scope="module")
def instacart(tmp_path_factory):
    out = tmp_path_factory.mktemp("ic")
    catalogue = SHARED_DATA / "instacart_head"
    facts = generate(
        "instacart",
        out,
        GeneratorConfig(customers=300, seed=5),
        catalogue_dir=catalogue if (catalogue / "products.csv").exists() else None,
    )
    wh = Warehouse()
    summary = ingest("instacart", [out], wh)
    return wh, summary, facts


def test_instacart_counts_equal(instacart):
    wh, summary, facts = instacart
    assert summary.rejected == 0
    got = {r["table"]: r["stored"] for r in summary.rows()}
    assert got["customers"] == facts["users"]
    assert got["orders"] == facts["orders"]
    assert got["order_items"] == facts["prior_lines"] + facts["train_lines"]
    assert got["products"] == facts["products"]
    by_set = dict(wh.con.con.execute("SELECT eval_set, count(*) FROM orders GROUP BY 1").fetchall())
    assert by_set == facts["orders_by_eval_set"]
