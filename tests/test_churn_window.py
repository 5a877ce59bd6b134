"""The churn window from the shop's own repeat gaps, on hand-built orders."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from churnlens.churn.window import choose_window, gap_summary, repeat_gaps, with_window
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError

D0 = pd.Timestamp("2024-01-01 10:00")


def orders() -> ibis.Table:
    """a every 10 days; b after 40 then 60 days; c twice on day 0 (one purchase day) then 30
    days later; d has one order; a cancelled order of a is ignored.

    Repeat gaps: 10, 10 (a), 40, 60 (b), 30 (c): sorted 10, 10, 30, 40, 60."""
    rows = [
        ("a", 0, "paid"),
        ("a", 10, "paid"),
        ("a", 20, "paid"),
        ("a", 5, "cancelled"),
        ("b", 0, "paid"),
        ("b", 40, "paid"),
        ("b", 100, "paid"),
        ("c", 0, "paid"),
        ("c", 0, "paid"),
        ("c", 30, "paid"),
        ("d", 101, "paid"),
    ]
    df = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "order_ts": [D0 + pd.Timedelta(days=r[1]) for r in rows],
            "status": [r[2] for r in rows],
        }
    )
    return ibis.memtable(df)


def config(**churn) -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    cfg.churn.min_repeat_gaps = 1
    for k, v in churn.items():
        setattr(cfg.churn, k, v)
    return cfg


def test_repeat_gaps_count_purchase_days():
    g = repeat_gaps(orders()).to_pandas()
    assert sorted(g.gap_days.round(6)) == [10, 10, 30, 40, 60]
    s = gap_summary(orders(), [0.9], [25.0])
    # quantile 0.9 of 10, 10, 30, 40, 60: 40 + 0.6 x 20 = 52; 2 of 5 within 25 days
    assert s["n"] == 5 and s["median"] == pytest.approx(30.0)
    assert s["q0.9"] == pytest.approx(52.0) and s["cover25"] == pytest.approx(0.4)


def test_auto_takes_the_shops_window_when_25_days_cover_too_few_gaps():
    w = choose_window(orders(), config()).iloc[0]
    assert w.rule == "shop" and w.window_days == 52 and w.shop_window_days == 52
    assert w.fixed_coverage == pytest.approx(0.4)
    assert "90% of repeat purchases come within 52 days" in w.reason and "only 40.0%" in w.reason
    assert "재구매의 90%가 52일 안에 일어남" in w.reason_ko and "25일 안에는 40.0%뿐" in w.reason_ko
    # base rate: cutoff = midnight of the last order's day (101) - 52 = day 49; a, b, c bought
    # before it, only b (day 100) in the 52 days after it
    assert w.base_rate == pytest.approx(2 / 3) and w.base_rate_customers == 3
    assert w.base_rate_cutoff == "2024-02-19"
    cfg = with_window(config(), choose_window(orders(), config()))
    assert cfg.churn.window_days == 52 and ChurnlensConfig().churn.window_days == 25


def test_auto_keeps_the_fixed_window_when_it_covers_most_gaps():
    w = choose_window(orders(), config(window_days=35)).iloc[0]
    # 10, 10, 30 of 5 gaps within 35 days: 60 % >= 50 %
    assert w.rule == "fixed" and w.window_days == 35 and w.fixed_coverage == pytest.approx(0.6)
    kept = with_window(config(window_days=35), choose_window(orders(), config(window_days=35)))
    assert kept.churn.window_days == 35


def test_forced_rules_and_too_few_gaps():
    assert choose_window(orders(), config(window_rule="fixed")).iloc[0].window_days == 25
    assert choose_window(orders(), config(window_days=35, window_rule="shop")).iloc[0].window_days == 52
    few = choose_window(orders(), config(min_repeat_gaps=6)).iloc[0]
    assert few.rule == "fixed" and few.window_days == 25 and "too few repeat purchases (5)" in few.reason
    assert "재구매가 너무 적어(5건)" in few.reason_ko
    nogap = choose_window(orders(), config(), relative_time=True).iloc[0]
    assert nogap.rule == "next-gap" and nogap.window_days == 30
    with pytest.raises(DataError, match="window rule"):
        choose_window(orders(), config(window_rule="weekly"))
