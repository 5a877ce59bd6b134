"""RFM: quantile grades with deterministic ties, edge cases, named segments, items fallback."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diagnosis_bridge import make_warehouse, order

from churnlens.config import ChurnlensConfig, RFMConfig
from churnlens.errors import DataError
from churnlens.segments.paid_orders import paid_orders
from churnlens.segments.rfm import grade, rfm, segment_of, segment_summary

CUTOFF = datetime(2022, 8, 1)
CON = ibis.duckdb.connect()


def grades(values: list, g: int, higher_is_better: bool = True) -> list[int]:
    t = ibis.memtable(pd.DataFrame({"i": range(len(values)), "v": values}))
    out = t.mutate(g=grade(t.v, g, higher_is_better)).order_by("i")
    return CON.execute(out)["g"].tolist()


def expected_grades(values: list, g: int) -> list[int]:
    """Independent: 1 + floor(g * (customers with a strictly lower value) / n)."""
    below = pd.Series(values).rank(method="min").astype(int) - 1
    return [1 + (g * int(b)) // len(values) for b in below]


def scored(orders: list[dict], cfg: RFMConfig | None = None, items: list[dict] | None = None) -> pd.DataFrame:
    kw = {"order_items": items} if items else {}
    wh = make_warehouse(orders, **kw)
    priced = items is None
    paid = paid_orders(wh.table("orders"), wh.table("order_items") if items else None, priced)
    return rfm(paid, CUTOFF, cfg or RFMConfig(), priced).to_pandas().set_index("customer_id").sort_index()


def test_grades_by_quantile_with_ties_sharing_the_lowest_grade():
    assert grades([1, 1, 1, 2, 5], 2) == [1, 1, 1, 2, 2]
    assert grades(list(range(10)), 5) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert grades([3, 1, 2], 3) == [3, 1, 2]
    # recency: fewer days is better
    assert grades([0, 10, 100], 3, higher_is_better=False) == [3, 2, 1]


def test_all_equal_values_and_a_single_customer_get_grade_one():
    assert grades([7, 7, 7, 7], 5) == [1, 1, 1, 1]
    assert grades([7], 3) == [1]
    one = scored([order("o1", "A", "2022-07-31 10:00", 10.0)])
    assert one.loc["A", ["r_score", "f_score", "m_score"]].tolist() == [1, 1, 1]
    assert one.loc["A", "recency_days"] == 0 and one.loc["A", "segment"] == "lost"


def test_customers_with_one_order_share_the_lowest_frequency_grade():
    orders = [order(f"o{i}", c, "2022-07-01 10:00", 10.0 * (i + 1)) for i, c in enumerate("ABCDE")]
    orders += [order("x1", "E", "2022-07-02 10:00", 5.0), order("x2", "D", "2022-07-03 10:00", 5.0)]
    s = scored(orders)
    assert s.frequency.to_dict() == {"A": 1, "B": 1, "C": 1, "D": 2, "E": 2}
    assert s.f_score.to_dict() == {"A": 1, "B": 1, "C": 1, "D": 2, "E": 2}


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=30), g=st.integers(1, 6))
def test_grades_match_an_independent_computation(values, g):
    got = grades(values, g)
    assert got == expected_grades(values, g)
    assert all(1 <= x <= g for x in got)
    for a, ga in zip(values, got, strict=True):  # monotone, ties equal
        for b, gb in zip(values, got, strict=True):
            if a <= b:
                assert ga <= gb


def test_rfm_values_at_the_cutoff():
    orders = [
        order("a1", "A", "2022-07-31 23:00", 100.0),
        order("a2", "A", "2022-06-01 10:00", 50.0),
        order("a3", "A", "2022-08-01 00:00", 999.0),  # at the cutoff: not counted
        order("a4", "A", "2022-07-15 10:00", 999.0, status="cancelled"),
        order("b1", "B", "2022-05-02 10:00", 20.0),
        order("g1", None, "2022-07-02 10:00", 20.0),
    ]
    s = scored(orders)
    assert list(s.index) == ["A", "B"]
    assert s.loc["A", ["recency_days", "frequency", "monetary", "monetary_value"]].tolist() == [
        0,
        2,
        150.0,
        15000,
    ]
    assert s.loc["B", ["recency_days", "frequency", "monetary"]].tolist() == [
        90,
        1,
        20.0,
    ]  # 90 days and 14 hours
    assert set(s.monetary_unit) == {"money"} and (s.cutoff == CUTOFF).all()
    # two customers: the better one beats one of two, 1 + floor(3 * 1 / 2) = R2
    assert s.loc["A", "rfm_code"] == "222" and s.loc["A", "segment"] == "loyal"
    assert s.loc["B", "rfm_code"] == "111" and s.loc["B", "segment"] == "lost"


R3F2M2 = {
    "322": "champions",
    "321": "loyal",
    "222": "loyal",
    "221": "loyal",
    "312": "potential_loyalists",
    "212": "potential_loyalists",
    "311": "new",
    "122": "cant_lose",
    "121": "at_risk",
    "112": "at_risk",
    "211": "hibernating",
    "111": "lost",
}


def test_default_segment_rules_on_every_r3f2m2_code():
    rules = RFMConfig().segment_rules
    codes = list(R3F2M2)
    t = ibis.memtable(pd.DataFrame({"code": codes}))
    r = (t.code.substr(0, 1).cast("int64") - 1).cast("float64") / 2
    f = (t.code.substr(1, 1).cast("int64") - 1).cast("float64")
    m = (t.code.substr(2, 1).cast("int64") - 1).cast("float64")
    got = CON.execute(t.mutate(seg=segment_of(r, f, m, rules)))
    assert dict(zip(got.code, got.seg, strict=True)) == R3F2M2


def test_five_grades_and_custom_rules():
    base = datetime(2022, 7, 31, 12)
    orders = []
    for i in range(10):  # customer i: i+1 orders of 10 each, last one i days ago
        for k in range(i + 1):
            orders.append(order(f"o{i}_{k}", f"c{i}", base - timedelta(days=9 - i + k * 0), 10.0))
    cfg = RFMConfig(recency_grades=5, frequency_grades=5, monetary_grades=5)
    cfg.segment_rules = [["top", 1, 1, 1, 1, 1, 1], ["rest", 0, 1, 0, 1, 0, 1]]
    s = scored(orders, cfg)
    assert s.f_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s.r_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s.segment.tolist() == ["rest"] * 8 + ["top"] * 2
    summary = segment_summary(
        rfm(paid_orders(make_warehouse(orders).table("orders"), None, True), CUTOFF, cfg, True)
    )
    summary = summary.to_pandas().set_index("segment")
    assert summary.loc["top", "customers"] == 2 and abs(summary.customer_share.sum() - 1) < 1e-12
    assert abs(summary.loc["top", "monetary_share"] - 190 / 550) < 1e-12


def test_malformed_rules_and_grades_are_data_errors():
    orders = [order("o1", "A", "2022-07-31 10:00", 10.0)]
    with pytest.raises(DataError, match="segment rule"):
        scored(orders, RFMConfig(segment_rules=[["x", 0, 1]]))
    with pytest.raises(DataError, match="at least 1"):
        scored(orders, RFMConfig(recency_grades=0))


def test_monetary_falls_back_to_items_without_prices():
    orders = [dict(order("o1", "A", "2022-07-01 10:00", 0.0), total_amount=None, items_amount=None)]
    orders.append(dict(order("o2", "B", "2022-07-02 10:00", 0.0), total_amount=None, items_amount=None))
    items = [
        {"order_id": "o1", "line_no": 1, "product_id": "p", "quantity": 2.0},
        {"order_id": "o1", "line_no": 2, "product_id": "q", "quantity": 3.0},
        {"order_id": "o2", "line_no": 1, "product_id": "p", "quantity": 1.0},
    ]
    s = scored(orders, items=items)
    assert s.monetary.to_dict() == {"A": 5.0, "B": 1.0}
    assert set(s.monetary_unit) == {"items"} and s.m_score.to_dict() == {"A": 2, "B": 1}


def test_config_loads_grades_and_rules_from_toml(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text(
        '[rfm]\nrecency_grades = 5\nsegment_rules = [["all", 0, 1, 0, 1, 0, 1]]\n[diagnosis]\nbridge_months = 3\n'
    )
    cfg = ChurnlensConfig.from_toml(f)
    assert cfg.rfm.recency_grades == 5 and cfg.rfm.segment_rules == [["all", 0, 1, 0, 1, 0, 1]]
    assert cfg.diagnosis.bridge_months == 3
    cfg.set("diagnosis.high_value_segments", '["champions"]')
    assert cfg.diagnosis.high_value_segments == ["champions"]
