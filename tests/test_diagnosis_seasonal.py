"""Every period comparison also against the same months a year earlier: by hand on monthly
sales, on a generated shop with a planted season, and the season of the generator itself."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis import seasonal
from churnlens.diagnosis.finding import Context
from churnlens.diagnosis.periods import Periods
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.ingest import ingest
from churnlens.sources.synthetic import GeneratorConfig, generate
from churnlens.sources.synthetic.seasons import season_factor
from churnlens.warehouse import Warehouse

P = Periods(date(2011, 8, 1), date(2011, 10, 1), date(2011, 10, 1), date(2011, 12, 1))


def context(revenue: dict[str, float]) -> Context:
    m = pd.DataFrame(
        {"period_start": pd.to_datetime(list(revenue)), "revenue_value": list(revenue.values())}
    )
    return Context({"sales_monthly": m}, P, ChurnlensConfig(), "money", "GBP")


def months(base_ya: float, cur_ya: float, base: float, cur: float) -> dict[str, float]:
    """Two-month periods split evenly over their months."""
    out = {}
    for start, v in (("2010-08", base_ya), ("2010-10", cur_ya), ("2011-08", base), ("2011-10", cur)):
        first = pd.Timestamp(start + "-01")
        out[str(first.date())] = v / 2
        out[str((first + pd.offsets.MonthBegin(1)).date())] = v / 2
    return out


def test_the_usual_season_not_growth():
    # Online Retail's shape: +47 % on Aug-Sep, +63 % a year earlier, +1.1 % on the year
    y = seasonal.year_before(context(months(100.0, 163.0, 113.3, 164.8)))
    assert y.verdict == "seasonal"
    assert y.change == pytest.approx(164.8 / 113.3 - 1) and y.yoy == pytest.approx(164.8 / 163 - 1)
    assert y.change_year_before == pytest.approx(0.63)
    text = seasonal.sentences(y, {"en": "Revenue"})
    assert text["en"] == (
        "Against October–November 2010, a year earlier, it is +1.1 % (a year earlier those months were "
        "+63 % against August–September 2010): the usual season, not growth."
    )
    assert text["ko"].endswith("성장이 아니라 평소의 계절 변동입니다.")


@pytest.mark.parametrize(
    "values, verdict",
    [
        ((100.0, 160.0, 110.0, 176.0), "season_and_trend"),  # +60 % both years, +10 % on the year
        ((100.0, 106.0, 142.0, 150.5), "real"),  # +6 % both years: a 42 % yearly growth, no season
        ((100.0, 100.0, 100.0, 130.0), "real"),  # no season a year earlier, +30 % on the year
        ((100.0, 100.0, 100.0, 101.0), "steady"),
        ((100.0, 100.0, 90.0, 101.0), "not_season"),  # +12 % on the period, flat on the year, no season
        ((100.0, 103.0, 112.0, 100.0), "not_season"),  # -11 % on the period, +3 % a year earlier
        ((100.0, 100.0, 120.0, 122.0), "year_change"),  # +1.7 % on the period, +22 % on the year
    ],
)
def test_verdicts(values, verdict):
    assert seasonal.year_before(context(months(*values))).verdict == verdict


def test_too_short_a_history_has_no_year_before():
    short = {k: v for k, v in months(100.0, 163.0, 113.3, 164.8).items() if k >= "2011-01-01"}
    assert seasonal.year_before(context(short)) is None


def test_generator_season_keeps_every_peak_purchase():
    us = pd.DatetimeIndex(["2021-11-01", "2021-05-01", "2021-08-01"]).as_unit("us").asi8
    f = season_factor(us, 0.5, 11)
    # November 1 is the peak month's start; May 1 is opposite; August 1 is a quarter away
    assert f[0] == pytest.approx(1.0) and f[1] == pytest.approx(0.5 / 1.5)
    assert f[2] == pytest.approx((1 + 0.5 * np.cos(np.pi / 2)) / 1.5)


@pytest.mark.slow
def test_planted_season_is_named(tmp_path):
    found = {}
    for amplitude in (0.0, 0.5):
        cfg = GeneratorConfig(
            customers=4000, seed=1, season_amplitude=amplitude, season_peak_month=11, end="2021-11-30",
            write_click_stream=False,
        )  # fmt: skip
        generate("fashion-campus", tmp_path / str(amplitude), cfg)
        with Warehouse() as wh:
            ingest("fashion-campus", [tmp_path / str(amplitude)], wh)
            found[amplitude] = run_diagnosis(wh, ChurnlensConfig())["findings"].iloc[0]
    season = found[0.5]
    numbers = json.loads(season.numbers)
    assert numbers["season_verdict"] in ("seasonal", "season_and_trend")
    assert "the usual season" in season.text_en and "계절 변동" in season.text_ko
    assert "October–November 2020" in season.text_en
    # the same shop without the season: the same comparison names no season
    plain = json.loads(found[0.0].numbers)
    assert plain["season_verdict"] not in ("seasonal", "season_and_trend")
    assert "usual season" not in found[0.0].text_en
