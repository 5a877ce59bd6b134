"""Churn reasons say nothing the row contradicts: whole days, no unknown values, no internal
names, and no second number for what the CLV stage shows beside them."""

from __future__ import annotations

import re

import pandas as pd

from churnlens.churn.reasons import RHYTHM, explain, sentence


def test_days_are_whole_days_rounded_down():
    row = {"recency_days": 328.9, "recency_over_mean": float("nan"), "tenure_days": 99.99}
    assert sentence("recency_days", row) == ("328 days since the last order", "마지막 주문 후 328일 경과")
    assert sentence("tenure_days", row)[0] == "first order 99 days ago"


def test_unknown_values_give_no_sentence():
    row = {"interval_mean": float("nan"), "interval_last": None, "region": None, "aov": float("nan")}
    for f in ("interval_mean", "interval_last", "region", "aov"):
        assert sentence(f, row) is None


def test_bgnbd_inputs_in_words_without_a_second_number():
    row = {"p_alive": 0.12, "expected_purchases_90d": 0.00027, "bgnbd_churn": 0.97}
    for f in row:
        en, ko = sentence(f, row)
        assert (en, ko) == RHYTHM and not re.search(r"\d", en)


def test_segment_in_plain_words_and_explain_skips_unknowns():
    row = {"rfm_segment": "cant_lose", "interval_mean": float("nan"), "p_alive": 0.2, "expected_purchases_90d": 0.1}
    assert sentence("rfm_segment", row) == ("RFM segment: cant lose", "RFM 세그먼트: cant lose")
    contrib = pd.DataFrame(
        {"interval_mean": [0.9], "p_alive": [0.5], "expected_purchases_90d": [0.4], "rfm_segment": [0.3]}
    )
    why = explain(contrib, pd.DataFrame([row]), 4).iloc[0]
    # the unknown interval says nothing; the two BG/NBD inputs make one sentence
    assert why.reasons == f"{RHYTHM[0]}; RFM segment: cant lose"
    assert "nan" not in why.reasons and "segments.rfm" not in why.reasons
