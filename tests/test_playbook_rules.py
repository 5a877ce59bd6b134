"""Playbook rules, expected values and campaign totals on hand-built customer tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.config import PlaybookConfig
from churnlens.errors import DataError
from churnlens.playbook import campaign, rules, sentences, states

CFG = PlaybookConfig(high_value_quantile=0.5)
#: The shop's median gap between purchase days and its return horizon in these tests.
MEDIAN_GAP, HORIZON = 30.0, 180.0


def customers() -> pd.DataFrame:
    """Shaped like customer_scores joined with the order facts; one customer per default rule.

    States (days / own gap, horizon 180 days, P(alive) below 0.2 lapsed): c1 40/20 = 2.0 at
    risk; c2 35/10 = 3.5 lapsing; c3 20/10 = 2.0 at risk; c4 10/30 active; c5 5 days, one
    order (shop gap 30) active; c6 200 days > 180 lapsed; c7 P(alive) 0.1 lapsed.
    """
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
            "churn_probability": [0.9, 0.8, 0.5, 0.1, 0.1, 0.95, 0.01],
            "p_alive": [0.8, 0.6, 0.9, 0.95, 0.99, 0.3, 0.1],
            "value": [1000.0, 10.0, 30.0, 900.0, 20.0, 2000.0, 500.0],
            "value_source": "clv_12m",
            "days_since_last_order": [40.4, 35.0, 20.0, 10.0, 5.0, 200.0, 15.0],
            "mean_gap_days": [20.0, 10.0, 10.0, 30.0, None, 60.0, 10.0],
            "orders": [3, 4, 3, 5, 1, 4, 2],
            "purchase_days": [3, 4, 3, 5, 1, 4, 2],
            "promo_share": [1.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0],
            "segment": ["cant_lose", "at_risk", "loyal", "champions", "new", "lost", "lost"],
        }
    )


def assigned(
    df: pd.DataFrame, cfg: PlaybookConfig = CFG, order_value: float = 50.0, measured: float | None = None
) -> pd.DataFrame:
    """States, actions, values and reasons; contacts priced in shares of a median order of 50.0."""
    if "mean_gap_days" in df:
        shown = states.customer_states(df, cfg, MEDIAN_GAP, HORIZON)
        df = df.drop(columns=[c for c in shown.columns if c in df]).join(shown)
    flags = rules.customer_flags(df, cfg)
    parsed = rules.parse_rules(cfg.rules, cfg)
    out = campaign.expected_values(rules.assign_actions(flags, parsed), cfg, order_value, measured)
    if "state" in df:
        out["reason"] = sentences.reasons(out, "en", 0, 25)
        out["reason_ko"] = sentences.reasons(out, "ko", 0, 25)
    return out


def test_states_by_hand():
    a = assigned(customers()).set_index("customer_id")
    assert a.state.to_dict() == {
        "c1": "at_risk",
        "c2": "lapsing",
        "c3": "at_risk",
        "c4": "active",
        "c5": "active",
        "c6": "lapsed",
        "c7": "lapsed",
    }
    assert a.loc["c1", "days_since_last_order"] == 40 and a.loc["c1", "overdue_ratio"] == 2.0
    assert a.loc["c5", "usual_gap_days"] == MEDIAN_GAP  # one purchase day: the shop's gap
    # P(alive) 0.45 is lapsing, not lapsed; 60.9 days are 60 whole days, 3.0 times a 20-day rhythm:
    # not beyond 3, at risk; 61 days are 3.05 -> 3.1 shown (half up): lapsing
    one = pd.DataFrame(
        {"days_since_last_order": [10.0, 60.9, 61.0], "mean_gap_days": [10.0, 20.0, 20.0], "p_alive": 0.9}
    )
    one.loc[0, "p_alive"] = 0.45
    got = states.customer_states(one, CFG, 30.0, 180.0)
    assert list(got.state) == ["lapsing", "at_risk", "lapsing"] and list(got.overdue_ratio) == [1.0, 3.0, 3.1]


def test_risk_bands_are_thirds_by_rank():
    a = assigned(customers()).set_index("customer_id")
    # ranks of P(churn): c6 .95, c1 .9 | c2 .8, c3 .5 | c4 = c5 .1, c7 .01
    assert a.risk.to_dict() == {
        "c1": "high",
        "c2": "medium",
        "c3": "medium",
        "c4": "low",
        "c5": "low",
        "c6": "high",
        "c7": "low",
    }
    p = pd.Series(np.linspace(0.5, 0.99, 300))
    shares = states.risk_bands(p, CFG).value_counts(normalize=True)
    assert shares.max() < 0.5 and set(shares.index) == {"high", "medium", "low"}


def test_default_rules_by_hand():
    a = assigned(customers()).set_index("customer_id")
    # high-value threshold: median of 10, 20, 30, 500, 900, 1000, 2000 = 500
    assert a.high_value_threshold.iloc[0] == pytest.approx(500.0)
    assert a.considered_action.to_dict() == {
        "c1": "winback_personal",
        "c2": "reminder_auto",
        "c3": "nurture",
        "c4": "loyalty_reward",
        "c5": "no_action",
        "c6": "reactivation",
        "c7": "reactivation",
    }
    # c7: 0.01 x 500 x 5 % = 0.25 saved for a 0.5 contact: not recommended
    assert a.loc["c7", "action"] == "no_action" and a.loc["c7", "considered_value"] == pytest.approx(-0.25)
    assert (a.action == a.considered_action).drop("c7").all()
    assert a.loc["c1", "reason"] == (
        "At risk: last order 40 days ago, 2.0 times their usual 20 days between orders; 90% likely to "
        "place no order in the next 25 days; 80% likely to still be a customer; expected to spend 1,000 "
        "in the next 12 months. A personal win-back offer is expected to save 225 (assumed save rate "
        "25%) for a cost of 5: worth 220."
    )
    assert a.loc["c1", "reason_ko"] == (
        "이탈 위험: 마지막 주문 40일 전, 평소 주문 간격 20일의 2.0배; 향후 25일 무주문 확률 90%; 아직 고객일 "
        "확률 80%; 향후 12개월 예상 구매액 1,000. 개인 맞춤 윈백 혜택: 예상 절감액 225 (가정한 회복률 25%), "
        "비용 5, 기대 가치 220."
    )
    assert a.loc["c7", "reason"].endswith("A reactivation offer would be worth -0 (it costs more than it saves): no contact.")
    assert "the shop's usual 30 days" in a.loc["c5", "reason"]
    assert a.loc["c5", "reason"].endswith("No contact needed.")
    # discounts: only promo-sensitive customers of discount actions; c5 buys anyway
    assert a.offer_discount.to_dict() == {f"c{i}": i == 1 for i in range(1, 8)}


def test_expected_value_by_hand():
    a = assigned(customers()).set_index("customer_id")
    # c1: 0.9 x 1000 at stake, 25 % saved, contact 0.1 of a 50.0 order = 5.0
    assert a.loc["c1", "revenue_at_stake"] == pytest.approx(900.0)
    assert a.loc["c1", "expected_saved_revenue"] == pytest.approx(225.0)
    assert a.loc["c1", "expected_value"] == pytest.approx(220.0)
    # c6: 0.95 x 2000 x 0.05 - 0.01 x 50.0
    assert a.loc["c6", "expected_value"] == pytest.approx(0.95 * 2000 * 0.05 - 0.5)
    assert a.loc["c5", "expected_value"] == 0.0 and a.loc["c5", "contact_cost"] == 0.0
    assert a.loc["c7", "expected_value"] == 0.0 and a.loc["c7", "contact_cost"] == 0.0
    assert (a.expected_value >= 0).all() and set(a.save_rate_source) == {"assumed"}
    # a measured rate replaces the assumed one for discount offers (c1: promo sensitive) and says so
    m = assigned(customers(), CFG, measured=0.1).set_index("customer_id")
    assert m.loc["c1", "save_rate"] == 0.1 and m.loc["c1", "save_rate_source"] == "measured"
    assert m.loc["c1", "expected_value"] == pytest.approx(0.9 * 1000 * 0.1 - 5.0)
    assert (m.drop("c1").save_rate_source == "assumed").all()
    s = campaign.campaign_summary(m.reset_index()).set_index("action")
    assert s.loc["winback_personal", "save_rate_source"] == "measured"
    assert s.loc["reactivation", "save_rate_source"] == "assumed"
    # the same default costs in a currency whose typical order is 500,000 (Rupiah, say)
    # (there, a win-back offer of 50,000 for 225 saved is not worth making)
    rp = assigned(customers(), order_value=500_000.0).set_index("customer_id")
    assert rp.loc["c1", "considered_value"] == pytest.approx(225.0 - 50_000.0)
    assert rp.loc["c1", "action"] == "no_action"
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
    assert s.loc["no_action", "customers"] == 2


def test_custom_rules_with_segment_and_negation():
    cfg = PlaybookConfig(
        high_value_quantile=0.5,
        rules=["vip_call: segment=champions", "coupon: promo_sensitive & not risk=high", "nothing: *"],
        save_rates={"vip_call": 0.1, "coupon": 0.2, "nothing": 0.0, "no_action": 0.0},
        contact_costs={"vip_call": 0.1, "coupon": 0.001, "nothing": 0.0, "no_action": 0.0},
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
        "c7": "nothing",
    }
    assert bool(a.loc["c5", "offer_discount"])


@pytest.mark.parametrize(
    "bad, message",
    [
        (["a: risk=high"], "last playbook rule"),
        (["a: risk=huge", "b: *"], "unknown condition"),
        (["a risk=high", "b: *"], "must read"),
        (["a: dormant=yes", "b: *"], "unknown condition"),
        (["a: state=gone", "b: *"], "unknown condition"),
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
    assert (a.expected_value >= 0).all()
