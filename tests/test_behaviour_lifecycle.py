"""Cohort retention and lifecycle states on a hand-built order history."""

from __future__ import annotations

import pandas as pd
import pytest
from test_behaviour_data import canonical, memory

from churnlens.analytics.cohorts import cohort_retention
from churnlens.analytics.lifecycle import customer_lifecycle, lifecycle_monthly

# customer, month of 2021, amount, status
ORDERS = [
    ("A", 1, 100.0, "paid"),
    ("A", 1, 50.0, "paid"),
    ("A", 2, 100.0, "paid"),
    ("A", 4, 100.0, "paid"),
    ("D", 1, 250.0, "paid"),
    ("D", 3, 300.0, "paid"),
    ("B", 2, 80.0, "paid"),
    ("B", 3, 80.0, "paid"),
    ("B", 4, 80.0, "failed"),  # not activity
    ("C", 5, 10.0, "paid"),
]


def orders():
    n = len(ORDERS)
    t = canonical(
        "orders",
        {
            "order_id": [f"o{i}" for i in range(n)],
            "customer_id": [o[0] for o in ORDERS],
            "order_ts": [pd.Timestamp(2021, o[1], 10 + i % 5, 12) for i, o in enumerate(ORDERS)],
            "status": [o[3] for o in ORDERS],
            "total_amount": [o[2] for o in ORDERS],
        },
    )
    return memory({"orders": t})["orders"]


def test_customer_lifecycle_states():
    df = customer_lifecycle(orders()).to_pandas()
    got = {(r.customer_id, pd.Timestamp(r.month).month): r.state for r in df.itertuples()}
    assert got == {
        ("A", 1): "new",
        ("A", 2): "returning",
        ("A", 3): "dormant",
        ("A", 4): "resurrected",
        ("A", 5): "dormant",
        ("D", 1): "new",
        ("D", 2): "dormant",
        ("D", 3): "resurrected",
        ("D", 4): "dormant",
        ("B", 2): "new",
        ("B", 3): "returning",
        ("B", 4): "dormant",
        ("C", 5): "new",
    }


def test_lifecycle_monthly_counts():
    df = lifecycle_monthly(customer_lifecycle(orders())).to_pandas()
    got = {(pd.Timestamp(r.month).month, r.state): (r.customers, r.signed_customers) for r in df.itertuples()}
    assert got == {
        (1, "new"): (2, 2),
        (2, "new"): (1, 1),
        (2, "returning"): (1, 1),
        (2, "dormant"): (1, -1),
        (3, "returning"): (1, 1),
        (3, "resurrected"): (1, 1),
        (3, "dormant"): (1, -1),
        (4, "resurrected"): (1, 1),
        (4, "dormant"): (2, -2),
        (5, "new"): (1, 1),
        (5, "dormant"): (1, -1),
    }


def test_cohort_retention_matrices():
    df = cohort_retention(orders()).to_pandas()
    df["cohort"] = pd.to_datetime(df.cohort_month).dt.month
    jan = df[df.cohort == 1].set_index("months_since").sort_index()
    assert jan.index.tolist() == [0, 1, 2, 3]
    assert (jan.cohort_customers == 2).all()
    assert jan.active_customers.tolist() == [2, 1, 1, 1]
    assert jan.retention.tolist() == [1.0, 0.5, 0.5, 0.5]
    assert jan.revenue.tolist() == [400.0, 100.0, 300.0, 100.0]
    assert jan.revenue_retention.tolist() == pytest.approx([1.0, 0.25, 0.75, 0.25])
    feb = df[df.cohort == 2].set_index("months_since").sort_index()
    assert feb.active_customers.tolist() == [1, 1] and feb.revenue.tolist() == [80.0, 80.0]
    assert df[df.cohort == 5].retention.tolist() == [1.0]
