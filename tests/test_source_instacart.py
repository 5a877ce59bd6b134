"""Instacart adapter: the real heads of the files, and hand-built files for bad input."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import counts, query, rejected
from conftest import shared_data as shared

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

SNAPSHOT = datetime(2017, 6, 30)


# ---- the real heads -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    folder = shared("instacart_head")
    wh = Warehouse(None)
    summary = ingest("instacart", [folder], wh)
    raw = pd.read_csv(folder / "orders.csv", dtype={"order_hour_of_day": str})
    yield summary, wh, raw
    wh.close()


def test_real_counts(real):
    summary, wh, _raw = real
    got = counts(summary)
    assert got["orders"] == (35_078, 35_078, 0)
    assert got["customers"][1] == 2_182
    assert got["products"][1] == 49_688
    assert got["order_items"] == (70_017 + 63_766, 70_017 + 63_766, 0)
    assert summary.rejected == 0
    split = dict(query(wh, "SELECT eval_set, count(*) FROM orders GROUP BY 1").itertuples(index=False))
    assert split == {"prior": 32_896, "train": 1_394, "test": 788}
    assert query(wh, "SELECT count(DISTINCT customer_id) AS n FROM orders")["n"][0] == 2_182


def test_real_facts_and_notes(real):
    summary, wh, _raw = real
    assert summary.dataset["time_mode"] == "relative"
    assert summary.dataset["snapshot_date"] == "2017-06-30"
    assert summary.dataset["prices"] is False
    assert summary.dataset["currency"] is None
    assert wh.dataset_info()["time_mode"] == "relative"
    # The heads are not aligned: lines of orders outside orders.csv are kept and counted.
    joined = query(
        wh,
        """SELECT o.eval_set, count(*) AS n FROM order_items i JOIN orders o USING (order_id)
        GROUP BY 1""",
    )
    assert dict(joined.itertuples(index=False))["train"] == 789
    outside = 70_017 + 63_766 - int(joined["n"].sum())
    assert any(f"{outside:,} lines of" in n and "not in orders.csv" in n for n in summary.notes)


def test_real_products_have_aisle_and_department(real):
    _summary, wh, _raw = real
    p = query(wh, "SELECT * FROM products")
    assert p["category_l1"].notna().all() and p["category_l2"].notna().all()
    row = p[p["product_id"] == "1"].iloc[0]
    assert (row["name"], row["category_l1"], row["category_l2"]) == (
        "Chocolate Sandwich Cookies",
        "snacks",
        "cookies cakes",
    )
    assert p["category_l1"].nunique() == 21 and p["category_l2"].nunique() == 134


def test_real_items_have_no_prices(real):
    _summary, wh, _raw = real
    i = query(wh, "SELECT * FROM order_items")
    assert (i["quantity"] == 1).all() and i["unit_price"].isna().all()
    assert (i["cart_position"] == i["line_no"]).all()
    raw = pd.read_csv(shared("instacart_head", "order_products__train.csv"))
    assert int(i["reordered"].sum()) == int(
        raw["reordered"].sum()
        + pd.read_csv(shared("instacart_head", "order_products__prior.csv"))["reordered"].sum()
    )
    o = query(wh, "SELECT * FROM orders")
    assert o["total_amount"].isna().all() and o["items_amount"].isna().all()
    assert (o["status"] == "paid").all()


def test_every_users_last_order_is_on_the_snapshot_date(real):
    _summary, wh, _raw = real
    last = query(
        wh,
        """SELECT customer_id, arg_max(order_ts, order_number) AS ts, arg_max(order_hour, order_number) AS h,
                  arg_max(eval_set, order_number) AS eval_set
        FROM orders GROUP BY customer_id""",
    )
    assert len(last) == 2_182
    assert (last["ts"].dt.normalize() == SNAPSHOT).all()
    assert (last["ts"].dt.hour == last["h"]).all()
    assert set(last["eval_set"]) == {"train", "test"}


def test_rebuilt_gaps_equal_days_since_prior(real):
    _summary, wh, raw = real
    o = query(wh, "SELECT order_id, customer_id, order_number, order_ts, order_hour FROM orders")
    for user in (1, 2, 7, 1000, 2182):
        mine = raw[raw["user_id"] == user].sort_values("order_number")
        got = o[o["customer_id"] == str(user)].sort_values("order_number")
        assert list(got["order_id"]) == [str(x) for x in mine["order_id"]]
        day_gaps = got["order_ts"].dt.normalize().diff().dt.days.iloc[1:].tolist()
        assert day_gaps == mine["days_since_prior_order"].iloc[1:].astype(int).tolist()
        assert got["order_ts"].dt.hour.tolist() == mine["order_hour_of_day"].astype(int).tolist()
    # All users at once: offset = -(sum of the later gaps), independently with pandas.
    r = raw.sort_values(["user_id", "order_number"]).copy()
    gaps = r["days_since_prior_order"].fillna(0)
    later = gaps.groupby(r["user_id"]).transform(lambda s: s[::-1].cumsum()[::-1]) - gaps
    expected = pd.Series(
        [
            SNAPSHOT - timedelta(days=d) + timedelta(hours=int(h))
            for d, h in zip(later, r["order_hour_of_day"], strict=True)
        ],
        index=r["order_id"].astype(str),
    )
    got = o.set_index("order_id")["order_ts"]
    assert (got.loc[expected.index].to_numpy() == expected.to_numpy()).all()


def test_gap_censored_exactly_where_the_file_says_30(real):
    _summary, wh, raw = real
    o = query(wh, "SELECT order_id, gap_censored, days_since_prior FROM orders").set_index("order_id")
    flagged = set(o.index[o["gap_censored"]])
    assert flagged == {str(x) for x in raw.loc[raw["days_since_prior_order"] == 30, "order_id"]}
    assert len(flagged) == (raw["days_since_prior_order"] == 30).sum() > 0
    first = raw.loc[raw["order_number"] == 1, "order_id"].astype(str)
    assert o.loc[first, "days_since_prior"].isna().all()
    assert not o.loc[first, "gap_censored"].any()


# ---- hand-built files -----------------------------------------------------------------------------
ORDERS_HEADER = "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order\n"
GOOD_ORDERS = ORDERS_HEADER + (
    "11,1,prior,1,2,08,\n"
    "12,1,prior,2,3,09,10.0\n"
    "13,1,train,3,4,10,30.0\n"
    "21,2,prior,1,0,23,\n"
    "22,2,test,2,6,00,7.0\n"
)
LINES_HEADER = "order_id,product_id,add_to_cart_order,reordered\n"


def write_shop(folder: Path, **files: str | bytes) -> Path:
    defaults = {
        "orders.csv": GOOD_ORDERS,
        "order_products__prior.csv": LINES_HEADER + "11,1,1,0\n11,2,2,0\n12,1,1,1\n",
        "order_products__train.csv": LINES_HEADER + "13,3,1,0\n13,1,2,1\n",
        "products.csv": 'product_id,product_name,aisle_id,department_id\n1,Milk,1,1\n2,"Bread, white",2,2\n'
        "3,Tea,1,1\n",
        "aisles.csv": "aisle_id,aisle\n1,dairy\n2,bakery\n",
        "departments.csv": "department_id,department\n1,dairy eggs\n2,bakery\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**defaults, **{k.replace("__dot__", "."): v for k, v in files.items()}}.items():
        if text is None:
            continue
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


def run(folder: Path, config: ChurnlensConfig | None = None):
    wh = Warehouse(None, config=config)
    summary = ingest("instacart", [folder], wh, config)
    counts(summary)
    return summary, wh


def test_small_shop_rebuilds_times_by_hand(tmp_path):
    summary, wh = run(write_shop(tmp_path / "shop"))
    o = query(wh, "SELECT order_id, order_ts, gap_censored FROM orders").set_index("order_id")
    assert o.loc["13", "order_ts"] == datetime(2017, 6, 30, 10)
    assert o.loc["12", "order_ts"] == datetime(2017, 5, 31, 9)  # 30 days before
    assert o.loc["11", "order_ts"] == datetime(2017, 5, 21, 8)  # 40 days before
    assert o.loc["22", "order_ts"] == datetime(2017, 6, 30, 0)
    assert o.loc["21", "order_ts"] == datetime(2017, 6, 23, 23)
    assert o["gap_censored"].tolist() == [False, False, True, False, False]
    p = query(wh, "SELECT * FROM products ORDER BY product_id")
    assert p["name"].tolist() == ["Milk", "Bread, white", "Tea"]
    assert p["category_l1"].tolist() == ["dairy eggs", "bakery", "dairy eggs"]
    assert counts(summary)["order_items"] == (5, 5, 0)
    assert summary.notes == []


def test_snapshot_date_from_config(tmp_path):
    cfg = ChurnlensConfig()
    cfg.set("ingest.relative_snapshot_date", "2020-01-15")
    summary, wh = run(write_shop(tmp_path / "shop"), cfg)
    assert summary.dataset["snapshot_date"] == "2020-01-15"
    assert query(wh, "SELECT max(order_ts) AS t FROM orders")["t"][0] == datetime(2020, 1, 15, 10)
    # A date in another format is refused when the setting is loaded, naming it.
    with pytest.raises(DataError, match="relative_snapshot_date.*2017-06-30"):
        cfg.set("ingest.relative_snapshot_date", "15/01/2020")


def test_missing_column_is_a_data_error(tmp_path):
    bad = "order_id,user_id,eval_set,order_number,order_dow,days_since_prior_order\n1,1,prior,1,2,\n"
    with pytest.raises(DataError) as exc:
        run(write_shop(tmp_path / "shop", orders__dot__csv=bad))
    assert "order_hour_of_day" in str(exc.value) and "orders.csv" in str(exc.value)


@pytest.mark.parametrize("text", ["", ORDERS_HEADER])
def test_empty_orders_file_is_a_data_error(tmp_path, text):
    with pytest.raises(DataError, match="empty|no rows"):
        run(write_shop(tmp_path / "shop", orders__dot__csv=text))


def test_missing_orders_file_is_a_data_error(tmp_path):
    folder = write_shop(tmp_path / "shop")
    (folder / "orders.csv").unlink()
    with pytest.raises(DataError, match="orders.csv"):
        run(folder)


def test_bad_order_values_are_rejected_with_reasons(tmp_path):
    orders = GOOD_ORDERS + (
        "x1,3,prior,1,2,08,\n"  # 7: id not a whole number
        "31,3,holdout,1,2,08,\n"  # 8: eval_set
        "32,3,prior,2,7,08,3\n"  # 9: weekday
        "33,3,prior,3,1,24,3\n"  # 10: hour
        "34,3,prior,4,1,08,-1\n"  # 11: negative gap
        "35,3,prior,5,1,08,31\n"  # 12: above the cap
        "36,3,prior,6,1,08,soon\n"  # 13: not a number
        "12,4,prior,1,1,08,\n"  # 14: duplicate order id
        "41,1,prior,2,1,08,3\n"  # 15: second order number 2 of user 1
        "42,4,pri"  # 16: truncated last line
    )
    summary, wh = run(write_shop(tmp_path / "shop", orders__dot__csv=orders))
    assert counts(summary)["orders"] == (15, 5, 10)
    rej = rejected(wh)
    rej = rej[rej["target_table"] == "orders"].set_index("line")["reason"]
    assert rej[7] == "order_id: not a whole number: x1"
    assert rej[8].startswith("eval_set: not one of prior, train, test: holdout")
    assert rej[9] == "order_dow: not a whole number 0..6: 7"
    assert rej[10] == "order_hour_of_day: not a whole number 0..23: 24"
    assert rej[11] == "days_since_prior_order: outside 0..30 days: -1"
    assert rej[12] == "days_since_prior_order: outside 0..30 days: 31"
    assert rej[13] == "days_since_prior_order: not a number: soon"
    assert rej[14] == "duplicate order_id 12 (first on line 3)"
    assert rej[15] == "duplicate user_id/order_number 1/2 (first on line 3)"
    assert rej[16].startswith("malformed line")
    assert query(wh, "SELECT count(*) AS n FROM orders")["n"][0] == 5


def test_a_column_of_wrong_type_is_a_data_error(tmp_path):
    orders = ORDERS_HEADER + "1,1,prior,1,Mon,08,\n2,1,prior,2,Tue,09,3\n3,2,prior,1,2,10,\n"
    with pytest.raises(DataError) as exc:
        run(write_shop(tmp_path / "shop", orders__dot__csv=orders))
    assert "order_dow" in str(exc.value) and "'Mon'" in str(exc.value)


def test_order_number_gaps_are_noted(tmp_path):
    orders = ORDERS_HEADER + "1,1,prior,1,2,08,\n2,1,prior,3,2,08,5\n3,2,prior,1,2,08,4\n"
    summary, _wh = run(write_shop(tmp_path / "shop", orders__dot__csv=orders))
    assert any("order numbers of 1 users do not run" in n for n in summary.notes)
    assert any("1 first orders carry" in n for n in summary.notes)


def test_bad_order_lines_are_rejected_with_reasons(tmp_path):
    prior = LINES_HEADER + (
        "11,1,1,0\n"
        "11,2,-1,0\n"  # 3: negative position
        "11,2,2,2\n"  # 4: reordered not 0/1
        "11,x,3,0\n"  # 5: product id
        "11,3,1,1\n"  # 6: duplicate (order, position)
        "99,3,1,1\n"  # 7: order not in orders.csv: kept
    )
    train = LINES_HEADER + "13,3,1,0\n11,1,1,0\n13,1,"  # 3: also in prior; 4: truncated
    summary, wh = run(
        write_shop(
            tmp_path / "shop",
            order_products__prior__dot__csv=prior,
            order_products__train__dot__csv=train,
        )
    )
    assert counts(summary)["order_items"] == (9, 3, 6)
    rej = rejected(wh)
    by_file = {
        (Path(f).name, line): reason
        for f, line, reason in rej[["source_file", "line", "reason"]].itertuples(index=False)
    }
    assert by_file[("order_products__prior.csv", 3)] == "add_to_cart_order: not a whole number from 1: -1"
    assert by_file[("order_products__prior.csv", 4)] == "reordered: not 0 or 1: 2"
    assert by_file[("order_products__prior.csv", 5)] == "product_id: not a whole number: x"
    assert by_file[("order_products__prior.csv", 6)] == "duplicate order_id/line_no 11/1 (first on line 2)"
    assert "already read from order_products__prior.csv" in by_file[("order_products__train.csv", 3)]
    assert by_file[("order_products__train.csv", 4)].startswith("malformed line")
    assert any(n.startswith("1 lines of 1 orders not in orders.csv") for n in summary.notes)
    items = query(wh, "SELECT order_id, line_no, reordered FROM order_items ORDER BY 1, 2")
    assert items.values.tolist() == [["11", 1, False], ["13", 1, False], ["99", 1, True]]


def test_missing_line_files_and_lookups_are_noted(tmp_path):
    folder = write_shop(tmp_path / "shop")
    for name in ("order_products__train.csv", "aisles.csv", "departments.csv"):
        (folder / name).unlink()
    summary, wh = run(folder)
    assert any("order_products__train.csv not found" in n for n in summary.notes)
    assert any("aisles.csv not found" in n for n in summary.notes)
    assert counts(summary)["order_items"] == (3, 3, 0)
    assert query(wh, "SELECT count(category_l1) AS n FROM products")["n"][0] == 0


def test_unknown_aisle_keeps_the_product_without_category(tmp_path):
    products = (
        "product_id,product_name,aisle_id,department_id\n1,Milk,1,1\n2,Odd,77,2\n3,Tea,1,1\n1,Again,1,1\n"
    )
    summary, wh = run(write_shop(tmp_path / "shop", products__dot__csv=products))
    p = query(wh, "SELECT * FROM products ORDER BY product_id").set_index("product_id")
    assert pd.isna(p.loc["2", "category_l2"]) and p.loc["2", "category_l1"] == "bakery"
    assert any("1 products with an unknown aisle id" in n for n in summary.notes)
    assert counts(summary)["products"] == (4, 3, 1)


def test_product_file_cut_inside_a_quoted_name(tmp_path):
    products = 'product_id,product_name,aisle_id,department_id\n1,Milk,1,1\n2,Tea,1,1\n3,"Bread, wh'
    summary, wh = run(write_shop(tmp_path / "shop", products__dot__csv=products))
    assert counts(summary)["products"] == (3, 2, 1)
    rej = rejected(wh)
    assert rej.loc[rej["line"] == 4, "reason"].iloc[0].startswith("malformed line: quoted value never closed")


def test_non_utf8_line_is_rejected(tmp_path):
    products = b"product_id,product_name,aisle_id,department_id\n1,Milk,1,1\n2,Caf\xe9,1,1\n3,Tea,1,1\n"
    summary, wh = run(write_shop(tmp_path / "shop", products__dot__csv=products))
    assert counts(summary)["products"] == (3, 2, 1)
    assert "unicode" in rejected(wh)["reason"].iloc[0].lower()
