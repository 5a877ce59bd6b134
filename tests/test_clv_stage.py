"""The customer-value stage writes scores and model checks that agree with the models' API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churnlens import pipeline
from churnlens.clv import BGNBD, summary_from_orders
from churnlens.ingest import ingest
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    out = tmp_path_factory.mktemp("fc")
    generate("fashion-campus", out, GeneratorConfig(customers=400, seed=11, write_click_stream=False))
    wh = Warehouse()
    ingest("fashion-campus", [out], wh)
    report = pipeline.run(wh, only=["customer_value"])
    return wh, report


def test_tables_written(shop):
    wh, report = shop
    assert "customer_value" not in report.skipped
    for name in (
        "customer_value",
        "clv_model",
        "clv_calibration_holdout",
        "clv_repeat_purchases",
        "clv_p_alive_matrix",
    ):
        assert report.written[name] > 0


def test_scores_equal_a_direct_fit(shop):
    wh, _ = shop
    orders = wh.table("orders")
    every = wh.to_pandas("orders")
    paid = every.query("status == 'paid'")
    # the run's cutoff: midnight after the shop's last order
    cutoff = every.order_ts.max().normalize() + pd.Timedelta(days=1)
    assert wh.runs()["cutoff"].iloc[-1] == cutoff.date().isoformat()
    summary = summary_from_orders(orders, cutoff, unit="day").execute().set_index("customer_id")
    model = BGNBD().fit(summary.frequency, summary.recency, summary["T"])
    got = wh.to_pandas("customer_value").set_index("customer_id").loc[summary.index]
    expected = model.p_alive(summary.frequency, summary.recency, summary["T"])
    np.testing.assert_allclose(got.p_alive.to_numpy(), np.asarray(expected), rtol=1e-6)
    params = wh.to_pandas("clv_model").query("model == 'count:BGNBD'").set_index("parameter").value
    for k, v in model.params_.items():
        assert params[k] == pytest.approx(v, rel=1e-6)
    assert set(got.index) == set(paid.customer_id)
    assert (got.cutoff == pd.Timestamp(cutoff)).all()


def test_no_repeat_buyers_skips_with_reason():
    wh = Warehouse()
    wh.write(
        "orders",
        pd.DataFrame(
            {
                "order_id": ["a", "b"],
                "customer_id": ["1", "2"],
                "order_ts": pd.to_datetime(["2020-01-01", "2020-02-01"]),
                "status": ["paid", "paid"],
                "total_amount": [10.0, 20.0],
            }
        ),
    )
    report = pipeline.run(wh, only=["customer_value"])
    assert "repeat" in report.skipped["customer_value"]


def test_a_skipped_stage_removes_its_earlier_tables(shop):
    wh, _ = shop
    assert wh.has("customer_value")
    orders = wh.to_pandas("orders")
    first = orders.sort_values("order_ts").groupby("customer_id").head(1)  # no repeat buyers left
    wh.write("orders", first)
    report = pipeline.run(wh, only=["customer_value"])
    assert "customer_value" in report.skipped
    assert "customer_value" in report.dropped["customer_value"]
    assert not wh.has("customer_value") and not wh.has("clv_model")


def test_relative_time_shop_is_skipped_with_its_reason():
    from conftest import shared_data

    wh = Warehouse()
    ingest("instacart", [shared_data("instacart_head")], wh)
    report = pipeline.run(wh, only=["customer_value"])
    assert "relative time" in report.skipped["customer_value"]
    assert not wh.has("customer_value")
