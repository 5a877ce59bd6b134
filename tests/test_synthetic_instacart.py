"""Synthetic Instacart exports: native format, structure, facts.json and the truth timeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data

from churnlens.sources.synthetic import GeneratorConfig, generate

ORDERS_HEADER = "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order"
LINES_HEADER = "order_id,product_id,add_to_cart_order,reordered"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("instacart")
    generate("instacart", out, GeneratorConfig(customers=400, seed=4))
    return out


@pytest.fixture(scope="module")
def orders(export) -> pd.DataFrame:
    return pd.read_csv(export / "orders.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def lines(export) -> dict[str, pd.DataFrame]:
    return {s: pd.read_csv(export / f"order_products__{s}.csv") for s in ("prior", "train")}


def test_headers_and_value_formats(export, orders):
    for name, header in (
        ("orders.csv", ORDERS_HEADER),
        ("order_products__prior.csv", LINES_HEADER),
        ("order_products__train.csv", LINES_HEADER),
        ("products.csv", "product_id,product_name,aisle_id,department_id"),
        ("aisles.csv", "aisle_id,aisle"),
        ("departments.csv", "department_id,department"),
    ):
        with open(export / name, "rb") as fh:
            assert fh.readline() == (header + "\n").encode()
    assert orders["order_hour_of_day"].str.fullmatch(r"\d\d").all()
    assert orders["order_hour_of_day"].astype(int).between(0, 23).all()
    assert orders["order_dow"].astype(int).between(0, 6).all()
    gaps = orders["days_since_prior_order"]
    assert gaps[gaps != ""].str.fullmatch(r"\d+\.0").all()
    assert gaps[gaps != ""].astype(float).between(0, 30).all()
    assert orders["order_id"].astype(int).is_unique
    assert sorted(orders["order_id"].astype(int)) == list(range(1, len(orders) + 1))


def test_user_structure(orders):
    o = orders.assign(
        user=orders["user_id"].astype(int),
        n=orders["order_number"].astype(int),
        dow=orders["order_dow"].astype(int),
    )
    assert sorted(o["user"].unique()) == list(range(1, 401))
    sizes = o.groupby("user").size()
    assert sizes.between(4, 100).all()
    assert (o.groupby("user")["n"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))).all()
    last = o.groupby("user").tail(1)
    assert set(last["eval_set"]) == {"train", "test"}
    assert (o.drop(last.index)["eval_set"] == "prior").all()
    assert 0.2 < (last["eval_set"] == "test").mean() < 0.5
    first = o.groupby("user").head(1)
    assert (first["days_since_prior_order"] == "").all()
    assert (o.drop(first.index)["days_since_prior_order"] != "").all()
    # day of week moves on with the gap, as in the real files
    prev_dow = o.groupby("user")["dow"].shift()
    gap = pd.to_numeric(o["days_since_prior_order"], errors="coerce")
    exact = gap.notna() & (gap < 30)
    assert ((prev_dow[exact] + gap[exact]) % 7 == o.loc[exact, "dow"]).all()
    assert 0.03 < (gap == 30).mean() < 0.25


def test_order_lines(orders, lines, export):
    eval_of = orders.set_index(orders["order_id"].astype(int))["eval_set"]
    for name, df in lines.items():
        assert (eval_of.loc[df["order_id"]] == name).all()
        assert (
            df.groupby("order_id")["add_to_cart_order"]
            .apply(lambda s: list(s) == list(range(1, len(s) + 1)))
            .all()
        )
        assert not df.duplicated(["order_id", "product_id"]).any()
        assert set(df["reordered"]) <= {0, 1}
    test_ids = set(eval_of[eval_of == "test"].index)
    assert not test_ids & (set(lines["prior"]["order_id"]) | set(lines["train"]["order_id"]))
    assert set(eval_of[eval_of != "test"].index) == set(lines["prior"]["order_id"]) | set(
        lines["train"]["order_id"]
    )
    products = pd.read_csv(export / "products.csv")
    assert set(lines["prior"]["product_id"]) <= set(products["product_id"])
    # reordered = the user bought the product in an earlier order
    o = orders.assign(order_id=orders["order_id"].astype(int), n=orders["order_number"].astype(int))
    all_lines = pd.concat(lines.values()).merge(o[["order_id", "user_id", "n"]], on="order_id")
    all_lines = all_lines.sort_values(["user_id", "product_id", "n"])
    expected = all_lines.duplicated(["user_id", "product_id"]).astype(int)
    assert (expected == all_lines["reordered"]).all()
    per_order = lines["prior"].groupby("order_id").size().mean()
    assert 6 < per_order < 15
    assert 0.4 < lines["prior"]["reordered"].mean() < 0.75


def test_facts_match_the_files(export, orders, lines):
    facts = json.loads((export / "facts.json").read_text())
    assert facts["users"] == orders["user_id"].nunique() == 400
    assert facts["orders"] == len(orders)
    assert facts["orders_by_eval_set"] == {
        k: int((orders["eval_set"] == k).sum()) for k in ("prior", "train", "test")
    }
    assert facts["prior_lines"] == len(lines["prior"]) and facts["train_lines"] == len(lines["train"])
    assert facts["reordered_prior_lines"] == lines["prior"]["reordered"].sum()
    for name in ("products", "aisles", "departments"):
        assert facts[name] == len(pd.read_csv(export / f"{name}.csv"))
    assert facts["orders_with_capped_gap"] == (orders["days_since_prior_order"] == "30.0").sum()


def test_builtin_catalogue_quotes_names_with_commas(export):
    raw = (export / "products.csv").read_text().splitlines()[1:]
    products = pd.read_csv(export / "products.csv")
    with_comma = products["product_name"].str.contains(",")
    assert with_comma.any()
    assert sum(line.count('"') > 0 for line in raw) == with_comma.sum()
    assert set(products["aisle_id"]) <= set(pd.read_csv(export / "aisles.csv")["aisle_id"])
    assert set(products["department_id"]) == set(pd.read_csv(export / "departments.csv")["department_id"])


def test_truth_timeline_matches_the_file(export, orders):
    truth = pd.read_parquet(export / "ground_truth.parquet")
    tord = pd.read_parquet(export / "ground_truth_orders.parquet")
    assert len(truth) == 400 and truth["customer_id"].tolist() == list(range(1, 401))
    assert truth.attrs["weekly_profile"] and len(truth.attrs["weekly_profile"]) == 168
    tord = tord.rename(columns={"order_number": "true_order_number", "eval_set": "true_eval_set"})
    f = orders.assign(order_id=orders["order_id"].astype(int)).merge(tord, on="order_id")
    assert len(f) == len(orders) and (f["user_id"].astype(int) == f["customer_id"]).all()
    assert (f["order_number"].astype(int) == f["true_order_number"]).all()
    assert (f["eval_set"] == f["true_eval_set"]).all()
    f = f.sort_values(["customer_id", "true_order_number"])
    last = f.groupby("customer_id").tail(1)
    assert (last["order_ts"].dt.date.astype(str) == "2017-06-30").all()
    assert (f["order_ts"].dt.hour == f["order_hour_of_day"].astype(int)).all()
    day = f["order_ts"].dt.floor("D")
    true_gap = (day - day.groupby(f["customer_id"]).shift()).dt.days
    file_gap = pd.to_numeric(f["days_since_prior_order"], errors="coerce")
    has = file_gap.notna()
    assert (np.minimum(true_gap[has], 30) == file_gap[has]).all()
    assert (true_gap[has & (file_gap == 30)] >= 30).all()
    # the hidden calendar: order_ts + clock_offset_days falls on order_dow (0 = Sunday)
    offset = f["customer_id"].map(truth.set_index("customer_id")["clock_offset_days"])
    latent = f["order_ts"] + pd.to_timedelta(offset, unit="D")
    assert ((latent.dt.day_of_week + 1) % 7 == f["order_dow"].astype(int)).all()
    assert (truth["orders"] == f.groupby("customer_id").size().to_numpy()).all()


def test_same_seed_same_bytes(tmp_path):
    for d in ("a", "b"):
        generate("instacart", tmp_path / d, GeneratorConfig(customers=60, seed=9))
    for name in ("orders.csv", "order_products__prior.csv", "order_products__train.csv", "products.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_decline_is_refused_for_relative_time(tmp_path):
    with pytest.raises(ValueError, match="steady"):
        generate("instacart", tmp_path, GeneratorConfig(customers=10, scenario="decline"))


def test_real_catalogue_is_copied_byte_for_byte_and_used(tmp_path):
    catalogue = shared_data("instacart_head")
    facts = generate("instacart", tmp_path, GeneratorConfig(customers=80, seed=1), catalogue_dir=catalogue)
    for name in ("products.csv", "aisles.csv", "departments.csv"):
        assert (tmp_path / name).read_bytes() == (catalogue / name).read_bytes()
    products = pd.read_csv(catalogue / "products.csv")
    used = pd.read_csv(tmp_path / "order_products__prior.csv")["product_id"]
    assert set(used) <= set(products["product_id"])
    assert facts["products"] == len(products)
    truth = pd.read_parquet(tmp_path / "ground_truth.parquet")
    departments = set(pd.read_csv(catalogue / "departments.csv")["department"])
    assert set(truth["favourite_category"]) <= departments


def test_churn_boost_department(tmp_path):
    generate("instacart", tmp_path, GeneratorConfig(customers=300, seed=2, churn_boost_category="produce"))
    truth = pd.read_parquet(tmp_path / "ground_truth.parquet")
    fans = truth["favourite_category"] == "produce"
    assert 0.1 < fans.mean() < 0.95
    assert truth.loc[fans, "dropout_prob"].mean() > 2 * truth.loc[~fans, "dropout_prob"].mean()
