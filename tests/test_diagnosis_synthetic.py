"""On shops written by the synthetic generator and read back by the Fashion Campus adapter:
the diagnosis of a ``decline`` shop names the planted cause (loyal high-value customers
lapsing, promotions going to new customers) first; a ``steady`` shop shows no decline."""

from __future__ import annotations

import json

import pytest

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.ingest import ingest
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.warehouse import Warehouse

#: Large enough that two months of a steady shop do not swing by the 5 % decline threshold.
CUSTOMERS = 4000  # no click stream: the diagnosis does not need it


def diagnose(tmp_path_factory, scenario: str):
    out = tmp_path_factory.mktemp(scenario)
    generate(
        "fashion-campus",
        out,
        GeneratorConfig(customers=CUSTOMERS, seed=1, scenario=scenario, write_click_stream=False),
    )
    wh = Warehouse()
    ingest("fashion-campus", [out], wh)
    findings = run_diagnosis(wh, ChurnlensConfig())["findings"]
    wh.close()
    return findings


@pytest.fixture(scope="module")
def decline(tmp_path_factory):
    return diagnose(tmp_path_factory, "decline")


@pytest.fixture(scope="module")
def steady(tmp_path_factory):
    return diagnose(tmp_path_factory, "steady")


def test_decline_shop_names_the_planted_cause(decline):
    ids = decline.finding_id.tolist()
    assert ids[0] == "revenue_decline"
    assert set(ids[1:3]) == {"high_value_lapse", "promo_skew_new"}
    f = decline.set_index("finding_id")
    assert "June–July 2022" in f.loc["revenue_decline", "text_en"]
    lapse = json.loads(f.loc["high_value_lapse", "numbers"])
    assert "champions" in lapse["segments"] and lapse["customers_stopped"] > 0
    promo = json.loads(f.loc["promo_skew_new", "numbers"])
    assert promo["share_of_discount_first_month"] > 2 * promo["base_share_of_discount_first_month"]
    assert f.loc["promo_skew_new", "severity"] == "high"


def test_steady_shop_shows_no_decline(steady):
    ids = set(steady.finding_id)
    assert not ids & {"revenue_decline", "high_value_lapse", "signups_up_sales_down", "category_decline"}
    assert steady.finding_id.iloc[0] in ("revenue_growth", "revenue_stable")
    assert "there is no decline" in steady.text_en.iloc[0]
