"""On the real UCI Online Retail data (both files): RFM and monthly revenue against an
independent pandas computation from the raw files, and the bridge 2011-10/11 vs 2011-08/09."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from conftest import copy_warehouse, online_retail

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.bridge import COMPONENTS
from churnlens.diagnosis.stage import diagnosis_tables
from churnlens.segments.stage import run_segments
from churnlens.warehouse import Warehouse

#: Both real files, ingested once per test process (`online_retail_db`): 15-20 s of CPU on their own.
pytestmark = pytest.mark.slow

FILES = ("online_retail_ii_2009_2010.parquet", "online_retail_2010_2011.parquet")
NAMES = {"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}


def cents(x: pd.Series) -> pd.Series:
    """Half away from zero, as the engines round."""
    return (np.sign(x) * np.floor(np.abs(x) * 100 + 0.5)).astype("int64")


@pytest.fixture(scope="module")
def raw_invoices() -> pd.DataFrame:
    return paid_invoices()


def paid_invoices() -> pd.DataFrame:
    """Paid invoices straight from the raw files, by pandas: one row per sales invoice (read once
    per test process; each caller gets its own copy)."""
    return _paid_invoices().copy()


@functools.cache
def _paid_invoices() -> pd.DataFrame:
    parts = []
    for i, name in enumerate(FILES):
        df = pd.read_parquet(online_retail(name)).rename(columns=NAMES)
        df = df.drop_duplicates()  # a line repeated exactly is rejected as a duplicate
        df["Invoice"] = df["Invoice"].astype(str).str.strip()
        df["file"] = i
        parts.append(df)
    first, second = parts
    second = second[~second["Invoice"].isin(set(first["Invoice"]))]  # the files overlap
    lines = pd.concat([first, second], ignore_index=True)
    lines["Quantity"] = lines["Quantity"].astype(float)
    lines["Price"] = lines["Price"].astype(float)
    sales = lines[
        ~lines["Invoice"].str.upper().str.startswith(("C", "A"))
        & (lines["Quantity"] >= 0)
        & (lines["Price"] >= 0)
    ].copy()
    sales["amount"] = sales["Quantity"] * sales["Price"]
    sales["ts"] = pd.to_datetime(sales["InvoiceDate"])
    cust = pd.to_numeric(sales["Customer ID"], errors="coerce")
    sales["customer_id"] = cust.map(lambda v: None if pd.isna(v) else str(int(v)))
    inv = sales.groupby("Invoice").agg(
        ts=("ts", "min"), total=("amount", "sum"), customer_id=("customer_id", "first")
    )
    inv["cents"] = cents(inv["total"])
    return inv


@pytest.fixture(scope="module")
def warehouse(online_retail_db, tmp_path_factory):
    wh = Warehouse(copy_warehouse(online_retail_db, tmp_path_factory.mktemp("online_retail")))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def diagnosis(warehouse):
    tables, p, priced = diagnosis_tables(warehouse, ChurnlensConfig())
    return tables, p, priced


def test_monthly_revenue_matches_pandas(raw_invoices, diagnosis):
    tables, _, priced = diagnosis
    assert priced
    got = tables["sales_monthly"].to_pandas().set_index("period_start")
    inv = raw_invoices
    month = inv["ts"].dt.to_period("M").dt.to_timestamp()
    want = inv.groupby(month).agg(cents=("cents", "sum"), orders=("cents", "size"))
    want["buyers"] = inv.groupby(month)["customer_id"].nunique()
    assert len(got) == 25 and list(got.index) == list(want.index)
    assert got["revenue_value"].tolist() == want["cents"].tolist()
    assert got["orders"].tolist() == want["orders"].tolist()
    assert got["buyers"].tolist() == want["buyers"].tolist()
    assert np.allclose(got["revenue"], want["cents"] / 100)
    nov = got.loc[pd.Timestamp("2011-11-01")]
    assert nov["revenue_mom"] == pytest.approx(
        want.loc["2011-11-01", "cents"] / want.loc["2011-10-01", "cents"] - 1
    )
    assert nov["revenue_yoy"] == pytest.approx(
        want.loc["2011-11-01", "cents"] / want.loc["2010-11-01", "cents"] - 1
    )


def test_rfm_matches_pandas(raw_invoices, warehouse):
    cfg = ChurnlensConfig()
    got = run_segments(warehouse, cfg)["rfm"].to_pandas().set_index("customer_id").sort_index()
    inv = raw_invoices[raw_invoices["customer_id"].notna()]
    cutoff = datetime(2011, 12, 10)  # midnight after the last invoice (2011-12-09)
    per = inv.groupby("customer_id").agg(last=("ts", "max"), frequency=("ts", "size"), value=("cents", "sum"))
    per["recency_days"] = (cutoff - per["last"]).dt.days
    n = len(per)

    def grade(values: pd.Series, g: int) -> pd.Series:
        return 1 + (g * (values.rank(method="min").astype("int64") - 1)) // n

    per["r_score"] = grade(-per["recency_days"], cfg.rfm.recency_grades)
    per["f_score"] = grade(per["frequency"], cfg.rfm.frequency_grades)
    per["m_score"] = grade(per["value"], cfg.rfm.monetary_grades)
    per = per.sort_index()
    assert list(got.index) == list(per.index) and n > 5000
    for col in ("recency_days", "frequency", "r_score", "f_score", "m_score"):
        assert got[col].tolist() == per[col].tolist(), col
    assert got["monetary_value"].tolist() == per["value"].tolist()
    assert (got["cutoff"] == cutoff).all()
    champions = got[got.segment == "champions"]
    assert set(champions.rfm_code) == {"322"} and len(champions) > 100


def test_bridge_2011_autumn_adds_up(raw_invoices, diagnosis):
    tables, p, _ = diagnosis
    assert (p.base_start, p.current_start, p.current_end) == (
        date(2011, 8, 1),
        date(2011, 10, 1),
        date(2011, 12, 1),
    )
    bridge = tables["revenue_bridge"].set_index("component")
    inv = raw_invoices

    def period(a, b):
        return int(inv[(inv.ts >= str(a)) & (inv.ts < str(b))]["cents"].sum())

    total = period(p.current_start, p.current_end) - period(p.base_start, p.base_end)
    assert bridge.loc["total", "change_value"] == total
    assert int(bridge.loc[list(COMPONENTS), "change_value"].sum()) == total
    assert bridge.loc["total", "change"] == pytest.approx(total / 100)
    by_seg = tables["revenue_bridge_by_segment"]
    assert int(by_seg[by_seg.component == "total"].change_value.sum()) == total
    assert bridge.loc["new", "customers"] > 0 and bridge.loc["lost", "customers"] > 0
    assert set(bridge["current_period"]) == {"2011-10..2011-11"}


def test_findings_name_the_season_and_the_year_on_year_change(warehouse, raw_invoices):
    from churnlens.diagnosis.stage import run_diagnosis

    f = run_diagnosis(warehouse, ChurnlensConfig())["findings"].iloc[0]
    # Oct-Nov 2011 against Aug-Sep 2011, and the same months a year earlier, by pandas
    inv = raw_invoices
    month = inv["ts"].dt.strftime("%Y-%m")

    def revenue(*months: str) -> float:
        return float(inv.loc[month.isin(months), "cents"].sum())

    yoy = revenue("2011-10", "2011-11") / revenue("2010-10", "2010-11") - 1
    season = revenue("2010-10", "2010-11") / revenue("2010-08", "2010-09") - 1

    def pct(x: float) -> str:  # the findings' style: one decimal below 10 %, whole above
        return f"{x * 100:+.1f} %" if abs(x) < 0.1 else f"{x * 100:+.0f} %"

    assert f.finding_id == "revenue_growth"
    assert f"Against October–November 2010, a year earlier, it is {pct(yoy)}" in f.text_en
    assert f"{pct(season)} against August–September 2010): the usual season, not growth." in f.text_en
    assert "평소의 계절 변동" in f.text_ko and pct(yoy) in f.text_ko
    assert json.loads(f.numbers)["season_verdict"] == "seasonal"
