"""Findings: the planted cause of a declining shop comes out on top; a steady shop has no
decline; texts in English and Korean carry the computed numbers; the stages and the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from test_diagnosis_bridge import make_warehouse, order
from typer.testing import CliRunner

from churnlens import pipeline
from churnlens.cli import app
from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.warehouse import Warehouse

START, END = datetime(2021, 1, 1), datetime(2022, 7, 31, 20)
DECLINE = datetime(2022, 6, 1)


def numpy_shop(scenario: str, seed: int = 0, customers: int = 500, wh: Warehouse | None = None) -> Warehouse:
    """A small fashion shop built with NumPy: a quarter of the customers are loyal big spenders
    (an order every ~12 days), the rest order every ~40 days; sign-ups grow over time. In the
    ``decline`` scenario 70 % of the loyal customers who joined before 2022 stop buying in June
    2022, and from then on promotions go to customers in their first month."""
    rng = np.random.default_rng(seed)
    span = (END - START).total_seconds()
    orders, people, items = [], [], []
    for c in range(customers):
        loyal = c < customers // 4
        u = rng.random()
        signup = START + timedelta(seconds=span * (u**0.7 if loyal else u**0.6) * 0.97)
        if loyal:
            signup = START + timedelta(seconds=span * 0.5 * u)
        gap, spend = (12.0, 600_000.0) if loyal else (40.0, 200_000.0)
        lapse = scenario == "decline" and loyal and signup < datetime(2022, 1, 1) and rng.random() < 0.7
        stop = DECLINE + timedelta(days=float(rng.uniform(0, 10))) if lapse else END
        people.append(
            {
                "customer_id": f"c{c}",
                "gender": "F" if rng.random() < 0.64 else "M",
                "birth_date": datetime(int(rng.integers(1960, 2004)), 6, 1).date(),
                "signup_ts": signup,
                "region": ["Jakarta Raya", "Bali", "Jawa Barat"][int(rng.integers(0, 3))],
                "device_type": "iOS" if rng.random() < 0.23 else "Android",
            }
        )
        t, first = signup + timedelta(days=float(rng.exponential(3))), None
        while t < min(stop, END):
            first = first or t
            new = (t - first).days < 30
            if scenario == "decline" and t >= DECLINE:
                p_promo = 0.8 if new else 0.03
            else:
                p_promo = 0.3
            promo = rng.random() < p_promo
            basket = round(float(rng.lognormal(np.log(spend), 0.3)))
            discount = round(basket * 0.1) if promo else 0
            oid = f"o{len(orders)}"
            orders.append(
                order(
                    oid,
                    f"c{c}",
                    t,
                    float(basket - discount),
                    promo="AZ2022" if promo else None,
                    discount=float(discount),
                )
            )
            items.append(
                {
                    "order_id": oid,
                    "line_no": 1,
                    "product_id": "p1" if loyal else "p2",
                    "quantity": 1.0,
                    "unit_price": float(basket),
                }
            )
            if rng.random() < 0.04:
                orders.append(
                    order(
                        f"f{len(orders)}", f"c{c}", t - timedelta(minutes=5), float(basket), status="failed"
                    )
                )
            t += timedelta(days=float(rng.exponential(gap)))
    products = [
        {"product_id": "p1", "category_l1": "Apparel"},
        {"product_id": "p2", "category_l1": "Footwear"},
    ]
    return make_warehouse(orders, wh, customers=people, order_items=items, products=products)


@pytest.fixture(scope="module")
def decline():
    wh = numpy_shop("decline")
    return wh, run_diagnosis(wh, ChurnlensConfig())


@pytest.fixture(scope="module")
def steady():
    wh = numpy_shop("steady")
    return wh, run_diagnosis(wh, ChurnlensConfig())


def test_decline_names_the_planted_cause_first(decline):
    _, out = decline
    f = out["findings"]
    assert f["rank"].tolist() == list(range(1, len(f) + 1))
    assert f.finding_id.iloc[0] == "revenue_decline"
    assert set(f.finding_id.iloc[1:3]) == {"high_value_lapse", "promo_skew_new"}
    top = f.set_index("finding_id")
    lapse = json.loads(top.loc["high_value_lapse", "numbers"])
    assert "champions" in lapse["segments"] and lapse["share_of_lost_revenue"] >= 0.5
    assert (
        "Champions" in top.loc["high_value_lapse", "text_en"]
        and "챔피언" in top.loc["high_value_lapse", "text_ko"]
    )
    promo = json.loads(top.loc["promo_skew_new", "numbers"])
    assert promo["share_of_discount_first_month"] > promo["share_of_orders_first_month"] * 1.5
    assert "first month" in top.loc["promo_skew_new", "text_en"]
    assert top.loc["revenue_decline", "text_en"].startswith("Revenue fell ")
    assert "June–July 2022" in top.loc["revenue_decline", "text_en"]
    assert (
        "2022년 6–7월" in top.loc["revenue_decline", "text_ko"]
        and "감소" in top.loc["revenue_decline", "text_ko"]
    )
    # the sentence's percentage is the bridge's
    change = json.loads(top.loc["revenue_decline", "numbers"])["change_share"]
    assert f"{abs(change) * 100:.0f} %" in top.loc["revenue_decline", "text_en"]
    bridge = out["revenue_bridge"].set_index("component")
    assert change == pytest.approx(bridge.loc["total", "change_value"] / bridge.loc["total", "base_value"])


def test_steady_shop_reports_no_decline(steady):
    _, out = steady
    f = out["findings"]
    assert "revenue_decline" not in set(f.finding_id) and "high_value_lapse" not in set(f.finding_id)
    assert f.finding_id.iloc[0] in ("revenue_growth", "revenue_stable")
    assert "no decline" in f.text_en.iloc[0] and "감소는 없습니다" in f.text_ko.iloc[0]


def test_thresholds_come_from_the_config(steady):
    wh, _ = steady
    cfg = ChurnlensConfig()
    cfg.set("diagnosis.decline_threshold", "5.0")  # nothing is a decline or growth any more
    cfg.set("diagnosis.max_findings", "1")
    f = run_diagnosis(wh, cfg)["findings"]
    assert f.finding_id.tolist() == ["revenue_stable"]


def test_pipeline_writes_every_table(tmp_path):
    wh = numpy_shop("decline", seed=3, customers=120, wh=Warehouse(tmp_path / "w.duckdb"))
    report = pipeline.run(wh, only=["segments", "diagnosis"])
    expected = {
        "rfm", "segment_summary", "demographic_segments", "sales_daily", "sales_weekly", "sales_monthly",
        "category_sales_monthly", "revenue_bridge", "revenue_bridge_by_segment", "promo_codes", "promo_usage",
        "promo_audience", "promo_repurchase", "promo_roi", "acquisition_monthly", "findings",
    }  # fmt: skip
    assert expected <= set(report.written)
    f = wh.to_pandas("findings")
    assert list(f.columns) == ["rank", "finding_id", "severity", "text_en", "text_ko", "numbers"]
    demo = wh.to_pandas("demographic_segments")
    assert set(demo.dimension) == {"all", "age_band", "gender", "region", "device"}
    wh.close()
    result = CliRunner().invoke(app, ["diagnose", "--db", str(tmp_path / "w.duckdb"), "--lang", "ko"])
    assert result.exit_code == 0, result.output
    assert "매출" in result.output


@pytest.mark.parametrize(
    "rows",
    [
        [order("o1", "A", "2022-07-01 10:00", 10.0, status="failed")],  # no paid order at all
        [order("o1", "A", "2022-07-31 10:00", 10.0), order("o2", None, "2022-07-30 10:00", 5.0)],
    ],
    ids=["only-failed", "one-customer"],
)
def test_tiny_shops_run_and_say_nothing_can_be_compared(rows):
    wh = make_warehouse(rows)
    report = pipeline.run(wh, only=["segments", "diagnosis"])
    assert report.written["revenue_bridge"] == 9 and report.written["findings"] == 1
    f = wh.to_pandas("findings")
    assert f.finding_id.tolist() == ["revenue_stable"] and "no decline can be measured" in f.text_en[0]
