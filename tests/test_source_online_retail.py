"""Online Retail adapter: the real UCI files against their known facts, and hand-built bad files.

Every fact is checked over stored rows plus rejected rows: a rejected row is joined back on
(source_file, line) to the Parquet file read independently with pandas, so nothing the adapter
set aside can hide.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import counts, online_retail, query

from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

OLD = "online_retail_ii_2009_2010.parquet"  # columns Invoice, Price, Customer ID
NEW = "online_retail_2010_2011.parquet"  # columns InvoiceNo, UnitPrice, CustomerID


def read_uci(path: Path) -> pd.DataFrame:
    """The file as pandas reads it, in one naming, with its line (row number from 1)."""
    df = pd.read_parquet(path).rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}
    )
    df["line"] = range(1, len(df) + 1)
    df["source_file"] = str(path)
    df["Invoice"] = df["Invoice"].astype(str).str.strip()
    df["customer"] = df["Customer ID"].astype("Int64").astype(str).where(df["Customer ID"].notna())
    return df


class Ingested:
    """One real ingest: its summary, stored lines (with their order's customer), rejected rows."""

    def __init__(self, paths: list[Path]) -> None:
        self.wh = Warehouse(None)
        self.summary = ingest("online-retail", paths, self.wh)
        self.orders = query(self.wh, "SELECT * FROM orders")
        self.lines = query(
            self.wh,
            "SELECT i.order_id, i.quantity, o.customer_id FROM order_items i JOIN orders o USING (order_id)",
        )
        self.rejected = query(self.wh, "SELECT * FROM rejected_rows")
        raw = pd.concat([read_uci(p) for p in paths], ignore_index=True)
        self.raw = raw
        # The rejected rows, joined back to the raw files on (source_file, line).
        self.rejected_raw = self.rejected.merge(raw, on=["source_file", "line"], how="left", validate="1:1")
        assert self.rejected_raw["Invoice"].notna().all()

    def invoices(self) -> set[str]:
        return set(self.orders["order_id"]) | set(self.rejected_raw["Invoice"])

    def customers(self) -> set[str]:
        return set(self.lines["customer_id"].dropna()) | set(self.rejected_raw["customer"].dropna())


@pytest.fixture(scope="module")
def new_file():
    ing = Ingested([online_retail(NEW)])
    yield ing
    ing.wh.close()


@pytest.fixture(scope="module")
def old_file():
    ing = Ingested([online_retail(OLD)])
    yield ing
    ing.wh.close()


@pytest.fixture(scope="module")
def both_files():
    ing = Ingested([online_retail(OLD), online_retail(NEW)])
    yield ing
    ing.wh.close()


# ---- 2010-2011 file ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_2010_2011_every_line_stored_or_rejected(new_file):
    c = counts(new_file.summary)
    assert c["order_items"][0] == 541_909
    assert len(new_file.lines) + len(new_file.rejected) == 541_909
    assert new_file.rejected["line"].is_unique
    assert (new_file.rejected["target_table"] == "order_items").all()


@pytest.mark.slow
def test_2010_2011_facts_over_stored_and_rejected(new_file):
    assert len(new_file.invoices()) == 25_900
    assert len(new_file.customers()) == 4_372
    guests = new_file.lines["customer_id"].isna().sum() + new_file.rejected_raw["customer"].isna().sum()
    assert guests == 135_080
    quantity = new_file.lines["quantity"].sum() + new_file.rejected_raw["Quantity"].sum()
    assert quantity == 5_176_450


@pytest.mark.slow
def test_2010_2011_peculiarities(new_file):
    o = new_file.orders
    cancelled = o["order_id"].str.upper().str.startswith("C")
    assert cancelled.any() and (o.loc[cancelled, "status"] == "cancelled").all()
    assert (o.loc[~cancelled, "status"] == "paid").all()
    raw = new_file.raw
    guest_invoices = set(raw.groupby("Invoice")["customer"].count().loc[lambda s: s == 0].index)
    stored_guests = o[o["order_id"].isin(guest_invoices)]
    assert len(stored_guests) > 1_000 and stored_guests["customer_id"].isna().all()
    adjust = new_file.rejected_raw[new_file.rejected_raw["Invoice"].str.startswith("A")]
    assert len(adjust) == (raw["Invoice"].str.startswith("A")).sum() == 3
    assert adjust["reason"].str.contains("accounting adjustment").all()
    assert not o["order_id"].str.startswith("A").any()
    assert new_file.summary.dataset["currency"] == "GBP"


#: The columns of a line as the file holds them (in the 2009-2010 naming).
ORIGINAL = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]


@pytest.mark.slow
def test_2010_2011_exact_duplicate_lines_and_conflicting_invoices(new_file):
    raw = new_file.raw
    copies = raw[raw.duplicated(subset=ORIGINAL, keep="first")]
    first = raw.groupby(ORIGINAL, dropna=False)["line"].transform("min")
    rejected = new_file.rejected.set_index("line")
    said = rejected[rejected["reason"].str.startswith("duplicate of line")]
    # every copy pandas finds is rejected: as a duplicate, or for a reason its first line shares
    assert len(copies) > 0 and set(copies["line"]) <= set(rejected.index)
    assert set(said.index) <= set(copies["line"])
    expected = "duplicate of line " + first.set_axis(raw["line"]).loc[said.index].astype(str)
    assert (said["reason"] == expected).all()
    others = rejected.loc[sorted(set(copies["line"]) - set(said.index)), "reason"]
    assert not others.str.startswith("duplicate").any()
    print(f"\n{len(said):,} exact duplicate lines rejected of {len(copies):,} copies pandas finds")
    # no invoice of this file names two customers, and none is rejected for it
    two = raw.groupby("Invoice")["customer"].nunique()
    assert (two > 1).sum() == rejected["reason"].str.contains("names two customers").sum() == 0


# ---- 2009-2010 file ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_2009_2010_facts(old_file):
    c = counts(old_file.summary)
    assert c["order_items"][0] == 525_461
    assert len(old_file.invoices()) == 28_816
    assert len(old_file.customers()) == 4_383


# ---- both files at once -----------------------------------------------------------------------------
@pytest.mark.slow
def test_both_files_count_no_invoice_twice(both_files):
    ing = both_files
    c = counts(ing.summary)
    assert c["order_items"][0] == 525_461 + 541_909
    assert ing.orders["order_id"].is_unique
    assert ing.invoices() == set(ing.raw["Invoice"].drop_duplicates())
    # Every line of an invoice is stored once: from the file that holds it first in time.
    old = ing.raw[ing.raw["source_file"].str.endswith(OLD)]
    new = ing.raw[ing.raw["source_file"].str.endswith(NEW)]
    overlap = new[new["Invoice"].isin(set(old["Invoice"]))]
    assert len(overlap) > 20_000
    said = ing.rejected[ing.rejected["reason"].str.contains("the files overlap")]
    assert len(said) == len(overlap)
    assert set(zip(said["source_file"], said["line"], strict=True)) == set(
        zip(overlap["source_file"], overlap["line"], strict=True)
    )
    assert len(ing.lines) + len(ing.rejected) == len(ing.raw)


# ---- hand-built files -------------------------------------------------------------------------------
HEADER = b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = (
    b"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"  # 2
    b"536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"  # 3
    b"536366,22633,HAND WARMER,6,yesterday,1.85,17850.0,United Kingdom\n"  # 4: date
    b"536367,84879,BIRD ORNAMENT,many,2010-12-01 08:34:00,1.69,13047.0,United Kingdom\n"  # 5: quantity
    b"C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n"  # 6: cancellation
    b"536380,22961,JAM MAKING SET,2,2010-12-01 09:45:00,1.45,,United Kingdom\n"  # 7: guest
    b"A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom\n"  # 8: adjustment
    b"536381,22,Caf\xe9 sign,1,2010-12-01 09:50:00,1.00,15311.0,United Kingdom\n"  # 9: not UTF-8
    b"536382,23,TEA,1,2010-12-01 09:4"  # 10: truncated last line
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(paths: list[Path]):
    wh = Warehouse(None)
    summary = ingest("online-retail", paths, wh)
    return summary, wh


def test_small_csv_stores_or_rejects_every_line(tmp_path):
    summary, wh = run([write(tmp_path, "retail.csv", HEADER + ROWS)])
    assert counts(summary)["order_items"] == (9, 4, 5)
    rej = query(wh, "SELECT line, reason FROM rejected_rows ORDER BY line").set_index("line")["reason"]
    assert list(rej.index) == [4, 5, 8, 9, 10]
    assert rej[4] == "invoice_date: not a date and time: yesterday"
    assert rej[5] == "quantity: not a number: many"
    assert rej[8] == "accounting adjustment (Adjust bad debt), not a sale"
    assert rej[9].startswith("malformed line") and "unicode" in rej[9].lower()
    assert rej[10].startswith("malformed line")
    o = query(wh, "SELECT * FROM orders ORDER BY order_id").set_index("order_id")
    assert list(o.index) == ["536365", "536380", "C536379"]
    assert o.loc["536365", "customer_id"] == "17850"
    assert o.loc["536365", "total_amount"] == pytest.approx(6 * 2.55 + 6 * 3.39)
    assert o.loc["536365", "order_ts"] == datetime(2010, 12, 1, 8, 26)
    assert o.loc["C536379", "status"] == "cancelled" and o.loc["C536379", "total_amount"] == -27.5
    assert pd.isna(o.loc["536380", "customer_id"]) and o.loc["536380", "status"] == "paid"
    items = query(wh, "SELECT * FROM order_items WHERE order_id = 'C536379'")
    assert items["quantity"].tolist() == [-1.0]
    assert sorted(query(wh, "SELECT customer_id FROM customers")["customer_id"]) == ["14527", "17850"]


def test_small_parquet_in_the_newer_naming(tmp_path):
    frame = pd.DataFrame(
        {
            "Invoice": ["489434", "489434", "489435", "489436"],
            "StockCode": ["85048", "79323P", "22350", "21523"],
            "Description": ["STAR", "LIGHTS", "CAT", "MAT"],
            "Quantity": [12, 12, 2, 10],
            "InvoiceDate": [
                "2009-12-01 07:45:00",
                "2009-12-01 07:45:00",
                "01/12/2009",
                "2009-12-01 09:06:00",
            ],
            "Price": [6.95, 6.75, 2.10, 5.95],
            "Customer ID": [13085.0, 13085.0, 13085.0, None],
            "Country": ["United Kingdom"] * 4,
        }
    )
    path = tmp_path / "retail.parquet"
    frame.to_parquet(path)
    summary, wh = run([path])
    assert counts(summary)["order_items"] == (4, 3, 1)
    rej = query(wh, "SELECT line, reason FROM rejected_rows")
    assert rej.values.tolist() == [[3, "invoice_date: not a date and time: 01/12/2009"]]
    o = query(wh, "SELECT order_id, customer_id FROM orders ORDER BY 1")
    assert o["order_id"].tolist() == ["489434", "489436"] and pd.isna(o["customer_id"][1])


def test_missing_column_is_a_data_error(tmp_path):
    data = b"InvoiceNo,StockCode,Description,InvoiceDate,UnitPrice,CustomerID,Country\n1,a,b,2010-12-01 08:00:00,1,2,UK\n"
    with pytest.raises(DataError) as exc:
        run([write(tmp_path, "retail.csv", data)])
    assert "quantity" in str(exc.value) and "retail.csv" in str(exc.value)
    frame = pd.DataFrame({"Invoice": ["1"], "StockCode": ["a"], "Quantity": [1], "Price": [1.0]})
    frame.to_parquet(tmp_path / "retail.parquet")
    with pytest.raises(DataError, match="invoice_date"):
        run([tmp_path / "retail.parquet"])


@pytest.mark.parametrize("data, needle", [(b"", "empty"), (HEADER, "no rows")])
def test_empty_files_are_data_errors(tmp_path, data, needle):
    with pytest.raises(DataError, match=needle):
        run([write(tmp_path, "retail.csv", data)])


def test_empty_parquet_is_a_data_error(tmp_path):
    frame = pd.DataFrame(
        {c: pd.Series([], dtype=str) for c in ["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price"]}
    )
    frame["Customer ID"] = pd.Series([], dtype=float)
    frame.to_parquet(tmp_path / "retail.parquet")
    with pytest.raises(DataError, match="no rows"):
        run([tmp_path / "retail.parquet"])


def test_a_column_in_the_wrong_format_is_a_data_error(tmp_path):
    rows = b"1,a,x,1,01/12/2010 08:00,1.0,1,UK\n2,a,x,1,02/12/2010 08:00,1.0,1,UK\n"
    with pytest.raises(DataError) as exc:
        run([write(tmp_path, "retail.csv", HEADER + rows)])
    assert "invoice_date" in str(exc.value) and "'01/12/2010 08:00'" in str(exc.value)
