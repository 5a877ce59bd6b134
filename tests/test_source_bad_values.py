"""Messy input, case by case: values never stored, input that must be accepted, clear errors.

Every case builds its bad file in tmp_path and asserts the exact outcome: the rejected rows
carry their reason and read = stored + rejected, or the DataError names the file, the column
and the fix, and the warehouse keeps what it held.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import counts

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

RETAIL_HEAD = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def retail(*rows: str) -> str:
    """An Online Retail CSV: four good lines (2..5) then ``rows`` (lines 6..)."""
    good = "".join(
        f"5363{i},S{i},CUP,2,2010-12-01 08:2{i}:00,2.50,1785{i},United Kingdom\n" for i in range(4)
    )
    return RETAIL_HEAD + good + "".join(r + "\n" for r in rows)


GENERIC_MAP = {"order_id": "id", "customer_id": "cust", "order_ts": "ts", "total_amount": "amount"}


def orders(*rows: str) -> str:
    """A generic orders CSV: four good orders (lines 2..5) then ``rows`` (lines 6..)."""
    good = "".join(f"g{i},c{i},2024-01-0{i + 1} 10:00:00,10.0\n" for i in range(4))
    return "id,cust,ts,amount\n" + good + "".join(r + "\n" for r in rows)


VIEWS_HEAD = "session_id;user_id;item_id;timeframe;eventdate\n"
INSTACART_ORDERS = (
    "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order\n"
    "11,1,prior,1,2,8,\n12,1,prior,2,3,9,10.0\n13,1,train,3,4,10,30.0\n21,2,prior,1,0,23,\n"
)
LINES_HEAD = "order_id,product_id,add_to_cart_order,reordered\n"


def write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for key, data in files.items():
        role, _, name = key.rpartition("=")  # "payments=p.csv": the generic adapter's role=file
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        out.append(Path(f"{role}={path}") if role else path)
    return out


def run(kind, paths, options=None, config=None):
    wh = Warehouse(None, config=config)
    summary = ingest(kind, paths, wh, config, options=options)
    return summary, wh


def reasons(wh, target: str | None = None) -> dict[int, str]:
    """{line: reason} of the rejected rows (of one target table)."""
    rows = wh.con.con.execute(
        "SELECT line, reason FROM rejected_rows WHERE ? IS NULL OR target_table = ? ORDER BY line", [target, target]
    ).fetchall()
    assert len({line for line, _ in rows}) == len(rows)  # one file per target here
    return dict(rows)


# ---- values that must never be stored ----------------------------------------------------------------
LATEST = "outside the plausible time range 1990-01-01 .. "
REJECTED = [
    # (id, kind, files, options, target, {line: reason, or reason prefix + "…" + suffix})
    (
        "retail-nan-inf-price-quantity",
        "online-retail",
        {"r.csv": retail(
            "536400,A,X,2,2010-12-01 09:00:00,nan,12345,UK",
            "536401,A,X,2,2010-12-01 09:00:00,inf,12345,UK",
            "536402,A,X,NaN,2010-12-01 09:00:00,1.0,12345,UK",
            "536403,A,X,2,2010-12-01 09:00:00,-inf,12345,UK",
        )},  # fmt: skip
        None,
        "order_items",
        {
            6: "price: not a finite number (NaN or infinity): nan",
            7: "price: not a finite number (NaN or infinity): inf",
            8: "quantity: not a finite number (NaN or infinity): NaN",
            9: "price: not a finite number (NaN or infinity): -inf",
        },
    ),
    (
        "generic-inf-amount",
        "generic",
        {"o.csv": orders("b1,c1,2024-01-02 10:00:00,inf", "b2,c1,2024-01-02 11:00:00,-Infinity")},
        {"map": GENERIC_MAP},
        "orders",
        {
            6: "total_amount: not a finite number (NaN or infinity): inf",
            7: "total_amount: not a finite number (NaN or infinity): -Infinity",
        },
    ),
    (
        "generic-nan-payment",
        "generic",
        {
            "o.csv": orders(),
            "payments=p.csv": "id,value\ng0,5.0\ng1,nan\ng2,7.5\ng3,1\n",
        },
        {"map": {**GENERIC_MAP, "payments.amount": "value"}},
        "payments",
        {3: "amount: not a finite number (NaN or infinity): nan"},
    ),
    (
        "retail-implausible-times",
        "online-retail",
        {"r.csv": retail(
            "536400,A,X,2,0001-01-01 09:00:00,1.0,12345,UK",
            "536401,A,X,2,1900-01-01 09:00:00,1.0,12345,UK",
            "536402,A,X,2,2999-12-01 09:00:00,1.0,12345,UK",
        )},  # fmt: skip
        None,
        "order_items",
        {
            6: f"invoice_date: {LATEST}…: 0001-01-01 09:00:00",
            7: f"invoice_date: {LATEST}…: 1900-01-01 09:00:00",
            8: f"invoice_date: {LATEST}…: 2999-12-01 09:00:00",
        },
    ),
    (
        "generic-implausible-times",
        "generic",
        {"o.csv": orders("b1,c1,1900-01-01 10:00:00,1", "b2,c1,2999-01-01,1")},
        {"map": GENERIC_MAP},
        "orders",
        {6: f"order_ts: {LATEST}…: 1900-01-01 10:00:00", 7: f"order_ts: {LATEST}…: 2999-01-01"},
    ),
    (
        "diginetica-implausible-date",
        "diginetica",
        {"v.csv": VIEWS_HEAD + "1;NA;5;0;2016-05-09\n1;NA;6;10;2016-05-09\n2;NA;5;0;1900-05-09\n"},
        None,
        "events",
        {4: f"eventdate: {LATEST}…: 1900-05-09"},
    ),
    (
        "retail-duplicate-lines",
        "online-retail",
        {"r.csv": retail(
            "536365,S5,CUP,2,2010-12-01 08:26:00,2.50,17850,United Kingdom",
            "536365,S5,CUP,2,2010-12-01 08:26:00,2.50,17850,United Kingdom",
            "536365,S5,CUP,2,2010-12-01 08:26:00,2.50,17850,United Kingdom",
        )},  # fmt: skip
        None,
        "order_items",
        {7: "duplicate of line 6", 8: "duplicate of line 6"},
    ),
    (
        "retail-invoice-with-two-customers",
        "online-retail",
        {"r.csv": retail(
            "536500,A,X,2,2010-12-01 09:00:00,1.0,17850.0,UK",
            "536500,B,Y,1,2010-12-01 09:00:00,1.0,12345,UK",
            "536500,C,Z,1,2010-12-01 09:00:00,1.0,,UK",
        )},  # fmt: skip
        None,
        "order_items",
        {
            line: "invoice 536500 names two customers: 12345 and 17850 (which one bought it is unknown)"
            for line in (6, 7, 8)
        },
    ),
    (
        "retail-not-whole",
        "online-retail",
        {"r.csv": retail(
            "536400,A,X,2.5,2010-12-01 09:00:00,1.0,12345,UK",
            "536401,A,X,2,2010-12-01 09:00:00,1.0,12345.5,UK",
        )},  # fmt: skip
        None,
        "order_items",
        {6: "quantity: not a whole number: 2.5", 7: "customer: not a customer number: 12345.5"},
    ),
]


def matches(got: str, want: str) -> bool:
    if "…" not in want:
        return got == want
    head, tail = want.split("…")
    return got.startswith(head) and got.endswith(tail)


@pytest.mark.parametrize("kind, files, options, target, want", [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_bad_values_are_rejected_with_their_reason(tmp_path, kind, files, options, target, want):
    summary, wh = run(kind, write(tmp_path, files), options)
    got = wh.con.con.execute(
        "SELECT line, reason FROM rejected_rows WHERE target_table = ? ORDER BY line", [target]
    ).fetchall()
    assert [line for line, _ in got] == sorted(want)
    for line, reason in got:
        assert matches(reason, want[line]), (line, reason)
    read, stored, rejected = counts(summary)[target]  # read = stored + rejected
    assert rejected == len(want) and read == stored + rejected


def test_the_latest_plausible_time_is_a_day_after_the_ingest(tmp_path):
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    soon, late = now + pd.Timedelta(hours=12), now + pd.Timedelta(days=3)
    rows = [f"b{i},c1,{t:%Y-%m-%d %H:%M:%S},1" for i, t in enumerate((soon, late))]
    summary, wh = run("generic", write(tmp_path, {"o.csv": orders(*rows)}), {"map": GENERIC_MAP})
    assert list(reasons(wh)) == [7]
    assert counts(summary)["orders"] == (6, 5, 1)


def test_the_plausible_time_range_is_configurable(tmp_path):
    cfg = ChurnlensConfig()
    cfg.set("ingest.earliest_time", "1800-01-01")
    cfg.set("ingest.latest_days_ahead", "400000")
    paths = write(tmp_path, {"o.csv": orders("b1,c1,1900-01-01 10:00:00,1", "b2,c1,2999-01-01,1")})
    summary, wh = run("generic", paths, {"map": GENERIC_MAP}, cfg)
    assert counts(summary)["orders"] == (6, 6, 0)
    ts = wh.con.con.execute("SELECT order_ts FROM orders WHERE order_id IN ('b1', 'b2') ORDER BY 1").fetchall()
    assert [str(t[0]) for t in ts] == ["1900-01-01 10:00:00", "2999-01-01 12:00:00"]  # dates alone at 12:00


def test_retail_parquet_with_nan_price(tmp_path):
    table = pa.table(
        {
            "Invoice": ["1", "2", "3", "4", "5"],
            "StockCode": ["a", "b", "c", "d", "e"],
            "Quantity": [1, 2, 3, 4, 5],
            "InvoiceDate": ["2010-12-01 08:00:00"] * 5,
            "Price": pa.array([1.5, float("nan"), float("inf"), 2.0, 3.0]),  # NaN kept as NaN, not null
            "Customer ID": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    pq.write_table(table, tmp_path / "r.parquet")
    summary, wh = run("online-retail", [tmp_path / "r.parquet"])
    assert counts(summary)["order_items"] == (5, 3, 2)
    assert reasons(wh) == {
        2: "price: not a finite number (NaN or infinity): nan",
        3: "price: not a finite number (NaN or infinity): inf",
    }


# ---- input that must be accepted ------------------------------------------------------------------------
def test_integers_written_as_floats_are_whole_numbers(tmp_path):
    shop = tmp_path / "shop"
    write(shop, {
        "orders.csv": INSTACART_ORDERS.replace("11,1,prior,1,2,8,", "11.0,1.0,prior,1.0,2.0,8.0,"),
        "order_products__prior.csv": LINES_HEAD + "11.0,1.0,1.0,0\n11,2,2.00,0\n12,1,1,1\n12,3,2.5,0\n",
    })  # fmt: skip
    summary, wh = run("instacart", [shop])
    assert counts(summary)["orders"] == (4, 4, 0)
    o = wh.con.con.execute("SELECT order_id, customer_id, order_number, order_dow FROM orders ORDER BY 1").fetchall()
    assert o[0] == ("11", "1", 1, 2)
    items = wh.con.con.execute("SELECT order_id, product_id, line_no FROM order_items ORDER BY 1, 3").fetchall()
    assert items == [("11", "1", 1), ("11", "2", 2), ("12", "1", 1)]
    assert reasons(wh) == {5: "add_to_cart_order: not a whole number from 1: 2.5"}


def test_whole_number_ids_elsewhere(tmp_path):
    summary, wh = run("diginetica", write(tmp_path, {"v.csv": VIEWS_HEAD + "5.0;NA;7;10.0;2016-05-09\n6;NA;7;1.5;2016-05-09\n7;NA;8;0;2016-05-09\n"}))  # fmt: skip
    e = wh.con.con.execute("SELECT event_id, session_id FROM events ORDER BY 1").fetchall()
    assert e == [("5-2", "5"), ("7-4", "7")]
    assert reasons(wh) == {3: "timeframe: not a non-negative whole number of milliseconds: 1.5"}
    lines = "id,cust,ts,sku,qty,price,line\nA1,c1,2024-01-05 10:00:00,p1,2,5.0,1.0\nA1,c1,2024-01-05 10:00:00,p2,1,3.5,2\n"
    m = {"order_id": "id", "customer_id": "cust", "order_ts": "ts", "product_id": "sku", "quantity": "qty",
         "unit_price": "price", "line_no": "line"}  # fmt: skip
    summary, wh = run("generic", write(tmp_path, {"l.csv": lines}), {"map": m})
    assert wh.con.con.execute("SELECT line_no FROM order_items ORDER BY 1").fetchall() == [(1,), (2,)]


@pytest.mark.parametrize("kind, name", [("instacart", "order_products__train.csv"), ("fashion-campus", "click_stream.csv")])
def test_an_optional_file_with_a_header_and_no_rows_is_an_empty_table(tmp_path, kind, name):
    if kind == "instacart":
        shop = tmp_path / "shop"
        write(shop, {"orders.csv": INSTACART_ORDERS, "order_products__prior.csv": LINES_HEAD + "11,1,1,0\n", name: LINES_HEAD})
        table, stored = "order_items", 1
    else:
        from test_source_fashion_campus import write_shop

        shop = write_shop(tmp_path / "shop", clicks="session_id,event_name,event_time,event_id,traffic_source,event_metadata\n")
        table, stored = "events", 0
    summary, wh = run(kind, [shop])
    assert f"{name} has a header but no rows: read as an empty table" in summary.notes
    assert counts(summary)[table][1] == stored


# ---- one clear error ---------------------------------------------------------------------------------------
def test_zero_byte_parquet_is_a_clear_error(tmp_path):
    for kind, options in (("online-retail", None), ("generic", {"map": GENERIC_MAP})):
        (tmp_path / "r.parquet").write_bytes(b"")
        with pytest.raises(DataError) as exc:
            run(kind, [tmp_path / "r.parquet"], options)
        assert exc.value.problem.startswith("Not a readable Parquet file")
        assert exc.value.file == str(tmp_path / "r.parquet") and "Export the file again" in exc.value.fix


KOREAN = "id,cust,ts,amount,memo\n" + "".join(f"k{i},고객{i},2024-01-0{i + 1} 10:00:00,1,메모 {i}\n" for i in range(5))


@pytest.mark.parametrize(
    "kind, name, text, encoding, options, guess",
    [
        ("generic", "o.csv", KOREAN, "cp949", {"map": {**GENERIC_MAP, "promo_code": "memo"}}, "cp949"),
        ("online-retail", "r.csv", retail().replace("CUP", "Café"), "latin-1", None, "cp1252"),
    ],
    ids=["korean-cp949", "latin-1"],
)
def test_a_file_in_another_encoding(tmp_path, kind, name, text, encoding, options, guess):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    with pytest.raises(DataError) as exc:
        run(kind, [path], options)
    assert exc.value.file == str(path) and "not UTF-8" in exc.value.problem
    assert f"It looks like {guess}" in exc.value.problem and f"--encoding {guess}" in exc.value.fix
    summary, wh = run(kind, [path], {**(options or {}), "encoding": encoding})
    assert sum(c.rejected for c in summary.counts.values()) == 0
    assert summary.dataset["encoding"] == ("cp949" if encoding == "cp949" else "iso8859-1")
    if kind == "generic":
        got = wh.con.con.execute("SELECT customer_id, promo_code FROM orders ORDER BY 1").fetchall()
        assert got[0] == ("고객0", "메모 0")
    else:
        assert wh.con.con.execute("SELECT DISTINCT name FROM products").fetchall() == [("Café",)]


def test_a_wrong_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "o.csv"
    path.write_bytes(KOREAN.encode("cp949"))
    with pytest.raises(DataError, match="Unknown encoding 'klingon'"):
        run("generic", [path], {"map": GENERIC_MAP, "encoding": "klingon"})
    with pytest.raises(DataError) as exc:
        run("generic", [path], {"map": GENERIC_MAP, "encoding": "utf-16"})
    assert exc.value.file == str(path) and "--encoding" in exc.value.fix


def test_a_few_undecodable_lines_name_the_likely_encoding(tmp_path):
    data = retail().encode() + "536399,A,Café sign,1,2010-12-01 09:50:00,1.00,15311,UK\n".encode("latin-1")
    (tmp_path / "r.csv").write_bytes(data)
    summary, wh = run("online-retail", [tmp_path / "r.csv"])
    reason = reasons(wh)[6]
    assert reason.startswith("malformed line") and "--encoding cp1252" in reason
    assert counts(summary)["order_items"] == (5, 4, 1)


def test_encoding_option_on_the_command_line(tmp_path):
    path = tmp_path / "o.csv"
    path.write_bytes(KOREAN.encode("cp949"))
    db = tmp_path / "w.duckdb"
    args = ["ingest", "generic", str(path), "--db", str(db), "--encoding", "cp949"]
    args += [a for k, v in GENERIC_MAP.items() for a in ("--map", f"{k}={v}")]
    r = subprocess.run(
        [sys.executable, "-c", "from churnlens.cli import main; main()", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    with Warehouse(db) as wh:
        assert wh.con.con.execute("SELECT min(customer_id) FROM orders").fetchone()[0] == "고객0"


def test_a_table_almost_wholly_rejected_stops_the_ingest(tmp_path):
    # every row fails a different check: no column is mostly wrong, but nothing would be left
    rows = ["b1,c1,yesterday,1", ",c1,2024-01-02 10:00:00,1", "b3,c1,2024-01-02 10:00:00,x", "b4,c1,1900-01-02,1"]
    path = write(tmp_path, {"o.csv": "id,cust,ts,amount\n" + "\n".join(rows) + "\n"})
    wh = Warehouse(None)
    with pytest.raises(DataError) as exc:
        ingest("generic", path, wh, options={"map": GENERIC_MAP})
    assert exc.value.problem.startswith("4 of 4 rows of orders were rejected (more than 90%); nothing was stored.")
    assert exc.value.file == str(path[0]) and "max_rejected_share" in exc.value.fix
    assert len(exc.value.values) == 3 and all(" x " in v for v in exc.value.values)
    assert not wh.has("orders")  # the warehouse holds what it held: nothing
    cfg = ChurnlensConfig()
    cfg.set("ingest.max_rejected_share", "1.0")
    summary, _ = run("generic", path, {"map": GENERIC_MAP}, cfg)
    assert counts(summary)["orders"] == (4, 0, 4)


def test_header_names_given_twice_are_a_clear_error(tmp_path):
    path = write(tmp_path, {"o.csv": "id,cust,ts,amount,cust\nb1,c1,2024-01-02 10:00:00,1,c2\n"})
    with pytest.raises(DataError) as exc:
        run("generic", path, {"map": GENERIC_MAP})
    assert exc.value.column == "cust" and exc.value.file == str(path[0]) and "Rename" in exc.value.fix


def test_fashion_campus_quantities_written_as_floats(tmp_path):
    from test_source_fashion_campus import TX, write_shop

    def booking(bid: str, meta: str, total: str) -> str:
        return (
            f'2018-08-04T09:30:00Z,2,{bid},s{bid},"{meta}",OVO,Success,0,,0,2018-08-06T05:07:24.812595Z,'
            f"-6.2,106.8,{total}"
        )

    whole = booking("w1", "[{'product_id': 9.0, 'quantity': 3.0, 'item_price': 5000}]", "15000")
    half = booking("h1", "[{'product_id': 9, 'quantity': 1.5, 'item_price': 5000}]", "7500")
    summary, wh = run("fashion-campus", [write_shop(tmp_path / "shop", tx=[TX[0], TX[1], whole, half])])
    items = wh.con.con.execute("SELECT product_id, quantity FROM order_items WHERE order_id = 'w1'").fetchall()
    assert items == [("9", 3.0)]
    assert reasons(wh, "orders")[5].startswith("product_metadata: product_id or quantity not a whole number: [{")
    assert counts(summary)["orders"] == (4, 3, 1)


@pytest.mark.parametrize(
    "header, needle",
    [
        ("id,cu\x00st,ts,amount", "contains a NUL character"),
        ('id,"cust,ts,amount', "not valid CSV"),
        ("_line,cust,ts,amount", "A column named _line cannot be read"),
        ('id,cust,ts,amount,"x\ry"', "carriage return"),
    ],
    ids=["nul", "open-quote", "reserved-name", "carriage-return"],
)
def test_unusable_headers_are_clear_errors(tmp_path, header, needle):
    path = write(tmp_path, {"o.csv": header + "\nb1,c1,2024-01-02 10:00:00,1\n"})
    with pytest.raises(DataError) as exc:
        run("generic", path, {"map": {**GENERIC_MAP, "order_id": header.split(",")[0]}})
    assert needle in exc.value.problem and exc.value.file == str(path[0]) and exc.value.fix


def test_a_file_the_csv_reader_cannot_parse_is_a_clear_error(tmp_path):
    # a header ending in CR LF, lines in LF and a quoted quote: DuckDB's CSV reader gives up
    text = orders('b1,";\'""(",2024-01-02 10:00:00,1').replace("amount\n", "amount\r\n")
    path = write(tmp_path, {"o.csv": text})
    with pytest.raises(DataError) as exc:
        run("generic", path, {"map": GENERIC_MAP})
    assert exc.value.problem.startswith("The file cannot be read as CSV") and exc.value.file == str(path[0])
    assert "carriage return" in exc.value.fix
