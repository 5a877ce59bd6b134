"""Event and order funnels on hand-built data with hand-computed step counts."""

from __future__ import annotations

import pandas as pd
import pytest
from test_behaviour_data import canonical, memory

from churnlens.analytics import funnels
from churnlens.analytics.attributes import with_attributes
from churnlens.analytics.sessions import sessionize

STEPS = ["home", "view_item", "add_to_cart", "purchase"]
D = "2021-01-04 "
EVENTS = [
    # session A (customer 1): the whole funnel
    ("a1", "A", "1", D + "10:00:00", "home", "WEB"),
    ("a2", "A", "1", D + "10:01:00", "view_item", "WEB"),
    ("a3", "A", "1", D + "10:03:00", "add_to_cart", "WEB"),
    ("a4", "A", "1", D + "10:07:00", "purchase", "WEB"),
    # session B (customer 2): the cart add before the view does not count
    ("b1", "B", "2", D + "12:00:00", "home", "MOBILE"),
    ("b2", "B", "2", D + "12:01:00", "add_to_cart", "MOBILE"),
    ("b3", "B", "2", D + "12:03:00", "view_item", "MOBILE"),
    # session C (anonymous): a view before home does not count, the one after does
    ("c1", "C", None, D + "13:00:00", "view_item", "WEB"),
    ("c2", "C", None, D + "13:02:00", "home", "WEB"),
    ("c3", "C", None, D + "13:07:00", "view_item", "WEB"),
    # session D (customer 3): never enters
    ("d1", "D", "3", D + "14:00:00", "search", "WEB"),
    ("d2", "D", "3", D + "14:01:00", "view_item", "WEB"),
    # session E (customer 2, after the paid order): step 1 only
    ("e1", "E", "2", "2021-01-20 09:00:00", "home", "WEB"),
]
ORDERS = [
    ("o1", "1", D + "10:07:00", "paid"),
    ("o2", "2", "2021-01-10 08:00:00", "paid"),
    ("o3", "3", "2021-01-11 08:00:00", "failed"),
]


def tables(events=EVENTS, orders=ORDERS):
    ev = list(zip(*events, strict=True))
    od = list(zip(*orders, strict=True))
    return memory(
        {
            "events": canonical(
                "events",
                {
                    "event_id": ev[0],
                    "session_id": ev[1],
                    "customer_id": pd.array(ev[2], dtype="string"),
                    "event_ts": pd.to_datetime(list(ev[3])),
                    "event_type": ev[4],
                    "traffic_source": ev[5],
                },
            ),
            "orders": canonical(
                "orders",
                {
                    "order_id": od[0],
                    "customer_id": od[1],
                    "order_ts": pd.to_datetime(list(od[2])),
                    "status": od[3],
                    "total_amount": [100.0] * len(od[0]),
                },
            ),
            "customers": canonical(
                "customers",
                {
                    "customer_id": ["1", "2", "3"],
                    "gender": ["F", "M", "F"],
                    "birth_date": pd.to_datetime(["2000-01-01", "1980-06-01", "1990-01-01"]).date,
                    "device_type": ["iOS", "Android", "Android"],
                },
            ),
        }
    )


def event_reach(t, unit="session", window=None, steps=STEPS):
    se = sessionize(t["events"])
    return funnels.reach(funnels.event_units(se, unit), steps, window)


def by_step(df):
    return df.sort_values("step").set_index("step")


def test_step_counts_conversion_and_median_times():
    t = tables()
    got = by_step(funnels.step_table(event_reach(t), STEPS, "events").to_pandas())
    assert list(got.units) == [4, 3, 1, 1]
    assert list(got.step_name) == STEPS
    assert got.conversion_from_previous.tolist() == pytest.approx([1, 0.75, 1 / 3, 1])
    assert got.conversion_overall.tolist() == pytest.approx([1, 0.75, 0.25, 0.25])
    # home -> view: A 60 s, B 180 s, C 300 s; view -> cart: A 120 s; cart -> purchase: A 240 s
    assert pd.isna(got.median_s_from_previous[1])
    assert got.median_s_from_previous.loc[2:].tolist() == [180.0, 120.0, 240.0]
    assert set(got.funnel) == {"events"} and set(got.dimension) == {"all"}


def test_breakdowns():
    t = tables()
    reached = with_attributes(event_reach(t), t["customers"], t["orders"])
    df = funnels.breakdown(reached, STEPS, "events", ["gender", "customer_type", "traffic_source", "month"])
    df = df.to_pandas()

    def units(dim, seg):
        return by_step(df[(df.dimension == dim) & (df.segment == seg)]).units.tolist()

    assert units("gender", "F") == [1, 1, 1, 1]
    assert units("gender", "M") == [2, 1, 0, 0]  # B and E
    assert units("gender", "unknown") == [1, 1, 0, 0]  # C
    assert units("customer_type", "returning") == [1, 0, 0, 0]  # E, after customer 2's order
    assert units("customer_type", "new") == [3, 3, 1, 1]
    assert units("traffic_source", "MOBILE") == [1, 1, 0, 0]
    assert units("month", "2021-01") == [4, 3, 1, 1]


def test_nonbuyer_funnel():
    t = tables()
    reached = with_attributes(event_reach(t), t["customers"], t["orders"])
    nb = funnels.nonbuyer_units(reached, t["orders"])
    got = by_step(funnels.step_table(nb, STEPS, "nonbuyers").to_pandas())
    assert list(got.units) == [1, 1, 0, 0]  # only C: customer 3's failed order is no purchase


def test_visitor_funnel_and_conversion_window():
    later = [
        ("f1", "F1", "4", "2021-02-01 10:00:00", "home", "WEB"),
        ("f2", "F1", "4", "2021-02-01 10:01:00", "view_item", "WEB"),
        ("f3", "F2", "4", "2021-02-04 10:00:00", "add_to_cart", "WEB"),
        ("f4", "F2", "4", "2021-02-04 10:05:00", "purchase", "WEB"),
    ]
    t = tables(later)
    session = funnels.step_table(event_reach(t), STEPS, "events").to_pandas()
    assert by_step(session).units.tolist() == [1, 1, 0, 0]
    day = funnels.step_table(event_reach(t, "visitor", 86_400), STEPS, "events").to_pandas()
    assert by_step(day).units.tolist() == [1, 1, 0, 0]
    week = funnels.step_table(event_reach(t, "visitor", 7 * 86_400), STEPS, "events").to_pandas()
    assert by_step(week).units.tolist() == [1, 1, 1, 1]
    assert by_step(week).median_s_from_previous[3] == 3 * 86_400 - 60
    with pytest.raises(ValueError):
        funnels.event_units(sessionize(t["events"]), "month")


ORDER_HISTORY = [
    ("p1", "1", "2021-01-01 10:00:00", "paid"),
    ("p2", "1", "2021-01-11 10:00:00", "paid"),
    ("p3", "1", "2021-01-13 10:00:00", "failed"),
    ("p4", "1", "2021-02-10 10:00:00", "paid"),
    ("p5", "2", "2021-01-05 10:00:00", "paid"),
    ("p6", "3", "2021-01-05 10:00:00", "failed"),
]


def test_order_funnel_on_an_order_only_shop():
    o = tables(orders=ORDER_HISTORY)["orders"]
    steps = funnels.order_steps(3)
    assert steps == ["order_1", "order_2", "order_3"]
    got = by_step(
        funnels.step_table(funnels.reach(funnels.order_units(o, 3), steps), steps, "orders").to_pandas()
    )
    assert list(got.units) == [2, 1, 1]
    assert got.median_s_from_previous.loc[2:].tolist() == [10 * 86_400, 30 * 86_400]
    windowed = funnels.reach(funnels.order_units(o, 3), steps, 20 * 86_400)
    assert by_step(funnels.step_table(windowed, steps, "orders").to_pandas()).units.tolist() == [2, 1, 0]
