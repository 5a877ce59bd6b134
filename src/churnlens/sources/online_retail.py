"""UCI Online Retail (I and II): invoice lines -> orders, order items, products, customers.

Reads both namings of the columns (``InvoiceNo, UnitPrice, CustomerID`` and ``Invoice, Price,
Customer ID``), from Parquet or CSV, and any number of files at once. How the data's
peculiarities are handled, explicitly:

- Files that overlap in time (the two UCI files share 2010-12-01..09): every invoice is taken
  from the first file, in time order, that holds it; its lines in later files are rejected as
  "already read" (no double counting, nothing dropped silently).
- Invoices starting with ``C`` are cancellations: cancelled orders whose lines keep their
  negative quantities.
- Invoices starting with ``A`` ("Adjust bad debt", negative prices) are accounting entries,
  not sales: rejected with that reason.
- Negative quantities on a sales invoice (stock write-offs at price 0, no customer) are
  rejected as stock adjustments.
- Lines with price 0 and positive quantity (free items) are kept, at price 0.
- Lines without a customer id are guest orders: kept, with a NULL customer.
- Customer ids stored as floats (``17850.0``) become ``17850``; ``17850.5`` is rejected.
- A line repeated exactly (every column equal, same file) is rejected as "duplicate of line
  N": the UCI files hold thousands of such copies, which would double their revenue.
- An invoice whose lines name two customers has all its lines rejected, naming both ids
  (which customer bought it is unknown).
- Prices and quantities that are NaN or infinite, quantities that are not whole numbers and
  invoice dates outside the plausible range (``[ingest] earliest_time``..) are rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from churnlens.errors import DataError
from churnlens.sources.files import expand
from churnlens.sources.sql import finite, ident, literal, whole
from churnlens.sources.staging import Check, Stage

NAMINGS = {
    "InvoiceNo": "invoice",
    "Invoice": "invoice",
    "StockCode": "stock_code",
    "Description": "description",
    "Quantity": "quantity",
    "InvoiceDate": "invoice_date",
    "UnitPrice": "price",
    "Price": "price",
    "CustomerID": "customer",
    "Customer ID": "customer",
    "Country": "country",
}
REQUIRED = ["invoice", "stock_code", "quantity", "invoice_date", "price", "customer"]
#: The columns of a line as read (canonical names): two lines equal in all are duplicates.
LINE_COLUMNS = [*REQUIRED, "description", "country"]
CUSTOMER = f"CAST({whole('customer')} AS VARCHAR)"


def load(stage: Stage, paths: list[Path], options: dict[str, Any], progress) -> dict[str, Any]:
    files = expand(paths)
    if not files:
        raise DataError(
            "No .parquet or .csv file found.",
            file=", ".join(map(str, paths)),
            fix="Pass the Online Retail file(s) or their directory.",
        )
    con = stage.con
    parts = []
    for i, f in enumerate(files):
        progress(f"reading {f.name}")
        raw = _read(stage, f, i)
        parts.append(raw)
    # Files in time order: an invoice belongs to the earliest file that holds it.
    order = con.execute(
        " UNION ALL ".join(
            f"SELECT {i} AS f, min(TRY_CAST(invoice_date AS TIMESTAMP)) AS t FROM {ident(p)}"
            for i, p in enumerate(parts)
        )
        + " ORDER BY t NULLS LAST, f"
    ).fetchall()
    rank = {f: r for r, (f, _t) in enumerate(order)}
    lines = stage.tmp("lines")
    con.execute(
        f"CREATE TABLE {ident(lines)} AS "
        + " UNION ALL ".join(
            f"SELECT _line, {rank[i]} AS _file_rank, {literal(str(files[i]))} AS _file, * EXCLUDE (_line) "
            f"FROM {ident(p)}"
            for i, p in enumerate(parts)
        )
    )
    stage.drop(*parts)
    # Overlap between files: keep each invoice from its first file.
    con.execute(
        f"CREATE TABLE {ident(lines + '_own')} AS SELECT invoice, min(_file_rank) AS own "
        f"FROM {ident(lines)} GROUP BY invoice"
    )
    kept = []
    for i, f in enumerate(files):
        part = stage.tmp(f"part{i}")
        con.execute(
            f"CREATE TABLE {ident(part)} AS SELECT l.* EXCLUDE (_file_rank, _file), o.own AS _own, "
            f"(SELECT min(_file) FROM {ident(lines)} x WHERE x._file_rank = o.own) AS _own_file "
            f"FROM {ident(lines)} l JOIN {ident(lines + '_own')} o USING (invoice) "
            f"WHERE l._file = {literal(str(f))}"
        )
        stage.source_of[part] = str(f)
        part = stage.reject_where(
            part,
            where=f"_own <> {rank[i]}",
            reason_sql="'invoice ' || invoice || ' already read from ' || _own_file || ' (the files overlap)'",
            target="order_items",
        )
        part = stage.validate(part, target="order_items", checks=_checks(stage))
        part = stage.reject_where(
            part,
            where="starts_with(upper(invoice), 'A')",
            reason_sql="'accounting adjustment (' || coalesce(description, '') || '), not a sale'",
            target="order_items",
        )
        part = stage.reject_where(
            part,
            where="TRY_CAST(quantity AS DOUBLE) < 0 AND NOT starts_with(upper(invoice), 'C')",
            reason_sql="'stock adjustment: negative quantity ' || quantity || ' on sales invoice ' || invoice",
            target="order_items",
        )
        part = stage.reject_where(
            part,
            where="TRY_CAST(price AS DOUBLE) < 0",
            reason_sql="'negative price ' || price || ' on invoice ' || invoice",
            target="order_items",
        )
        part = stage.reject_duplicates(part, key=LINE_COLUMNS, target="order_items", exact=True)
        part = _reject_two_customers(stage, part)
        kept.append((rank[i], part))
    stage.drop(lines, f"{lines}_own")
    good = stage.tmp("good")
    con.execute(
        f"CREATE TABLE {ident(good)} AS "
        + " UNION ALL ".join(
            f"SELECT {r} AS _file_rank, * EXCLUDE (_own, _own_file) FROM {ident(p)}" for r, p in kept
        )
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE {ident(good)} AS SELECT
            trim(invoice) AS order_id,
            row_number() OVER (PARTITION BY trim(invoice) ORDER BY _file_rank, _line) AS line_no,
            trim(stock_code) AS product_id,
            nullif(trim(description), '') AS description,
            TRY_CAST(quantity AS DOUBLE) AS quantity,
            TRY_CAST(price AS DOUBLE) AS unit_price,
            TRY_CAST(invoice_date AS TIMESTAMP) AS ts,
            {CUSTOMER} AS customer_id,
            nullif(trim(country), '') AS country,
            _file_rank, _line
        FROM {ident(good)}"""
    )
    progress("building canonical tables")
    stage.stage(
        "order_items",
        f"SELECT order_id, line_no, product_id, quantity, unit_price, line_no AS cart_position FROM {ident(good)}",
    )
    orders_sql = f"""SELECT order_id, min(customer_id) AS customer_id, min(ts) AS order_ts,
        CASE WHEN starts_with(upper(order_id), 'C') THEN 'cancelled' ELSE 'paid' END AS status,
        sum(quantity * unit_price) AS items_amount, 0.0 AS discount_amount, 0.0 AS shipping_amount,
        sum(quantity * unit_price) AS total_amount
        FROM {ident(good)} GROUP BY order_id"""
    stage.stage("orders", orders_sql)
    stage.count("orders").read = stage.count("orders").stored
    stage.stage(
        "products",
        f"SELECT product_id, mode(description) AS name FROM {ident(good)} GROUP BY product_id",
    )
    stage.count("products").read = stage.count("products").stored
    stage.stage(
        "customers",
        f"""SELECT customer_id, arg_max(country, ts) AS country FROM {ident(good)}
            WHERE customer_id IS NOT NULL GROUP BY customer_id""",
    )
    stage.count("customers").read = stage.count("customers").stored
    free = con.execute(f"SELECT count(*) FROM {ident(good)} WHERE unit_price = 0").fetchone()[0]
    guests = con.execute(f"SELECT count(*) FROM {ident(good)} WHERE customer_id IS NULL").fetchone()[0]
    stage.notes.append(f"{free:,} free lines (price 0) kept; {guests:,} guest lines kept without a customer")
    stage.drop(good)
    return {"currency": "GBP", "time_mode": "calendar", "files": [str(f) for f in files]}


def _checks(stage: Stage) -> list[Check]:
    def number(column: str, fix: str) -> list[Check]:
        return [
            Check(column, f"TRY_CAST({column} AS DOUBLE) IS NULL", "not a number", fix),
            Check(column, f"{finite(column)} IS NULL", "not a finite number (NaN or infinity)", fix),
        ]

    return [
        Check(
            "invoice",
            "invoice IS NULL OR trim(invoice) = ''",
            "missing invoice number",
            "Every line needs its invoice number.",
            show_value=False,
        ),
        Check(
            "invoice_date",
            "TRY_CAST(invoice_date AS TIMESTAMP) IS NULL",
            "not a date and time",
            "Write InvoiceDate as YYYY-MM-DD HH:MM:SS.",
        ),
        stage.time_check("invoice_date", "TRY_CAST(invoice_date AS TIMESTAMP)", "Check InvoiceDate."),
        *number("quantity", "Quantity must be a whole number."),
        Check(
            "quantity",
            f"{whole('quantity')} IS NULL",
            "not a whole number",
            "Quantity must be a whole number.",
        ),
        *number("price", "Price must be a number."),
        Check(
            "customer",
            f"customer IS NOT NULL AND {whole('customer')} IS NULL",
            "not a customer number",
            "Customer ids must be whole numbers or empty (guest).",
        ),
    ]


def _reject_two_customers(stage: Stage, part: str) -> str:
    """Reject every line of an invoice whose lines name more than one customer."""
    who = stage.tmp("two_customers")
    stage.con.execute(
        f"""CREATE TABLE {ident(who)} AS SELECT invoice,
            string_agg(DISTINCT {CUSTOMER}, ' and ' ORDER BY {CUSTOMER}) AS ids
        FROM {ident(part)} WHERE customer IS NOT NULL GROUP BY invoice HAVING count(DISTINCT {CUSTOMER}) > 1"""
    )
    if stage.rows(who):
        part = stage.reject_where(
            part,
            where=f"invoice IN (SELECT invoice FROM {ident(who)})",
            reason_sql=f"'invoice ' || invoice || ' names two customers: ' || "
            f"(SELECT ids FROM {ident(who)} w WHERE w.invoice = {ident(part)}.invoice) || ' (which one bought it is unknown)'",
            target="order_items",
        )
    stage.drop(who)
    return part


def _read(stage: Stage, f: Path, i: int) -> str:
    if f.suffix.lower() == ".parquet":
        cols = stage.parquet_columns(f)
    else:
        cols = stage.csv_header(f)
    found = {NAMINGS[c]: c for c in cols if c in NAMINGS}
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise DataError(
            "Not an Online Retail file: columns " + ", ".join(missing) + " are missing.",
            file=str(f),
            column=", ".join(missing),
            values=cols[:10],
            fix="Expected the UCI columns InvoiceNo/Invoice, StockCode, Description, Quantity, InvoiceDate, "
            "UnitPrice/Price, CustomerID/Customer ID, Country.",
        )
    if f.suffix.lower() == ".parquet":
        raw = stage.read_parquet(f, target="order_items", required=list(found.values()), name=f"f{i}")
    else:
        raw = stage.read_csv(f, target="order_items", required=list(found.values()), name=f"f{i}")
    select = ", ".join(f"CAST({ident(src)} AS VARCHAR) AS {canon}" for canon, src in found.items())
    if "description" not in found:
        select += ", CAST(NULL AS VARCHAR) AS description"
    if "country" not in found:
        select += ", CAST(NULL AS VARCHAR) AS country"
    out = stage.tmp(f"or{i}")
    stage.con.execute(f"CREATE TABLE {ident(out)} AS SELECT _line, {select} FROM {ident(raw)}")
    stage.source_of[out] = str(f)
    stage.drop(raw)
    return out
