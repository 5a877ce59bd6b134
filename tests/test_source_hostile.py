"""Hostile headers and values: every adapter reads them as data, never as SQL.

A header or a cell made of quotes, ``$$``, ``;``, ``--``, braces, backslashes and NUL must
either arrive as the same plain text or be refused with a DataError; it must never change a
file outside the warehouse or a table the ingest does not write.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

#: The header that ran SQL through the CSV reader's column list: it wrote ``pwned.csv``.
INJECTION = "x\"': $$VARCHAR$$}); COPY (SELECT 1) TO $$pwned.csv$$; --"
TOKENS = [
    '"', "'", "''", "$$", ";", "--", "{", "}", "\\", "\x00", ",", "(", ")", " ", "x", "é",
    "); DROP TABLE runs; --", "COPY (SELECT 1) TO $$pwned.csv$$", "' || '", "%s", "?", "$1", "/*", "*/",
]  # fmt: skip
hostile = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join)


def csv_text(rows: list[list[str]], delim: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\n").writerows(rows)
    return out.getvalue()


# ---- one small shop per adapter: the hostile header is an extra column, the hostile value a text --
def generic(d: Path, header: str, value: str):
    rows = [["order_id", "customer_id", "order_ts", "amount", header]]
    rows += [[f"o{i}", f"c{i}", f"2020-01-0{i} 10:00:00", "10.5", value if i == 1 else "p"] for i in (1, 2, 3)]
    (d / "orders.csv").write_text(csv_text(rows), encoding="utf-8")
    m = {"order_id": "order_id", "customer_id": "customer_id", "order_ts": "order_ts"}
    options = {"map": {**m, "total_amount": "amount", "promo_code": header}}
    return [d / "orders.csv"], options, "SELECT promo_code AS v FROM orders WHERE order_id = 'o1'", value.strip()


def online_retail(d: Path, header: str, value: str):
    cols = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    rows = [[*cols, header]]
    for i in (1, 2, 3):
        rows.append([f"53636{i}", f"S{i}", value if i == 1 else "CUP", "2", "2010-12-01 08:26:00", "2.5", "17850", "UK", "z"])
    (d / "retail.csv").write_text(csv_text(rows), encoding="utf-8")
    return [d / "retail.csv"], {}, "SELECT name AS v FROM products WHERE product_id = 'S1'", value.strip()


def instacart(d: Path, header: str, value: str):
    orders = [["order_id", "user_id", "eval_set", "order_number", "order_dow", "order_hour_of_day", "days_since_prior_order"]]
    orders += [["1", "7", "prior", "1", "2", "10", ""], ["2", "7", "prior", "2", "3", "11", "5.0"]]
    products = [["product_id", "product_name", "aisle_id", "department_id", header]]
    products += [["1", value, "", "", "z"], ["2", "Milk", "", "", "z"], ["3", "Eggs", "", "", "z"]]
    (d / "orders.csv").write_text(csv_text(orders), encoding="utf-8")
    (d / "products.csv").write_text(csv_text(products), encoding="utf-8")
    return [d], {}, "SELECT name AS v FROM products WHERE product_id = '1'", value.strip()


def fashion_campus(d: Path, header: str, value: str):
    customer = [
        ["customer_id", "gender", "birthdate", "device_type", "home_location", "home_country", "first_join_date", header]
    ]
    customer += [[str(i), "F", "1990-01-02", "iOS", value if i == 1 else "Bali", "Indonesia", "2019-07-21", "z"] for i in (1, 2, 3)]
    product = [["id", "gender", "masterCategory", "subCategory", "articleType", "baseColour", "season", "year", "usage", "productDisplayName"]]
    product += [["9", "Men", "Accessories", "Watches", "Watches", "Black", "", "2011", "", "Watch"]]
    tx = [["created_at", "customer_id", "booking_id", "session_id", "product_metadata", "payment_method",
           "payment_status", "promo_amount", "promo_code", "shipment_fee", "total_amount"]]
    tx += [["2018-08-01T10:00:00Z", "1", "b1", "s1", "[{'product_id': 9, 'quantity': 1, 'item_price': 5000}]",
            "OVO", "Success", "0", "", "0", "5000"]]
    (d / "customer.csv").write_text(csv_text(customer), encoding="utf-8")
    (d / "product.csv").write_text(csv_text(product), encoding="utf-8")
    (d / "transactions.csv").write_text(csv_text(tx), encoding="utf-8")
    return [d], {}, "SELECT region AS v FROM customers WHERE customer_id = '1'", value
# fmt: skip


def diginetica(d: Path, header: str, value: str):
    rows = [["session_id", "user_id", "item_id", "timeframe", "eventdate", header]]
    rows += [["1", "NA", value if i == 1 else "5", str(i), "2016-05-09", "z"] for i in (1, 2, 3)]
    (d / "views.csv").write_text(csv_text(rows, ";"), encoding="utf-8")
    return [d / "views.csv"], {}, "SELECT product_id AS v FROM events WHERE event_id = '1-2'", value


SHOPS = {
    "generic": generic,
    "online-retail": online_retail,
    "instacart": instacart,
    "fashion-campus": fashion_campus,
    "diginetica": diginetica,
}


def listing(*dirs: Path) -> dict[str, int]:
    return {str(p): p.stat().st_size for d in dirs for p in sorted(d.rglob("*"))}


def ingest_hostile(kind: str, header: str, value: str) -> None:
    """Ingest a shop holding ``header`` and ``value``; assert the outcome is data, never code."""
    with tempfile.TemporaryDirectory() as tmp:
        work, shop, home = Path(tmp, "cwd"), Path(tmp, "shop"), Path(tmp, "warehouse")
        for d in (work, shop, home):
            d.mkdir()
        paths, options, query, expected = SHOPS[kind](shop, header, value)
        old_cwd = os.getcwd()
        os.chdir(work)  # a relative COPY ... TO would land here
        wh = Warehouse(None)  # in memory: any file written is outside it
        try:
            wh.append_run({"run_id": "before", "kind": "test", "dataset": "{}"})
            wh.con.con.execute("CREATE TABLE canary AS SELECT * FROM range(2) t(a)")
            tables = set(wh.tables())
            files = listing(work, shop)
            ingested = True
            try:
                ingest(kind, paths, wh, options=options)
            except DataError as exc:  # refused: the message says why, in plain words
                assert exc.file or exc.column or exc.values, str(exc)
                ingested = False
            else:
                got = wh.con.con.execute(query).fetchall()
                rejected = wh.con.con.execute("SELECT reason FROM rejected_rows").fetchall()
                # the value is stored as written (empty means missing), or its row is rejected
                assert (got and got[0][0] == (expected or None)) or (not got and rejected), (got, rejected)
            assert listing(work, shop) == files
            assert set(wh.tables()) - {"customers", "products", "orders", "order_items", "events",
                                       "rejected_rows"} == tables - {"customers", "products", "orders", "order_items",
                                                                     "events", "rejected_rows"}  # fmt: skip
            runs = wh.to_pandas("runs")
            assert runs["run_id"].iloc[0] == "before" and len(runs) == 1 + ingested
            assert wh.con.con.execute("SELECT a FROM canary ORDER BY a").fetchall() == [(0,), (1,)]
        finally:
            wh.close()
            os.chdir(old_cwd)


@pytest.mark.parametrize("kind", sorted(SHOPS))
def test_the_header_that_ran_sql_is_plain_text(kind):
    ingest_hostile(kind, INJECTION, INJECTION)


@pytest.mark.parametrize("kind", sorted(SHOPS))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=hostile, value=hostile)
@example(header="x'); DROP TABLE runs; --", value="$$; DROP TABLE canary; --")
def test_hostile_headers_and_values_are_data(kind, header, value):
    ingest_hostile(kind, header, value)


def test_hostile_parquet_column_names_are_plain_text(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = INJECTION.replace("pwned.csv", str(tmp_path / "pwned.csv"))
    table = pa.table({"id": ["o1", "o2"], "cust": ["c1", "c2"], "ts": ["2020-01-01 10:00:00"] * 2, name: ["a", "b"]})
    pq.write_table(table, tmp_path / "orders.parquet")
    wh = Warehouse(None)
    options = {"map": {"order_id": "id", "customer_id": "cust", "order_ts": "ts", "promo_code": name}}
    ingest("generic", [tmp_path / "orders.parquet"], wh, options=options)
    assert wh.con.con.execute("SELECT promo_code FROM orders ORDER BY 1").fetchall() == [("a",), ("b",)]
    assert not (tmp_path / "pwned.csv").exists()
