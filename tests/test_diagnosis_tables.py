"""Sales, promotions, acquisition and demographic segments on a hand-built shop, against
hand-computed values."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from test_diagnosis_bridge import make_warehouse, order

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.stage import diagnosis_tables
from churnlens.segments.stage import run_segments

ORDERS = [
    order("g0", None, "2021-02-10 12:00", 100.0),
    order("o1", "c1", "2022-01-10 12:00", 100.0, promo="A", discount=10.0),
    order("o2", "c1", "2022-01-20 12:00", 50.0),
    order("o4", "c2", "2022-02-03 12:00", 200.0),
    order("o5", "c2", "2022-02-03 11:55", 200.0, status="failed"),
    order("g1", None, "2022-03-01 12:00", 20.0),
    order("o3", "c1", "2022-03-15 12:00", 30.0, promo="B", discount=30.0),
]
CUSTOMERS = [
    {"customer_id": "c1", "gender": "F", "birth_date": date(1990, 6, 1), "signup_ts": datetime(2022, 1, 5), "region": "Bali", "device_type": "iOS"},
    {"customer_id": "c2", "gender": "M", "birth_date": date(2000, 3, 20), "signup_ts": datetime(2022, 2, 1), "region": "Bali", "device_type": "Android"},
    {"customer_id": "c3", "gender": "F", "signup_ts": datetime(2022, 2, 10), "region": "Jakarta Raya", "device_type": "Android"},
]  # fmt: skip
ITEMS = [
    {"order_id": "o1", "line_no": 1, "product_id": "p1", "quantity": 2.0, "unit_price": 55.0},
    {"order_id": "o2", "line_no": 1, "product_id": "p2", "quantity": 1.0, "unit_price": 50.0},
    {"order_id": "o3", "line_no": 1, "product_id": "p1", "quantity": 3.0, "unit_price": 20.0},
    {"order_id": "o4", "line_no": 1, "product_id": "p2", "quantity": 4.0, "unit_price": 50.0},
]
PRODUCTS = [{"product_id": "p1", "category_l1": "Apparel"}, {"product_id": "p2", "category_l1": "Footwear"}]
EVENTS = [
    {
        "event_id": f"e{i}",
        "session_id": s,
        "customer_id": c,
        "event_ts": datetime(2022, 1, 9 + i),
        "event_type": "home",
    }
    for i, (s, c) in enumerate(
        [("s1", "c1"), ("s1", "c1"), ("s2", "c1"), ("s3", "c2"), ("s4", "c3"), ("s5", None)]
    )
]


@pytest.fixture(scope="module")
def shop():
    wh = make_warehouse(ORDERS, customers=CUSTOMERS, order_items=ITEMS, products=PRODUCTS, events=EVENTS)
    cfg = ChurnlensConfig()
    cfg.set("diagnosis.bridge_months", "1")
    tables, p, priced = diagnosis_tables(wh, cfg)
    frames = {k: (v if isinstance(v, pd.DataFrame) else v.to_pandas()) for k, v in tables.items()}
    return wh, cfg, frames, p


def test_periods_are_the_last_full_month_and_the_one_before(shop):
    _, _, _, p = shop
    assert (p.base_start, p.current_start, p.current_end) == (
        date(2022, 1, 1),
        date(2022, 2, 1),
        date(2022, 3, 1),
    )


def test_sales_monthly(shop):
    m = shop[2]["sales_monthly"].set_index("period_start")
    assert [str(d.date()) for d in m.index] == ["2021-02-01", "2022-01-01", "2022-02-01", "2022-03-01"]
    jan, feb, mar = (m.loc[pd.Timestamp(d)] for d in ("2022-01-01", "2022-02-01", "2022-03-01"))
    assert (jan.revenue, jan.orders, jan.buyers, jan.aov, jan.failed_orders) == (150.0, 2, 1, 75.0, 0)
    assert (feb.revenue, feb.orders, feb.failed_orders, feb.failed_share) == (200.0, 1, 1, 0.5)
    assert (mar.revenue, mar.orders, mar.buyers) == (50.0, 2, 1)  # the guest order has no buyer
    assert pd.isna(jan.revenue_mom) and pd.isna(jan.revenue_yoy)
    assert feb.revenue_mom == pytest.approx(200 / 150 - 1) and feb.revenue_yoy == pytest.approx(1.0)
    assert mar.revenue_mom == pytest.approx(-0.75)
    assert set(m.unit) == {"money"} and m.revenue_value.tolist() == [10000, 15000, 20000, 5000]


def test_sales_weekly_start_on_monday_and_daily(shop):
    w = shop[2]["sales_weekly"]
    assert [str(d.date()) for d in w.period_start][:3] == ["2021-02-08", "2022-01-10", "2022-01-17"]
    assert w.revenue.sum() == 500.0
    d = shop[2]["sales_daily"].set_index("period_start")
    assert d.loc[pd.Timestamp("2022-02-03"), "failed_orders"] == 1 and len(d) == 6


def test_category_sales(shop):
    c = shop[2]["category_sales_monthly"]
    jan = c[c.month == pd.Timestamp("2022-01-01")].set_index("category")
    assert jan.item_revenue.to_dict() == {"Apparel": 110.0, "Footwear": 50.0}
    assert jan.loc["Apparel", "share_of_month"] == pytest.approx(110 / 160)
    assert jan.loc["Apparel", "items"] == 2.0 and jan.loc["Footwear", "orders"] == 1


def test_promotions(shop):
    f = shop[2]
    a = f["promo_audience"]
    a = a[a.period == "all"].set_index("audience")
    assert a.orders.to_dict() == {"first_month": 3, "guest": 2, "loyal": 1}
    assert a.promo_orders.to_dict() == {"first_month": 1, "guest": 0, "loyal": 1}
    assert a.loc["first_month", "share_of_discount"] == pytest.approx(0.25)
    assert a.loc["loyal", "share_of_promo_revenue"] == pytest.approx(30 / 130)
    codes = f["promo_codes"]
    codes = codes[codes.period == "all"].set_index("promo_code")
    assert codes.discount_depth.to_dict() == pytest.approx({"A": 10 / 110, "B": 0.5})
    assert codes.share_of_promo_orders.to_dict() == {"A": 0.5, "B": 0.5}
    r = f["promo_repurchase"]
    r = r[r.audience == "all"].set_index("order_type")
    assert r.orders.to_dict() == {"full_price": 2, "promo": 1}  # o3 and guests are not judged
    assert r.repurchase_rate.to_dict() == {"full_price": 0.0, "promo": 1.0}
    roi = f["promo_roi"].iloc[0]
    assert (roi.promo_orders, roi.eligible_promo_orders, roi.discount_cost) == (2, 1, 40.0)
    assert roi.aov == pytest.approx(500 / 6) and roi.incremental_revenue == pytest.approx(500 / 6)
    assert roi.net == pytest.approx(500 / 6 - 40)
    u = f["promo_usage"]
    wd = u[(u.period == "all") & (u.dimension == "weekday")].set_index("segment")
    assert (
        wd.loc["Monday", "promo_orders"] == 1 and wd.loc["Tuesday", "promo_orders"] == 1
    )  # 2022-01-10, 03-15
    g = u[(u.period == "all") & (u.dimension == "gender")].set_index("segment")
    assert g.orders.to_dict() == {"F": 3, "M": 1, "unknown": 2}
    assert g.loc["F", "promo_share"] == pytest.approx(2 / 3)
    seg = u[(u.period == "current") & (u.dimension == "segment")]
    assert seg.orders.sum() == 1  # February: c2, new in the period, has no segment yet
    assert set(u[u.period == "all"].dimension) == {"age_band", "gender", "weekday"}


def test_acquisition(shop):
    a = shop[2]["acquisition_monthly"].set_index("month")
    assert a.signups.tolist() == [1, 2] and a.first_buyers.tolist() == [1, 1]
    assert a.signups_who_buy.tolist() == [1, 1] and a.buy_share.tolist() == [1.0, 0.5]


def test_demographic_segments(shop):
    wh, cfg, _, _ = shop
    out = run_segments(wh, cfg)
    d = out["demographic_segments"].to_pandas().set_index(["dimension", "segment"])
    f = d.loc[("gender", "F")]
    assert (f.customers, f.buyers, f.visits, f.orders) == (2, 1, 3, 3)
    assert (f.buyer_share, f.visits_per_customer, f.purchase_conversion) == (0.5, 1.5, 1.0)
    assert (f.revenue, f.aov, f.items_per_order, f.revenue_per_customer) == (180.0, 60.0, 2.0, 90.0)
    assert d.loc[("age_band", "25-34"), "customers"] == 1 and d.loc[("age_band", "18-24"), "revenue"] == 200.0
    assert d.loc[("age_band", "unknown"), "buyers"] == 0
    assert d.loc[("all", "all"), ["customers", "buyers", "visits", "orders"]].tolist() == [3, 2, 4, 4]
    assert d.loc[("region", "Bali"), "customers"] == 2 and d.loc[("device", "iOS"), "revenue"] == 180.0
    s = out["segment_summary"].to_pandas()
    assert s.customers.sum() == 2 and s.monetary.sum() == 380.0
