"""The measured effect of a promotion: on a generated shop with a planted effect the estimate's
95 % interval covers the truth the generator recorded; a shop without promotions measures
nothing; the estimate's pieces by hand."""

from __future__ import annotations

import json
from datetime import datetime

import ibis
import numpy as np
import pandas as pd
import pytest

from churnlens.ingest import ingest
from churnlens.playbook.uplift import history_end, logistic, order_units, prob, promo_uplift
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse


def orders(rows) -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "order_id": [f"o{i}" for i in range(len(rows))],
                "customer_id": [r[0] for r in rows],
                "order_ts": [pd.Timestamp("2024-01-01") + pd.Timedelta(days=r[1]) for r in rows],
                "status": "paid",
                "promo_code": [r[2] for r in rows],
                "discount_amount": [r[3] for r in rows],
            }
        )
    )


def test_units_see_only_the_past_and_the_horizon():
    t = orders(
        [
            ("a", 0, "X", 0.0),
            ("a", 10, None, 0.0),
            ("a", 50, None, 5.0),  # a discount without a code is a promotion too
            ("b", 0, None, None),
            ("b", 40, None, None),
        ]
    )
    u = order_units(t, datetime(2024, 3, 1), 30).set_index(["customer", "prior_orders"])
    # the end is day 60: orders after day 30 have no full horizon
    assert sorted(u.index) == [(0, 0), (0, 1), (1, 0)]
    assert list(u.treated) == [True, False, False]
    # a's first order: repurchase on day 10; a's second: next one on day 50, 40 days later
    assert list(u.outcome) == [True, False, False]
    assert u.loc[(0, 1), "previous_promo"] == 1.0 and u.loc[(0, 1), "prior_promo_share"] == 1.0
    assert u.loc[(0, 1), "days_since_promo"] == pytest.approx(10 / 30)
    assert u.loc[(0, 0), "days_since_promo"] == 1.0  # none before: capped at the horizon


def test_logistic_matches_the_closed_form_of_one_binary_feature():
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1], float)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0], float)
    X = np.column_stack([np.ones(8), x])
    p = prob(X, logistic(X, y, np.ones(8), ridge=0.0))
    # the fitted probabilities are the group means: 1/4 and 3/4
    assert p[:4] == pytest.approx(0.25, abs=1e-6) and p[4:] == pytest.approx(0.75, abs=1e-6)


def test_no_promotions_no_measure():
    t = orders([("a", d, None, 0.0) for d in range(0, 300, 10)])
    assert promo_uplift(t, datetime(2025, 1, 1), 30).empty


@pytest.mark.slow
def test_planted_promotion_effect_is_inside_the_95_interval(tmp_path):
    cfg = GeneratorConfig(customers=3000, seed=3, promo_effect=0.3, promo_effect_days=30, start="2019-07-01")
    generate("fashion-campus", tmp_path / "shop", cfg)
    truth = json.loads((tmp_path / "shop" / "facts.json").read_text())["promo_effect"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        ingest("fashion-campus", [tmp_path / "shop"], wh)
        o = wh.table("orders")
        est = promo_uplift(o, history_end(o), 30, bootstrap=200).set_index("segment")
    row = est.loc["all"]
    # the recipients counted by the estimate are the generator's promo purchases
    assert row.treated == truth["promo_purchases"]
    assert row.repurchase_treated == pytest.approx(truth["repurchase_with_promo"])
    assert row.ci_low <= truth["uplift"] <= row.ci_high
    assert row.ci_low > 0.05  # a real effect, and a clearly positive one
    assert set(est.index) == {"all", "first order", "second to fourth order", "fifth order or later"}


#: Seeds of the coverage test, fixed in advance. With a calibrated 95 % interval all 8 cover
#: with probability 0.66 and at least 7 with probability 0.94; the generator's truth is the
#: effect on *these* recipients, so each interval also carries that sample's own noise.
SEEDS = range(8)


def planted(tmp_path, seed: int) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    cfg = GeneratorConfig(
        customers=1500, seed=seed, promo_effect=0.3, promo_effect_days=30, start="2019-07-01",
        write_click_stream=False,
    )  # fmt: skip
    generate("fashion-campus", tmp_path / f"shop{seed}", cfg)
    truth = json.loads((tmp_path / f"shop{seed}" / "facts.json").read_text())["promo_effect"]
    with Warehouse(tmp_path / f"w{seed}.duckdb") as wh:
        ingest("fashion-campus", [tmp_path / f"shop{seed}"], wh)
        o = wh.table("orders")
        est = promo_uplift(o, history_end(o), 30, bootstrap=100).set_index("segment")
    raw = pd.read_csv(tmp_path / f"shop{seed}" / "transactions.csv", parse_dates=["created_at"])
    return truth, est, raw


@pytest.mark.slow
def test_planted_promotion_effect_is_inside_the_95_interval_over_seeds(tmp_path):
    rows = []
    for seed in SEEDS:
        truth, est, raw = planted(tmp_path, seed)
        row = est.loc["all"]
        # the recipients are the paid promo bookings of the raw file whose 30 days end by its last
        # paid booking; the truth counts up to the span's end, a few more on a small shop
        paid = raw[(raw.payment_status == "Success") & raw.customer_id.notna()]
        last = paid.created_at.max()
        promo = paid[(paid.promo_code.notna() | (paid.promo_amount > 0))]
        assert row.treated == (promo.created_at + pd.Timedelta(days=30) <= last).sum()
        missed = truth["promo_purchases"] - row.treated
        assert row.repurchase_treated == pytest.approx(truth["repurchase_with_promo"], abs=missed / row.treated)
        assert row.ci_low > 0.05  # a real effect, and a clearly positive one
        assert set(est.index) == {"all", "first order", "second to fourth order", "fifth order or later"}
        rows.append((truth["uplift"], row.uplift, row.ci_low, row.ci_high))
    truth, uplift, low, high = (np.array(c) for c in zip(*rows, strict=True))
    covered = (low <= truth) & (truth <= high)
    assert covered.sum() >= len(rows) - 1, list(zip(truth, low, high, strict=True))
    # no bias: the mean error is within two standard errors of its mean over the seeds
    se = (high - low) / (2 * 1.96)
    assert abs(np.mean(uplift - truth)) <= 2 * se.mean() / np.sqrt(len(rows))
