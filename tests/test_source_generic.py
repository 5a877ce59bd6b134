"""Generic column-mapping adapter: Olist in the multi-file form, hand-built single files, bad maps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import counts, query, rejected
from conftest import shared_data as shared

from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

OLIST_MAP = {
    "orders.order_id": "order_id",
    "orders.customer_id": "customer_id",
    "orders.order_ts": "order_purchase_timestamp",
    "orders.status": "order_status",
    "items.product_id": "product_id",
    "items.unit_price": "price",
    "items.line_no": "order_item_id",
    "items.shipping": "freight_value",
    "payments.amount": "payment_value",
    "payments.method": "payment_type",
    "customers.customer_id": "customer_id",
    "customers.person_id": "customer_unique_id",
    "customers.region": "customer_state",
}


def run(paths, options) -> tuple:
    wh = Warehouse(None)
    summary = ingest("generic", [str(p) for p in paths], wh, options=options)
    counts(summary)
    return summary, wh


# ---- Olist, multi-file form -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def olist():
    folder = shared("olist_first1000")
    paths = [
        f"orders={folder / 'olist_orders_dataset.csv'}",
        f"items={folder / 'olist_order_items_dataset.csv'}",
        f"payments={folder / 'olist_order_payments_dataset.csv'}",
        f"customers={folder / 'olist_customers_dataset.csv'}",
    ]
    summary, wh = run(paths, {"map": OLIST_MAP, "currency": "BRL"})
    raw = {
        name: pd.read_csv(folder / f"olist_{name}_dataset.csv")
        for name in ("orders", "order_items", "order_payments", "customers")
    }
    yield summary, wh, raw
    wh.close()


def test_olist_counts(olist):
    summary, wh, raw = olist
    c = counts(summary)
    assert c["orders"] == (1_000, 1_000, 0)
    assert c["order_items"] == (1_149, 1_149, 0)
    assert c["payments"] == (1_041, 1_041, 0)
    assert c["customers"][1] == raw["customers"]["customer_unique_id"].nunique() == 1_000
    assert summary.dataset["currency"] == "BRL" and summary.dataset["time_mode"] == "calendar"
    assert summary.dataset["prices"] is True
    assert query(wh, "SELECT count(*) AS n FROM rejected_rows")["n"][0] == 0


def test_olist_orders_belong_to_persons(olist):
    _summary, wh, raw = olist
    o = query(wh, "SELECT order_id, customer_id, order_ts FROM orders").set_index("order_id")
    expect = raw["orders"].merge(raw["customers"], on="customer_id").set_index("order_id")
    assert (o.loc[expect.index, "customer_id"] == expect["customer_unique_id"]).all()
    assert (o.loc[expect.index, "order_ts"] == pd.to_datetime(expect["order_purchase_timestamp"])).all()
    cust = query(wh, "SELECT customer_id, region FROM customers").set_index("customer_id")
    by_person = raw["customers"].set_index("customer_unique_id")["customer_state"]
    assert (cust.loc[by_person.index, "region"] == by_person).all()


def test_olist_amounts_from_payments_and_items(olist):
    _summary, wh, raw = olist
    o = query(wh, "SELECT * FROM orders").set_index("order_id")
    paid = raw["order_payments"].groupby("order_id")["payment_value"].sum()
    assert len(paid) == 1_000
    assert (o.loc[paid.index, "total_amount"] - paid).abs().max() < 1e-6
    items = (
        raw["order_items"].groupby("order_id").agg(price=("price", "sum"), freight=("freight_value", "sum"))
    )
    assert (o.loc[items.index, "items_amount"] - items["price"]).abs().max() < 1e-6
    assert (o.loc[items.index, "shipping_amount"] - items["freight"]).abs().max() < 1e-6
    single = raw["order_payments"].groupby("order_id").filter(lambda g: len(g) == 1).set_index("order_id")
    assert (o.loc[single.index, "payment_method"] == single["payment_type"]).all()
    lines = query(wh, "SELECT * FROM order_items")
    assert (lines["quantity"] == 1).all()
    assert lines["line_no"].max() == raw["order_items"]["order_item_id"].max()


def test_olist_statuses_mapped(olist):
    _summary, wh, raw = olist
    o = query(wh, "SELECT order_id, status FROM orders").set_index("order_id")["status"]
    expected = (
        raw["orders"]
        .set_index("order_id")["order_status"]
        .map(
            {
                "delivered": "paid",
                "shipped": "paid",
                "invoiced": "paid",
                "processing": "paid",
                "canceled": "cancelled",
            }
        )
    )
    assert expected.notna().all()
    assert (o.loc[expected.index] == expected).all()
    assert (o == "cancelled").sum() == 2


def test_olist_files_option_gives_the_same_orders(olist):
    _summary, wh, _raw = olist
    folder = shared("olist_first1000")
    options = {
        "map": OLIST_MAP,
        "files": {
            "items": folder / "olist_order_items_dataset.csv",
            "payments": folder / "olist_order_payments_dataset.csv",
            "customers": folder / "olist_customers_dataset.csv",
        },
    }
    _s, wh2 = run([folder / "olist_orders_dataset.csv"], options)
    sql = "SELECT order_id, customer_id, total_amount FROM orders ORDER BY order_id"
    pd.testing.assert_frame_equal(query(wh, sql), query(wh2, sql))


# ---- single files ---------------------------------------------------------------------------------
LINES = """id,cust,created,sku,qty,price,status
A1,c1,2024-01-05 10:00:00,p1,2,5.0,Complete
A1,c1,2024-01-05 10:00:00,p2,1,3.5,Complete
A2,c2,2024-01-06,p1,1,5.0,shipped
A3,,2024-01-07T08:00:00+02:00,p3,1,10,Cancelled
A4,c1,not a date,p1,1,1,paid
A5,c1,2024-01-09 11:00,p1,x,1,paid
A6,c3,2024-01-10 12:00:00,p1,1,1,on hold
"""
LINE_MAP = {
    "order_id": "id",
    "customer_id": "cust",
    "order_ts": "created",
    "product_id": "sku",
    "quantity": "qty",
    "unit_price": "price",
    "status": "status",
}


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def test_line_level_file(tmp_path):
    summary, wh = run([write(tmp_path, "lines.csv", LINES)], {"map": LINE_MAP})
    c = counts(summary)
    assert c["order_items"] == (7, 4, 3)
    assert c["orders"] == (3, 3, 0) and c["products"][1] == 3 and c["customers"][1] == 2
    o = query(wh, "SELECT * FROM orders ORDER BY order_id")
    assert o["order_id"].tolist() == ["A1", "A2", "A3"]
    assert o["customer_id"].tolist()[:2] == ["c1", "c2"] and pd.isna(o["customer_id"][2])
    assert o["order_ts"].tolist() == [
        datetime(2024, 1, 5, 10),
        datetime(2024, 1, 6, 12),  # a date alone: config.ingest.default_hour
        datetime(2024, 1, 7, 6),  # +02:00 -> UTC
    ]
    assert o["status"].tolist() == ["paid", "paid", "cancelled"]
    assert o["items_amount"].tolist() == [13.5, 5.0, 10.0]
    assert o["total_amount"].tolist() == [13.5, 5.0, 10.0]
    items = query(wh, "SELECT order_id, line_no, product_id, quantity FROM order_items ORDER BY 1, 2")
    assert items.values.tolist() == [
        ["A1", 1, "p1", 2.0],
        ["A1", 2, "p2", 1.0],
        ["A2", 1, "p1", 1.0],
        ["A3", 1, "p3", 1.0],
    ]
    rej = rejected(wh).set_index("line")["reason"]
    assert rej[6] == "order_ts: not a date and time: not a date"
    assert rej[7] == "quantity: not a number: x"
    assert rej[8].startswith("status: unknown status (known: approved, canceled")
    assert rej[8].endswith(": on hold") and "delivered" in rej[8]
    assert any("1 guest orders" in n for n in summary.notes)


def test_status_map_and_unknown_status_options(tmp_path):
    path = write(tmp_path, "lines.csv", LINES)
    summary, wh = run([path], {"map": LINE_MAP, "status_map": {"On Hold": "failed"}})
    assert query(wh, "SELECT status FROM orders WHERE order_id = 'A6'")["status"][0] == "failed"
    _s, wh = run([path], {"map": LINE_MAP, "unknown_status": "paid"})
    assert query(wh, "SELECT status FROM orders WHERE order_id = 'A6'")["status"][0] == "paid"
    with pytest.raises(DataError, match="status_map"):
        run([path], {"map": LINE_MAP, "status_map": {"on hold": "pending"}})


def test_order_level_file_with_amounts(tmp_path):
    text = "id;cust;created;amount\n1;c1;2024-03-01 09:30:00;20.5\n2;c1;2024-03-09 18:00:00;7\n3;c2;2024-03-10;\n"
    summary, wh = run(
        [write(tmp_path, "orders.csv", text)],
        {"map": {"order_id": "id", "customer_id": "cust", "order_ts": "created", "total_amount": "amount"}},
    )
    c = counts(summary)
    assert c["orders"] == (3, 3, 0) and c["customers"] == (2, 2, 0)
    assert "order_items" not in c
    o = query(wh, "SELECT * FROM orders ORDER BY order_id")
    assert o["total_amount"].tolist()[:2] == [20.5, 7.0] and pd.isna(o["total_amount"][2])
    assert (o["status"] == "paid").all()
    assert query(wh, "SELECT count(*) AS n FROM order_items")["n"][0] == 0
    assert any("1 orders without a total amount" in n for n in summary.notes)


def test_parquet_file_with_typed_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "cust": [17850.0, 17850.0, None],
            "created": pd.to_datetime(["2024-02-01 08:00", "2024-02-01 08:00", "2024-02-03 09:15"]),
            "sku": ["X", "Y", "X"],
            "qty": [3, 1, 2],
            "price": [1.5, 10.0, 1.5],
        }
    )
    path = tmp_path / "lines.parquet"
    frame.to_parquet(path)
    m = {
        "customer_id": "cust",
        "order_ts": "created",
        "product_id": "sku",
        "quantity": "qty",
        "unit_price": "price",
    }
    summary, wh = run([path], {"map": m})
    o = query(wh, "SELECT * FROM orders ORDER BY order_ts")
    assert o["order_id"].tolist() == ["17850@2024-02-01T08:00:00", "guest@2024-02-03T09:15:00"]
    assert o["customer_id"][0] == "17850" and pd.isna(o["customer_id"][1])
    assert o["total_amount"].tolist() == [14.5, 3.0]
    assert counts(summary)["order_items"] == (3, 3, 0)
    assert any("no order id" in n for n in summary.notes)


def test_order_level_file_without_order_ids(tmp_path):
    text = "cust,created\nc1,2024-03-01 09:30:00\nc1,2024-03-01 09:30:00\n"
    summary, wh = run(
        [write(tmp_path, "o.csv", text)], {"map": {"customer_id": "cust", "order_ts": "created"}}
    )
    assert query(wh, "SELECT order_id FROM orders ORDER BY 1")["order_id"].tolist() == ["row 2", "row 3"]
    assert summary.dataset["prices"] is False and summary.dataset["currency"] is None
    assert any("each row is an order" in n for n in summary.notes)


def test_timestamp_format_option(tmp_path):
    path = write(tmp_path, "o.csv", "id,cust,created\n1,c1,05/01/2024 10:00\n2,c2,28/02/2024 23:59\n")
    m = {"order_id": "id", "customer_id": "cust", "order_ts": "created"}
    with pytest.raises(DataError) as exc:
        run([path], {"map": m})
    assert "timestamp_format" in str(exc.value) and "'05/01/2024 10:00'" in str(exc.value)
    _s, wh = run([path], {"map": m, "timestamp_format": "%d/%m/%Y %H:%M"})
    ts = query(wh, "SELECT order_ts FROM orders ORDER BY order_id")["order_ts"].tolist()
    assert ts == [datetime(2024, 1, 5, 10), datetime(2024, 2, 28, 23, 59)]


def test_customers_merge_into_persons(tmp_path):
    orders = write(
        tmp_path, "o.csv", "oid,cid,ts\n1,k1,2024-01-01\n2,k2,2024-02-01\n3,k3,2024-03-01\n4,k9,2024-03-02\n"
    )
    customers = write(tmp_path, "c.csv", "cid,person,state\nk1,P1,SP\nk2,P1,RJ\nk3,P2,MG\nk3,P2,MG\n")
    m = {
        "order_id": "oid",
        "customer_id": "cid",
        "order_ts": "ts",
        "customers.person_id": "person",
        "customers.region": "state",
    }
    summary, wh = run([orders, f"customers={customers}"], {"map": m})
    o = query(wh, "SELECT order_id, customer_id FROM orders ORDER BY 1")
    assert o["customer_id"].tolist() == ["P1", "P1", "P2", "k9"]
    cust = query(wh, "SELECT customer_id, region FROM customers ORDER BY 1")
    assert cust.values.tolist() == [["P1", "RJ"], ["P2", "MG"]]
    assert counts(summary)["customers"] == (3, 2, 1)  # 4 rows: 1 duplicate rejected, 1 merged (noted)
    assert any("1 customer rows merged" in n for n in summary.notes)
    assert any("1 orders of customers not in the customers file" in n for n in summary.notes)
    assert "duplicate customer_id k3" in rejected(wh)["reason"].iloc[0]


# ---- bad maps and bad values ----------------------------------------------------------------------
def test_mapped_column_missing_names_file_key_columns_and_fix(tmp_path):
    path = write(tmp_path, "o.csv", "id,cust,created_at\n1,c1,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        run([path], {"map": {"order_id": "id", "customer_id": "cust", "order_ts": "created"}})
    msg = str(exc.value)
    assert str(path) in msg and "orders.order_ts=created" in msg
    assert "created_at" in msg and "--map orders.order_ts=<column>" in msg


@pytest.mark.parametrize(
    "options, needle",
    [
        ({"map": {"customer_id": "cust"}}, "lacks order_ts"),
        ({"map": {"customer_id": "cust", "order_ts": "ts", "colour": "x"}}, "Unknown field"),
        ({"map": {"customer_id": "cust", "order_ts": "ts", "basket.x": "x"}}, "Unknown role"),
        ({"map": {"customer_id": "cust", "order_ts": "ts", "items.product_id": "sku"}}, "no items file"),
        ({"map": {"customer_id": "cust", "order_ts": "ts"}, "unknown_status": "maybe"}, "unknown_status"),
    ],
)
def test_bad_maps_are_data_errors(tmp_path, options, needle):
    path = write(tmp_path, "o.csv", "id,cust,ts\n1,c1,2024-01-01\n")
    with pytest.raises(DataError, match=needle):
        run([path], options)


def test_items_without_an_order_key_cannot_join(tmp_path):
    orders = write(tmp_path, "o.csv", "cust,ts\nc1,2024-01-01\n")
    items = write(tmp_path, "i.csv", "oid,sku\n1,x\n")
    with pytest.raises(DataError, match="cannot be joined"):
        run(
            [orders, f"items={items}"],
            {"map": {"customer_id": "cust", "order_ts": "ts", "items.product_id": "sku"}},
        )


def test_directory_and_two_orders_files_are_data_errors(tmp_path):
    m = {"map": {"customer_id": "cust", "order_ts": "ts"}}
    with pytest.raises(DataError, match="not directories"):
        run([tmp_path], m)
    a = write(tmp_path, "a.csv", "cust,ts\nc,2024-01-01\n")
    with pytest.raises(DataError, match="Two files"):
        run([a, a], m)


@pytest.mark.parametrize("data, needle", [(b"", "empty"), (b"id,cust,ts\n", "no rows")])
def test_empty_files_are_data_errors(tmp_path, data, needle):
    path = write(tmp_path, "o.csv", data)
    with pytest.raises(DataError, match=needle):
        run([path], {"map": {"order_id": "id", "customer_id": "cust", "order_ts": "ts"}})


def test_bad_rows_of_every_role_are_rejected_with_reasons(tmp_path):
    orders = write(
        tmp_path,
        "o.csv",
        b"id,cust,ts,st\n1,c1,2024-01-01 10:00,delivered\n2,c2,2024-01-02 11:00,canceled\n"
        b"2,c3,2024-01-03 12:00,delivered\n,c4,2024-01-03 12:00,delivered\n5,c\xe9,2024-01-04,paid\n"
        b"6,c6,2024-01-05,paid\n7,c7,2024-01",
    )
    items = write(
        tmp_path, "i.csv", "id,sku,price,n\n1,a,10,1\n1,b,2.5,2\n1,b,2.5,2\n2,a,ten,1\n9,a,1,1\n6,a,1,1\n"
    )
    pays = write(tmp_path, "p.csv", "id,value,kind\n1,12.5,card\n2,,card\n9,3,card\n6,1,cash\n")
    m = {
        "order_id": "id",
        "customer_id": "cust",
        "order_ts": "ts",
        "status": "st",
        "items.product_id": "sku",
        "items.unit_price": "price",
        "items.line_no": "n",
        "payments.amount": "value",
        "payments.method": "kind",
    }
    summary, wh = run([orders, f"items={items}", f"payments={pays}"], {"map": m})
    c = counts(summary)
    assert c["orders"] == (7, 3, 4)
    assert c["order_items"] == (6, 3, 3)
    assert c["payments"] == (4, 2, 2)
    rej = rejected(wh)
    reasons = {
        (Path(f).name, line): r
        for f, line, r in rej[["source_file", "line", "reason"]].itertuples(index=False)
    }
    assert reasons[("o.csv", 4)] == "duplicate order_id 2 (first on line 3)"
    assert reasons[("o.csv", 5)] == "order_id: missing"
    assert reasons[("o.csv", 6)].startswith("malformed line") and "unicode" in reasons[("o.csv", 6)].lower()
    assert reasons[("o.csv", 8)].startswith("malformed line")
    assert reasons[("i.csv", 4)] == "duplicate order_id/line_no 1/2 (first on line 3)"
    assert reasons[("i.csv", 5)] == "unit_price: not a number: ten"
    assert reasons[("i.csv", 6)].startswith("order 9 is not among the stored orders")
    assert reasons[("p.csv", 3)] == "amount: not a number: NULL"
    assert reasons[("p.csv", 4)].startswith("order 9 is not among the stored orders")
    o = query(wh, "SELECT * FROM orders ORDER BY order_id").set_index("order_id")
    assert o.loc["1", "total_amount"] == 12.5 and o.loc["1", "items_amount"] == 12.5
    assert o.loc["1", "payment_method"] == "card" and o.loc["2", "status"] == "cancelled"
    assert pd.isna(o.loc["2", "total_amount"])  # its only payment was rejected


def test_unknown_file_role_is_a_data_error(tmp_path):
    write(tmp_path, "o.csv", "cust,ts\nc,2024-01-01\n")
    with pytest.raises(DataError, match="Unknown file role 'basket'"):
        run(
            [tmp_path / "o.csv", f"basket={tmp_path / 'o.csv'}"],
            {"map": {"customer_id": "cust", "order_ts": "ts"}},
        )
