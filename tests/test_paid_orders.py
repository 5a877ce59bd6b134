"""One definition of a paid order, of "the shop has prices" and of the age bands."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from churnlens.analytics import attributes
from churnlens.churn import labels
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.paid import customer_paid_orders, has_prices, paid_orders
from churnlens.segments import paid_orders as segment_orders

ORDERS = pd.DataFrame(
    {
        "order_id": ["o1", "o2", "o3", "o4", "o5"],
        "customer_id": ["a", "a", None, "b", "b"],
        "order_ts": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"]),
        "status": ["paid", "failed", "paid", "paid", "cancelled"],
        "total_amount": [10.0, 20.0, 5.0, None, 7.0],
        "order_number": [1, 2, 1, 1, 2],
        "promo_code": [None] * 5,
        "discount_amount": [0.0] * 5,
        "items_amount": [10.0, 20.0, 5.0, None, 7.0],
    }
)


def ids(t: ibis.Table) -> list[str]:
    return sorted(t.to_pandas().order_id)


def test_every_stage_means_the_same_paid_orders():
    o = ibis.memtable(ORDERS)
    assert ids(paid_orders(o)) == ["o1", "o3", "o4"]  # failed and cancelled are never revenue
    assert ids(customer_paid_orders(o)) == ["o1", "o4"]  # guests left out of customer analyses
    assert ids(segment_orders.paid_orders(o, None, True)) == ids(paid_orders(o))
    assert ids(labels.paid_orders(o)) == ids(customer_paid_orders(o))
    assert ids(attributes.paid_orders(o)) == ids(customer_paid_orders(o))


def test_prices_are_judged_on_paid_orders_only():
    no_paid_amount = ORDERS.assign(total_amount=[None, 20.0, None, None, 7.0])
    assert has_prices(ibis.memtable(ORDERS))
    assert not has_prices(ibis.memtable(no_paid_amount))  # only a failed and a cancelled order had one
    assert segment_orders.has_prices is has_prices


def test_age_bands_are_one_setting():
    cfg = ChurnlensConfig()
    assert not hasattr(cfg.diagnosis, "age_band_edges")
    with pytest.raises(DataError, match="Unknown setting"):
        cfg.set("diagnosis.age_band_edges", "[0, 30]")
    cfg.set("behaviour.age_band_edges", "[0, 30]")
    assert cfg.behaviour.age_band_edges == [0, 30]
