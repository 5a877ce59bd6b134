"""Playbook rules, expected values and campaign totals on hand-built customer tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.config import ChurnConfig, PlaybookConfig
from churnlens.errors import DataError
from churnlens.playbook import campaign, rules

CFG = PlaybookConfig(high_value_quantile=0.5)


def customers() -> pd.DataFrame:
    """Shaped like customer_scores joined with the order facts; one customer per default rule."""
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "churn_probability": [0.9, 0.8, 0.5, 0.1, 0.1, 0.95],
            "risk_band": ["high", "high", "medium", "low", "low", "high"],
            "value": [1000.0, 10.0, 50.0, 900.0, 20.0, 2000.0],
            "days_since_last_order": [40.0, 30.0, 20.0, 10.0, 5.0, 200.0],
            "promo_share": [1.0, 0.0, 0.0, 0.0, 0.9, 0.0],
            "segment": ["cant_lose", "at_risk", "loyal", "champions", "new", "lost"],
        }
    )


def assigned(df: pd.DataFrame, cfg: PlaybookConfig = CFG, order_value: float = 50.0) -> pd.DataFrame:
    """Actions and values; contacts priced in shares of a median order of 50.0."""
    flags = rules.customer_flags(df, cfg, ChurnConfig())
    parsed = rules.parse_rules(cfg.rules, cfg)
    return campaign.expected_values(rules.assign_actions(flags, parsed), cfg, order_value)


def test_default_rules_by_hand():
    a = assigned(customers()).set_index("customer_id")
    # high-value threshold: median of 10, 20, 50, 900, 1000, 2000 = 475
    assert a.high_value_threshold.iloc[0] == pytest.approx(475.0)
    assert a.action.to_dict() == {
        "c1": "winback_personal",
        "c2": "reminder_auto",
        "c3": "nurture",
        "c4": "loyalty_reward",
        "c5": "no_action",
        "c6": "reactivation",
    }
    assert a.rule.to_dict() == {"c1": 2, "c2": 3, "c3": 4, "c4": 5, "c5": 6, "c6": 1}
    assert a.loc["c1", "reason"].startswith(
        "winback_personal because risk=high & value=high: risk high (P(churn) 0.90)"
    )
    assert "promo sensitive" in a.loc["c1", "reason"] and "segment cant_lose" in a.loc["c1", "reason"]
    assert a.loc["c1", "reason_ko"] == (
        "개인 맞춤 윈백 (위험도 높음 · 가치 높음): 위험도 높음 (이탈 확률 0.90), 가치 높음 (1,000), "
        "마지막 주문 40일 전, 프로모션 민감, 세그먼트 cant_lose"
    )
    assert a.loc["c5", "reason_ko"].startswith("조치 없음 (앞의 규칙에 해당하지 않음): ")
    assert a.loc["c6", "reason_ko"].startswith("재활성화 (휴면): ")
    # discounts: only promo-sensitive customers of discount actions; c5 buys anyway
    assert a.offer_discount.to_dict() == {f"c{i}": i == 1 for i in range(1, 7)}


def test_expected_value_by_hand():
    a = assigned(customers()).set_index("customer_id")
    # c1: 0.9 x 1000 at stake, 25 % saved, contact 0.1 of a 50.0 order = 5.0
    assert a.loc["c1", "revenue_at_stake"] == pytest.approx(900.0)
    assert a.loc["c1", "expected_saved_revenue"] == pytest.approx(225.0)
    assert a.loc["c1", "expected_value"] == pytest.approx(220.0)
    # c6: 0.95 x 2000 x 0.05 - 0.01 x 50.0
    assert a.loc["c6", "expected_value"] == pytest.approx(0.95 * 2000 * 0.05 - 0.5)
    assert a.loc["c5", "expected_value"] == 0.0 and a.loc["c5", "contact_cost"] == 0.0
    # the same default costs in a currency whose typical order is 500,000 (Rupiah, say)
    rp = assigned(customers(), order_value=500_000.0).set_index("customer_id")
    assert rp.loc["c1", "contact_cost"] == pytest.approx(50_000.0)
    # or amounts in the shop's currency, as given
    fixed = PlaybookConfig(high_value_quantile=0.5, contact_cost_unit="currency")
    cur = assigned(customers(), fixed, order_value=500_000.0).set_index("customer_id")
    assert cur.loc["c1", "contact_cost"] == pytest.approx(0.1)
    with pytest.raises(DataError, match="contact cost unit"):
        assigned(customers(), PlaybookConfig(contact_cost_unit="euro"))


def test_campaign_totals_are_the_sums_of_customers():
    a = assigned(customers())
    s = campaign.campaign_summary(a).set_index("action")
    assert s.customers.sum() == len(a) == a.customer_id.nunique()
    for col, src in [
        ("revenue_at_stake", "revenue_at_stake"),
        ("expected_saved_revenue", "expected_saved_revenue"),
        ("cost", "contact_cost"),
        ("expected_value", "expected_value"),
    ]:
        assert s[col].sum() == pytest.approx(a[src].sum())
    assert s.loc["winback_personal", "roi"] == pytest.approx((225.0 - 5.0) / 5.0)
    assert np.isnan(s.loc["no_action", "roi"])
    assert s.loc["winback_personal", "discount_offers"] == 1


def test_risk_from_probability_without_band():
    df = customers().drop(columns=["risk_band"])
    a = assigned(df).set_index("customer_id")
    # ChurnConfig: high >= 0.7, medium >= 0.4
    assert a.risk.to_dict() == {
        "c1": "high",
        "c2": "high",
        "c3": "medium",
        "c4": "low",
        "c5": "low",
        "c6": "high",
    }


def test_custom_rules_with_segment_and_negation():
    cfg = PlaybookConfig(
        high_value_quantile=0.5,
        rules=["vip_call: segment=champions", "coupon: promo_sensitive & not risk=high", "nothing: *"],
        save_rates={"vip_call": 0.1, "coupon": 0.2, "nothing": 0.0},
        contact_costs={"vip_call": 3.0, "coupon": 1.0, "nothing": 0.0},
        discount_actions=["coupon"],
    )
    a = assigned(customers(), cfg).set_index("customer_id")
    assert a.action.to_dict() == {
        "c1": "nothing",
        "c2": "nothing",
        "c3": "nothing",
        "c4": "vip_call",
        "c5": "coupon",
        "c6": "nothing",
    }
    assert bool(a.loc["c5", "offer_discount"])


@pytest.mark.parametrize(
    "bad, message",
    [
        (["a: risk=high"], "last playbook rule"),
        (["a: risk=huge", "b: *"], "unknown condition"),
        (["a risk=high", "b: *"], "must read"),
        (["a: dormant=yes", "b: *"], "unknown condition"),
    ],
)
def test_bad_rules_are_data_errors(bad, message):
    with pytest.raises(DataError, match=message):
        rules.parse_rules(bad)


def test_every_action_needs_a_rate_and_a_cost():
    with pytest.raises(DataError, match="save_rates"):
        rules.parse_rules(["mystery: *"], PlaybookConfig())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.floats(0, 5000),
            st.floats(0, 400),
            st.one_of(st.none(), st.floats(0, 1)),
            st.sampled_from([None, "high", "medium", "low", "weird"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_one_action_per_customer_and_totals_add_up(rows):
    df = pd.DataFrame(
        rows, columns=["churn_probability", "value", "days_since_last_order", "promo_share", "risk_band"]
    )
    df.insert(0, "customer_id", [f"u{i}" for i in range(len(df))])
    a = assigned(df, PlaybookConfig())
    assert len(a) == len(df) and a.customer_id.is_unique
    assert a.action.notna().all() and set(a.action) <= {r.split(":")[0] for r in PlaybookConfig().rules}
    s = campaign.campaign_summary(a)
    assert s.customers.sum() == len(df)
    assert s.expected_value.sum() == pytest.approx(a.expected_value.sum(), abs=1e-6)
    assert s.revenue_at_stake.sum() == pytest.approx(a.revenue_at_stake.sum(), abs=1e-6)
    assert (a.offer_discount <= a.promo_sensitive).all()
