"""Revenue bridge: a hand-computed example, and parts that add up exactly on random shops."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, timedelta

from conftest import canonical
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens.config import ChurnlensConfig, DiagnosisConfig
from churnlens.diagnosis.bridge import COMPONENTS, bridge_exprs, bridge_frames, bridge_tables
from churnlens.diagnosis.periods import Periods, last_full_month, periods
from churnlens.segments.paid_orders import paid_orders
from churnlens.segments.rfm import rfm
from churnlens.warehouse import Warehouse


def order(oid, cust, ts, amount, status="paid", promo=None, discount=0.0) -> dict:
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts)
    return {
        "order_id": oid,
        "customer_id": cust,
        "order_ts": ts,
        "status": status,
        "items_amount": amount + discount,
        "discount_amount": discount,
        "shipping_amount": 0.0,
        "total_amount": amount,
        "promo_code": promo,
    }


def make_warehouse(orders: list[dict], wh: Warehouse | None = None, **tables: list[dict]) -> Warehouse:
    """An in-memory warehouse holding the given canonical tables."""
    wh = wh or Warehouse()
    wh.write("orders", canonical("orders", orders))
    for name, rows in tables.items():
        wh.write(name, canonical(name, rows))
    return wh


HAND = [
    order("a0", "A", "2022-01-10 10:00", 100.0),
    order("a1", "A", "2022-06-15 10:00", 50.0),
    order("a2", "A", "2022-06-16 10:00", 999.0, status="failed"),
    order("b0", "B", "2022-04-01 00:00", 100.0),
    order("b1", "B", "2022-05-31 23:59:59", 100.0),
    order("b2", "B", "2022-07-01 09:00", 150.0),
    order("c0", "C", "2022-05-02 09:00", 80.0),
    order("d0", "D", "2022-07-31 10:00", 30.10),
    order("e0", "E", "2022-04-20 09:00", 10.0),
    order("e1", "E", "2022-06-01 00:00", 10.0),
    order("e2", "E", "2022-06-20 09:00", 10.0),
    order("e3", "E", "2022-07-20 09:00", 5.0),
    order("g0", None, "2022-05-20 09:00", 20.0),
    order("old", "F", "2022-03-31 23:59:59", 70.0),
]


def run_bridge(wh: Warehouse, p: Periods | None = None):
    cfg = ChurnlensConfig()
    orders = wh.table("orders")
    paid = paid_orders(orders, None, True)
    if p is None:
        row = orders.aggregate(a=orders.order_ts.min(), b=orders.order_ts.max()).to_pandas().iloc[0]
        p = periods(row["a"], row["b"], cfg.diagnosis)
    seg = rfm(paid, p.cutoff, cfg.rfm, True).select("customer_id", "segment")
    return bridge_tables(paid, seg, p, True), p


def test_periods_default_to_last_two_full_months():
    p = periods(datetime(2020, 1, 1), datetime(2022, 7, 31, 23), DiagnosisConfig())
    assert (p.base_start, p.current_start, p.current_end) == (
        date(2022, 4, 1),
        date(2022, 6, 1),
        date(2022, 8, 1),
    )
    p = periods(datetime(2010, 1, 1), datetime(2011, 12, 9, 12), DiagnosisConfig())
    assert (p.base_start, p.base_end, p.current_end) == (
        date(2011, 8, 1),
        date(2011, 10, 1),
        date(2011, 12, 1),
    )
    assert p.label("current") == "2011-10..2011-11"
    assert last_full_month(datetime(2022, 2, 28, 1)) == date(2022, 2, 1)
    p = periods(datetime(2020, 1, 1), datetime(2022, 7, 31), DiagnosisConfig(current_end_month="2021-01"))
    assert (p.base_start, p.current_start, p.current_end) == (
        date(2020, 10, 1),
        date(2020, 12, 1),
        date(2021, 2, 1),
    )


def test_hand_computed_bridge():
    (comp, by_seg), p = run_bridge(make_warehouse(HAND))
    assert p.label("base") == "2022-04..2022-05"
    got = dict(zip(comp.component, comp.change_value, strict=True))
    assert got == {
        "new": 3010,  # D
        "reactivated": 5000,  # A
        "returning_more_orders": 2000,  # E: (3 - 1) x 10.00
        "returning_fewer_orders": -10000,  # B: (1 - 2) x 100.00
        "returning_higher_value": 5000,  # B: 150 - 200 + 100
        "returning_lower_value": -500,  # E: 25 - 10 - 20
        "lost": -8000,  # C
        "guest_orders": -2000,
        "total": -5490,
    }
    total = comp.set_index("component").loc["total"]
    assert (total.base_value, total.current_value) == (31000, 25510)
    assert abs(total.change - (-54.90)) < 1e-9
    customers = dict(zip(comp.component, comp.customers, strict=True))
    assert customers["new"] == 1 and customers["lost"] == 1 and customers["reactivated"] == 1
    assert customers["returning_fewer_orders"] == 1 and customers["returning_more_orders"] == 1
    # by segment: every segment's parts add up to its total, and the totals to the change
    parts = by_seg[by_seg.component != "total"].groupby("segment").change_value.sum()
    totals = by_seg[by_seg.component == "total"].set_index("segment").change_value
    assert parts.sort_index().tolist() == totals.sort_index().tolist()
    assert totals.sum() == -5490
    assert by_seg[by_seg.component == "total"].segment_rank.tolist() == sorted(
        by_seg[by_seg.component == "total"].segment_rank
    )
    first = by_seg[by_seg.segment_rank == 1].iloc[0]
    assert totals[first.segment] == totals.min()  # a fall: the most negative segment ranks first
    assert set(by_seg.segment) >= {"new_customer", "guests"}


def test_bridge_of_items_without_prices():
    rows = [dict(o, total_amount=None, items_amount=None) for o in HAND[:3]]
    items = [
        {"order_id": "a0", "line_no": 1, "product_id": "p", "quantity": 3.0},
        {"order_id": "a1", "line_no": 1, "product_id": "p", "quantity": 2.0},
        {"order_id": "a1", "line_no": 2, "product_id": "q", "quantity": 1.0},
    ]
    wh = make_warehouse(rows, order_items=items)
    orders = wh.table("orders")
    paid = paid_orders(orders, wh.table("order_items"), False)
    p = Periods(date(2022, 4, 1), date(2022, 6, 1), date(2022, 6, 1), date(2022, 8, 1))
    seg = rfm(paid, p.cutoff, ChurnlensConfig().rfm, False).select("customer_id", "segment")
    comp, _ = bridge_tables(paid, seg, p, False)
    got = comp.set_index("component")
    assert got.loc["reactivated", "change_value"] == 3 and got.loc["total", "change_value"] == 3
    assert set(comp.unit) == {"items"}


START = datetime(2022, 1, 1)
order_rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 7)),  # customer, None = guest
        st.integers(0, 211),  # day
        st.integers(0, 86399),  # second of the day
        st.floats(0, 5000, allow_nan=False).map(lambda x: round(x, 3)),  # amounts with sub-cent noise
        st.sampled_from(["paid", "paid", "paid", "failed", "cancelled"]),
    ),
    min_size=1,
    max_size=40,
)


PROPERTY_WH = Warehouse()


@functools.cache
def bridge_sql(months: int) -> tuple[Periods, dict[str, str]]:
    """The bridge's SQL for the fixed periods of the property test, compiled once: Ibis
    compiles slower than DuckDB runs it on these tiny shops."""
    p = periods(
        START, datetime(2022, 7, 31), DiagnosisConfig(bridge_months=months, current_end_month="2022-07")
    )
    make_warehouse(HAND, PROPERTY_WH)
    paid = paid_orders(PROPERTY_WH.table("orders"), None, True)
    seg = rfm(paid, p.cutoff, ChurnlensConfig().rfm, True).select("customer_id", "segment")
    return p, {k: str(PROPERTY_WH.con.compile(e)) for k, e in bridge_exprs(paid, seg, p).items()}


def cents(amount: float) -> int:
    """Half away from zero, as the engines round."""
    return int(math.copysign(math.floor(abs(amount) * 100 + 0.5), amount))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=order_rows, months=st.integers(1, 3))
def test_bridge_parts_add_up_exactly(rows, months):
    p, sql = bridge_sql(months)
    orders = [
        order(
            f"o{i}", None if c is None else f"c{c}", START + timedelta(days=d, seconds=s), amt, status=status
        )
        for i, (c, d, s, amt, status) in enumerate(rows)
    ]
    make_warehouse(orders, PROPERTY_WH)
    frames = {k: PROPERTY_WH.con.con.execute(q).df() for k, q in sql.items()}
    comp, by_seg = bridge_frames(frames["wide"], frames["guests"], frames["totals"], p, True)

    def period_cents(s, e):
        return sum(
            cents(o["total_amount"])
            for o in orders
            if o["status"] == "paid" and p.ts(s) <= o["order_ts"] < p.ts(e)
        )

    total = period_cents(p.current_start, p.current_end) - period_cents(p.base_start, p.base_end)
    got = comp.set_index("component").change_value
    assert got["total"] == total
    assert int(got[list(COMPONENTS)].sum()) == total
    assert int(by_seg[by_seg.component != "total"].change_value.sum()) == total
    assert int(by_seg[by_seg.component == "total"].change_value.sum()) == total
    # every returning customer's split is exact too: parts of each segment add to its total
    parts = by_seg[by_seg.component != "total"].groupby("segment").change_value.sum()
    seg_tot = by_seg[by_seg.component == "total"].set_index("segment").change_value
    assert (parts.sort_index() == seg_tot.sort_index()).all()
