"""Synthetic Fashion Campus shops: exact native format, facts.json against the files, scenarios.

Every expectation is recomputed from the written files with the csv module or pandas, never
taken from the generator's own arrays.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churnlens.sources.synthetic import GeneratorConfig, generate

CUSTOMER_HEADER = (
    "customer_id,first_name,last_name,username,email,gender,birthdate,device_type,device_id,device_version,"
    "home_location_lat,home_location_long,home_location,home_country,first_join_date"
)
PRODUCT_HEADER = (
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName"
)
TRANSACTION_HEADER = (
    "created_at,customer_id,booking_id,session_id,product_metadata,payment_method,payment_status,promo_amount,"
    "promo_code,shipment_fee,shipment_date_limit,shipment_location_lat,shipment_location_long,total_amount"
)
CLICK_HEADER = "session_id,event_name,event_time,event_id,traffic_source,event_metadata"
ISO_US = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CODES = {"AZ2022", "BUYMORE", "WEEKENDSERU", "XX2022", "LIBURDONG", "WEEKENDMANTAP", "SC2022", "STARTUP"}
WEEKEND_CODES = {"WEEKENDSERU", "WEEKENDMANTAP", "LIBURDONG"}
KEYWORDS = {
    "Dress Kondangan", "Tas Wanita", "Bekas", "T-Shirt", "Baju", "Kaos", "Dress Pesta", "Sepatu Nike", "Tas Kerja",
    "Second Hand", "Second", "Thrift", "Celana Panjang", "Sepatu", "Barang Bekas", "Sepatu Adidas", "Sendal",
    "Celana", "T-shirt", "Jam", "Topi", "Baju Tidur", "Daster",
}  # fmt: skip


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fc_small")
    generate("fashion-campus", out, GeneratorConfig(customers=300, seed=3, scenario="decline"))
    return out


@pytest.fixture(scope="module")
def facts(shop) -> dict:
    return json.loads((shop / "facts.json").read_text())


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def tx(shop) -> pd.DataFrame:
    return pd.read_csv(shop / "transactions.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def clicks(shop) -> pd.DataFrame:
    return pd.read_csv(shop / "click_stream.csv", dtype=str, keep_default_na=False)


def test_headers_are_exactly_the_native_ones(shop):
    for name, header in (
        ("customer.csv", CUSTOMER_HEADER),
        ("product.csv", PRODUCT_HEADER),
        ("transactions.csv", TRANSACTION_HEADER),
        ("click_stream.csv", CLICK_HEADER),
    ):
        with open(shop / name, "rb") as fh:
            assert fh.readline() == (header + "\n").encode()


def test_product_file_has_the_unquoted_comma_trap(shop, facts):
    rows = _rows(shop / "product.csv")[1:]
    long_rows = [r for r in rows if len(r) > 10]
    assert len(long_rows) == facts["products_with_unquoted_commas"] >= 2
    assert all(len(r) == 10 for r in rows if len(r) <= 10)
    raw = (shop / "product.csv").read_text().splitlines()[1:]
    assert not any('"' in line for line in raw)  # the trap rows are raw, nothing else needs quotes
    assert len(rows) == facts["products"]
    for r in rows:
        assert r[7] == "" or re.fullmatch(r"\d{4}\.0", r[7])
        assert r[1] in {"Men", "Women", "Boys", "Girls", "Unisex"}
        name = ",".join(r[9:])
        assert name and (len(r) == 10) == ("," not in name)


def test_customer_values(shop, facts):
    df = pd.read_csv(shop / "customer.csv", dtype=str, keep_default_na=False)
    assert len(df) == facts["customers"] == 300
    assert df["customer_id"].is_unique
    assert set(df["gender"]) <= {"F", "M"} and set(df["device_type"]) <= {"Android", "iOS"}
    assert set(df["home_country"]) == {"Indonesia"}
    assert df["username"].str.match(UUID.pattern).all() and df["device_id"].str.match(UUID.pattern).all()
    assert (
        df["birthdate"].str.match(DATE.pattern).all() and df["first_join_date"].str.match(DATE.pattern).all()
    )
    assert df["first_join_date"].between("2016-06-30", "2022-07-31").all()
    assert df["birthdate"].between("1954-01-01", "2016-12-31").all()
    lat = df["home_location_lat"].astype(float)
    assert lat.between(-12, 7).all()


def test_every_product_metadata_is_a_python_literal_and_totals_hold(shop, tx):
    products = {r[0] for r in _rows(shop / "product.csv")[1:]}
    for row in tx.itertuples(index=False):
        items = ast.literal_eval(row.product_metadata)
        assert 1 <= len(items) <= 51
        assert all(set(it) == {"product_id", "quantity", "item_price"} for it in items)
        assert all(str(it["product_id"]) in products for it in items)
        basket = sum(it["quantity"] * it["item_price"] for it in items)
        assert int(row.total_amount) == basket - int(row.promo_amount) + int(row.shipment_fee)
        assert (row.promo_code == "") == (int(row.promo_amount) == 0)
        if row.promo_code:
            assert 0 < int(row.promo_amount) <= 0.55 * basket + 1


def test_transaction_values(tx, shop):
    assert tx["created_at"].str.match(ISO_US.pattern).all()
    assert tx["shipment_date_limit"].str.match(ISO_US.pattern).all()
    assert tx["booking_id"].str.match(UUID.pattern).all() and tx["session_id"].str.match(UUID.pattern).all()
    assert tx["booking_id"].is_unique and tx["session_id"].is_unique
    assert set(tx["payment_status"]) == {"Success", "Failed"}
    assert set(tx["payment_method"]) <= {"Credit Card", "Debit Card", "Gopay", "OVO", "LinkAja"}
    assert set(tx["promo_code"]) - {""} <= CODES
    assert set(tx["shipment_fee"].astype(int)) <= {0, 5000, 10000, 15000, 25000, 50000}
    assert tx["created_at"].between("2016-06-30", "2022-08-01").all()
    customers = set(pd.read_csv(shop / "customer.csv", dtype=str)["customer_id"])
    assert set(tx["customer_id"]) <= customers
    weekday = pd.to_datetime(tx["created_at"]).dt.day_of_week
    weekend_codes = tx["promo_code"].isin(WEEKEND_CODES)
    assert weekend_codes.any()
    assert (weekday[weekend_codes] >= 5).all()


def test_only_fields_with_commas_are_quoted(shop):
    with open(shop / "transactions.csv", encoding="utf-8") as fh:
        fh.readline()
        line = fh.readline()
    assert line.count('"') == 2 and ',"[{' in line and '}]",' in line
    with open(shop / "click_stream.csv", encoding="utf-8") as fh:
        body = fh.read()
    assert re.search(r",\{'payment_status': '(Success|Failed)'\}\n", body)
    assert re.search(r",\{'search_keywords': '[^']+'\}\n", body)
    assert re.search(r',"\{\'product_id\': \d+, \'quantity\': \d+, \'item_price\': \d+\}"\n', body)
    assert not re.search(r',"[A-Z_]+",', body)


def test_facts_match_the_files(shop, facts, tx, clicks):
    items = [ast.literal_eval(m) for m in tx["product_metadata"]]
    lines = [it for basket in items for it in basket]
    assert facts["bookings"] == len(tx)
    assert facts["bookings_success"] == (tx["payment_status"] == "Success").sum()
    assert facts["bookings_failed"] == (tx["payment_status"] == "Failed").sum()
    assert facts["item_lines"] == len(lines)
    assert facts["sum_quantity"] == sum(it["quantity"] for it in lines)
    assert facts["sum_item_amount"] == sum(it["quantity"] * it["item_price"] for it in lines)
    assert facts["sum_promo_amount"] == tx["promo_amount"].astype(int).sum()
    assert facts["sum_shipment_fee"] == tx["shipment_fee"].astype(int).sum()
    assert facts["sum_total_amount"] == tx["total_amount"].astype(int).sum()
    assert facts["bookings_with_promo"] == (tx["promo_code"] != "").sum()
    assert facts["click_events"] == len(clicks)
    assert facts["click_events_by_name"] == {
        k: int(v) for k, v in clicks["event_name"].value_counts().items()
    }
    assert facts["sessions"] == clicks["session_id"].nunique()
    assert facts["sessions_without_booking"] == len(set(clicks["session_id"]) - set(tx["session_id"]))
    ts = pd.to_datetime(clicks["event_time"])
    order = np.lexsort((ts.to_numpy(), clicks["session_id"].to_numpy()))
    sid, t = clicks["session_id"].to_numpy()[order], ts.to_numpy()[order]
    new = np.r_[True, (sid[1:] != sid[:-1]) | (np.diff(t) > np.timedelta64(30, "m"))]
    assert facts["sessions_after_gap_split"] == new.sum()
    monthly = tx[tx["payment_status"] == "Success"].groupby(tx["created_at"].str[:7])["total_amount"]
    assert facts["monthly_revenue_success"] == {
        k: int(v) for k, v in monthly.apply(lambda s: s.astype(int).sum()).items()
    }


def test_booking_sessions_match_their_bookings(tx, clicks):
    c = clicks.assign(ts=pd.to_datetime(clicks["event_time"])).sort_values(
        ["session_id", "ts"], kind="stable"
    )
    first = c.groupby("session_id").head(1).set_index("session_id")
    last = c.groupby("session_id").tail(1).set_index("session_id")
    t = tx.set_index("session_id")
    assert (first.loc[t.index, "event_name"] == "HOMEPAGE").all()
    assert (last.loc[t.index, "event_name"] == "BOOKING").all()
    assert (last.loc[t.index, "event_time"] == t["created_at"]).all()
    status = last.loc[t.index, "event_metadata"].map(lambda m: ast.literal_eval(m)["payment_status"])
    assert (status == t["payment_status"]).all()
    # every booked item has an ADD_TO_CART event with the same product, quantity and price
    carts = Counter(
        (sid, tuple(sorted(ast.literal_eval(m).items())))
        for sid, m in c.loc[c["event_name"] == "ADD_TO_CART", ["session_id", "event_metadata"]].itertuples(
            index=False
        )
    )
    booked = Counter(
        (sid, tuple(sorted(it.items())))
        for sid, meta in tx[["session_id", "product_metadata"]].itertuples(index=False)
        for it in ast.literal_eval(meta)
    )
    assert booked and not booked - carts
    promos = c[c["event_name"] == "ADD_PROMO"].set_index("session_id")["event_metadata"].map(ast.literal_eval)
    assert promos.index.is_unique
    with_promo = t[t["promo_code"] != ""]
    assert set(promos.index) == set(with_promo.index)
    assert all(
        promos[sid] == {"promo_code": row.promo_code, "promo_amount": int(row.promo_amount)}
        for sid, row in with_promo.iterrows()
    )
    anonymous = set(c["session_id"]) - set(tx["session_id"])
    assert anonymous
    assert not c.loc[c["session_id"].isin(anonymous), "event_name"].isin(["BOOKING", "ADD_PROMO"]).any()


def test_click_values(clicks):
    assert clicks["event_time"].str.match(ISO_US.pattern).all()
    assert clicks["event_id"].str.match(UUID.pattern).all() and clicks["event_id"].is_unique
    assert set(clicks["traffic_source"]) == {"MOBILE", "WEB"}
    search = clicks.loc[clicks["event_name"] == "SEARCH", "event_metadata"].map(ast.literal_eval)
    assert {d["search_keywords"] for d in search} <= KEYWORDS
    plain = clicks["event_name"].isin(["HOMEPAGE", "ITEM_DETAIL", "CLICK", "SCROLL", "PROMO_PAGE"])
    assert (clicks.loc[plain, "event_metadata"] == "").all()
    assert (clicks.loc[~plain, "event_metadata"] != "").all()
    per_session = clicks.groupby("session_id").size().mean()
    assert 11 < per_session < 18
    second_hand = {"Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift"}
    years = clicks.loc[search.index, "event_time"].str[:4]
    is_second = search.map(lambda d: d["search_keywords"] in second_hand)
    late, early = is_second[years >= "2021"].mean(), is_second[years <= "2018"].mean()
    assert 0.11 < late < 0.24 and early < late


def test_same_seed_same_bytes_and_new_seed_new_shop(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    seen: list[tuple[str, float]] = []
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        generate(
            "fashion-campus",
            out,
            GeneratorConfig(customers=120, seed=seed),
            progress=lambda s, f: seen.append((s, f)),
        )
    assert seen[-1] == ("done", 1.0) and {"transactions", "click_stream"} <= {s for s, _ in seen}
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    for name in ("customer.csv", "product.csv", "transactions.csv", "click_stream.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "transactions.csv").read_bytes() != (c / "transactions.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "ground_truth.parquet"), pd.read_parquet(b / "ground_truth.parquet")
    )


# ---- scenarios (transactions only, a larger shop) -------------------------------------------------


@pytest.fixture(scope="module")
def scenario_shops(tmp_path_factory) -> dict[str, Path]:
    shops = {}
    for scenario in ("steady", "decline"):
        out = tmp_path_factory.mktemp(scenario)
        generate(
            "fashion-campus",
            out,
            GeneratorConfig(customers=6000, seed=1, scenario=scenario, write_click_stream=False),
        )
        shops[scenario] = out
    return shops


def _paid(out: Path) -> pd.DataFrame:
    tx = pd.read_csv(
        out / "transactions.csv",
        usecols=["created_at", "customer_id", "payment_status", "promo_code", "total_amount"],
    )
    tx = tx[tx["payment_status"] == "Success"].copy()
    tx["ts"] = pd.to_datetime(tx["created_at"]).dt.tz_localize(None)
    return tx


def _last_two_vs_two_before(out: Path) -> float:
    tx = _paid(out)
    monthly = tx.groupby(tx["ts"].dt.to_period("M"))["total_amount"].sum()
    return monthly.iloc[-2:].sum() / monthly.iloc[-4:-2].sum() - 1.0


def test_steady_shop_matches_the_published_shape(scenario_shops):
    tx = pd.read_csv(scenario_shops["steady"] / "transactions.csv")
    n_items = tx["product_metadata"].map(lambda m: len(ast.literal_eval(m)))
    basket = tx["total_amount"] + tx["promo_amount"] - tx["shipment_fee"]
    assert 7.0 < len(tx) / 6000 < 10.0  # real: 8.5 bookings per customer
    assert 0.035 < (tx["payment_status"] == "Failed").mean() < 0.052  # real: 4.3 %
    assert 0.33 < tx["promo_code"].notna().mean() < 0.43  # real: 38 %
    assert 0.02 < (tx["promo_amount"] / basket).mean() < 0.035  # real: 2.7 %
    assert (tx["promo_amount"] / basket).max() <= 0.547
    assert 1.3 < n_items.mean() < 1.65 and (n_items <= 3).mean() > 0.9  # real: 1.47 lines


def test_decline_scenario_loses_revenue_and_steady_does_not(scenario_shops):
    steady = _last_two_vs_two_before(scenario_shops["steady"])
    decline = _last_two_vs_two_before(scenario_shops["decline"])
    assert decline < -0.10
    assert steady > -0.05
    assert decline < steady - 0.10


def test_decline_lapses_are_loyal_high_value_customers_and_promos_go_to_new_ones(scenario_shops):
    out = scenario_shops["decline"]
    truth = pd.read_parquet(out / "ground_truth.parquet")
    lapsed = truth[truth["planted_lapse"]]
    assert len(lapsed) > 50 and lapsed["lapse_target"].all()
    assert (lapsed["dropout_ts"] >= pd.Timestamp("2022-06-01")).all()
    # targets: the top 40 % by expected spend per day among customers of 120+ days at the decline
    value = truth["purchase_rate_per_day"] * truth["spend_mean"]
    tenured = truth["signup_ts"] <= pd.Timestamp("2022-06-01") - pd.Timedelta(days=120)
    assert value[truth["lapse_target"]].min() >= value[tenured].quantile(0.59)
    assert value[truth["planted_lapse"]].median() > 1.5 * value.median()
    shares = {}
    for name, path in scenario_shops.items():
        tx = _paid(path)
        first = tx.groupby("customer_id")["ts"].transform("min")
        recent = tx[(tx["ts"] >= "2022-06-01") & tx["promo_code"].notna()]
        shares[name] = ((recent["ts"] - first[recent.index]) <= pd.Timedelta(days=30)).mean()
    assert shares["decline"] > shares["steady"] + 0.15
    # sign-ups keep growing during the decline
    customers = pd.read_csv(out / "customer.csv", usecols=["first_join_date"])
    joins = customers["first_join_date"].str[:7].value_counts()
    assert joins["2022-06"] + joins["2022-07"] > joins["2022-02"] + joins["2022-03"]


def test_churn_boost_category_raises_dropout_of_its_fans(tmp_path):
    base_dir, boost_dir = tmp_path / "base", tmp_path / "boost"
    cfg = dict(customers=3000, seed=2, write_click_stream=False)
    generate("fashion-campus", base_dir, GeneratorConfig(**cfg))
    generate("fashion-campus", boost_dir, GeneratorConfig(**cfg, churn_boost_category="Footwear"))
    base = pd.read_parquet(base_dir / "ground_truth.parquet")
    boost = pd.read_parquet(boost_dir / "ground_truth.parquet")
    fans = (boost["favourite_category"] == "Footwear").to_numpy()
    assert 0.05 < fans.mean() < 0.6
    np.testing.assert_allclose(
        boost["dropout_prob"][fans], np.minimum(base["dropout_prob"][fans] * 3.0, 0.95)
    )
    np.testing.assert_array_equal(boost["dropout_prob"][~fans], base["dropout_prob"][~fans])

    def paid_per_customer(path):
        tx = _paid(path)
        n = tx.groupby("customer_id").size().reindex(boost["customer_id"], fill_value=0).to_numpy()
        return n[fans].mean() / n[~fans].mean()

    assert paid_per_customer(boost_dir) < 0.75 * paid_per_customer(base_dir)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        generate("amazon", tmp_path, GeneratorConfig(customers=10))
    with pytest.raises(ValueError, match="scenario"):
        generate("fashion-campus", tmp_path, GeneratorConfig(customers=10, scenario="boom"))
    with pytest.raises(ValueError, match="catalogue_dir"):
        generate("fashion-campus", tmp_path, GeneratorConfig(customers=10), catalogue_dir=tmp_path)
