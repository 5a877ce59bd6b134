"""Any shop's own export, described by a column map -> canonical tables.

A shop's export is one to five files, each in a *role*: ``orders`` (required), ``items``,
``payments``, ``customers``, ``products``. A path given as ``role=file`` names its role
(``items=order_items.csv``); a bare path is the ``orders`` file. CSV or Parquet, by suffix.

Options (the CLI builds ``map`` from ``--map`` and ``currency`` from ``--currency``)::

    {
        "map": {                        # "<role>.<field>": "<source column>"
            "orders.order_id": "id",    # a bare field ("order_id") means "orders.order_id"
            "orders.customer_id": "cust",
            "orders.order_ts": "created",
            "items.product_id": "sku",
        },
        "files": {"items": "lines.csv"},   # optional: role -> file, instead of role=file paths
        "currency": "BRL",                 # recorded with the data set
        "timestamp_format": "%d/%m/%Y %H:%M",  # optional strptime format, tried first
        "status_map": {"created": "failed"},   # optional: source status -> paid/cancelled/failed
        "unknown_status": "reject",        # or paid/cancelled/failed: what other statuses become
        "delimiter": ";",                  # CSV separator; default: guessed from the header line
    }

Fields of each role (``FIELDS``): orders need ``customer_id`` and ``order_ts``. An orders file
with ``product_id``, ``quantity``, ``unit_price`` or ``line_no`` mapped is *line-level* (one row per
order line): its rows are grouped into orders by ``order_id``; without an ``order_id`` the
order is customer + time (noted). An order-level file without ``order_id`` numbers its orders
by file line (noted). Items and payments join the orders on ``order_id`` (by default the
column the orders file uses); customers on ``customer_id``. Rules, explicitly:

- Identifiers are trimmed text; a float-looking id (``17850.0``) loses its ``.0``. An empty
  customer id is a guest order (NULL customer).
- Times: ISO (``2017-10-02T10:56:33``, ``...Z``, ``...+02:00``, converted to UTC),
  ``YYYY-MM-DD HH:MM[:SS]``, ``YYYY/MM/DD ...``, ``DD.MM.YYYY ...``, dates alone (placed at
  ``config.ingest.default_hour``), and ``timestamp_format``. Anything else is rejected with its
  reason; a column that mostly fails is a DataError (say which format with ``timestamp_format``).
- Status: ``STATUSES`` maps common values (delivered, shipped, invoiced, approved, complete,
  paid, processing -> paid; canceled, cancelled, unavailable, refunded -> cancelled; failed,
  declined -> failed), case-insensitive; ``status_map`` adds or overrides. Unknown values are
  rejected with the known ones listed, or become ``unknown_status``. Without a status: paid.
- Amounts: ``total_amount`` is the sum of the order's payments when payments are mapped, else
  the mapped ``total_amount``, else items amount (sum of quantity x unit price) + shipping -
  discount. In a line-level file, ``total_amount``, ``discount_amount`` and ``shipping_amount``
  are per line and summed per order. ``items.shipping`` is summed into ``shipping_amount``.
- ``customers.person_id`` (Olist's ``customer_unique_id``): a shop that issues a new customer id
  per order maps its customers to persons, and the canonical ``customer_id`` (in customers and
  orders) is then the person id. Customer rows of one person merge into one customer (noted).
- Rejected with reasons: missing order ids, unparsable times and numbers, NaN or infinite
  numbers, times outside the plausible range (``[ingest] earliest_time``; birth dates are not
  checked), line numbers that are not whole (``2.0`` is), unknown statuses,
  repeated order ids (or order/line numbers, or customer ids), and items and payments whose
  order is not among the stored orders. Payment rows are counted under ``payments``.
- A mapped column missing from its file is a DataError naming the file, the map key, the
  columns found and the fix.

The data set facts returned: ``currency`` (from the options), ``time_mode`` "calendar" and
``prices`` (whether any order has a total amount).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from churnlens.sources.generic_plan import (
    FIELDS,
    IDS,
    KEYS,
    NUMBERS,
    TARGET,
    TIMES,
    Plan,
    make_plan,
    require_columns,
    sniff_delimiter,
    status_sql,
    ts_sql,
)
from churnlens.sources.sql import finite, ident, literal, whole
from churnlens.sources.staging import Check, Stage


def load(stage: Stage, paths: list[Path], options: dict[str, Any], progress) -> dict[str, Any]:
    plan = make_plan(paths, options, stage.config.ingest.default_hour)
    persons = None
    if "customers" in plan.files:
        progress("reading customers")
        persons = _table(stage, plan, "customers", key=["customer_id"])
    progress("reading orders")
    lines = None
    if plan.line_level:
        lines = _table(stage, plan, "orders", target="order_items")
        lines = _number_lines(stage, _order_ids_of_lines(stage, plan, lines))
        orders = _orders_of_lines(stage, plan, lines)
    else:
        orders = _table(stage, plan, "orders", key=["order_id"])
        if "order_id" not in plan.maps["orders"]:
            stage.con.execute(
                f"""ALTER TABLE {ident(orders)} ADD COLUMN order_id VARCHAR;
                UPDATE {ident(orders)} SET order_id = 'row ' || _line"""
            )
            stage.notes.append(
                "the orders file has no order id: each row is an order named by its line ('row 2')"
            )
        if "items" in plan.files:
            progress("reading order items")
            lines = _number_lines(stage, _orphans(stage, plan, _table(stage, plan, "items"), orders, "items"))
    payments = None
    if "payments" in plan.files:
        progress("reading payments")
        payments = _orphans(stage, plan, _table(stage, plan, "payments"), orders, "payments")
        stage.count("payments").stored = stage.rows(payments)
    progress("building canonical tables")
    _stage_orders(stage, plan, orders, lines, payments, persons)
    if lines is not None:
        stage.stage(
            "order_items",
            f"""SELECT order_id, line_no, product_id, quantity, unit_price, line_no AS cart_position
            FROM {ident(lines)} ORDER BY order_id, line_no""",
        )
    _stage_products(stage, plan, lines)
    _stage_customers(stage, plan, persons)
    stage.drop(*(t for t in (orders, lines, payments, persons) if t))
    priced = stage.con.execute(f"SELECT count(total_amount) FROM {ident(stage.staged['orders'])}").fetchone()[
        0
    ]
    return {"currency": options.get("currency"), "time_mode": "calendar", "prices": priced > 0}


# ---- the plan: files and maps ----------------------------------------------------------------------
def _checks(stage: Stage, plan: Plan, role: str, path: Path) -> list[Check]:
    out = []
    for f, col in plan.maps[role].items():
        where = f"(column '{col}' of {path.name}, mapped to {role}.{f})"
        v = ident(f)
        if f == KEYS[role]:
            out.append(
                Check(f, f"{v} IS NULL", "missing", f"Every row needs its {f} {where}.", show_value=False)
            )
        elif f in TIMES:
            bad = f"{ts_sql(plan, v)} IS NULL" + ("" if f == "order_ts" else f" AND {v} IS NOT NULL")
            fix = (
                f"Write times as YYYY-MM-DD HH:MM:SS (ISO) {where}, or give the format as "
                "options['timestamp_format'] (e.g. '%d/%m/%Y %H:%M')."
            )
            out.append(Check(f, bad, "not a date and time", fix))
            if f != "birth_date":
                out.append(stage.time_check(f, ts_sql(plan, v), f"Check the times {where}."))
        elif f in NUMBERS:
            empty_ok = f != "amount"
            fix = f"Write plain numbers with a decimal point {where}."
            given = f" AND {v} IS NOT NULL" if empty_ok else ""
            out.append(Check(f, f"TRY_CAST({v} AS DOUBLE) IS NULL{given}", "not a number", fix))
            out.append(Check(f, f"{finite(v)} IS NULL{given}", "not a finite number (NaN or infinity)", fix))
        elif f == "line_no":
            bad = f"{whole(v, signed=False)} IS NULL"
            out.append(Check(f, bad, "not a whole number", f"Line numbers are whole numbers {where}."))
        elif f == "status" and plan.options.get("unknown_status", "reject") == "reject":
            known = ", ".join(sorted(plan.statuses))
            out.append(
                Check(
                    f,
                    f"{status_sql(plan, v)} IS NULL",
                    f"unknown status (known: {known})",
                    f"Map the other status values with options['status_map'] {where}, e.g. "
                    "{'created': 'failed'}, or set options['unknown_status'].",
                )
            )
    return out


def _typed(plan: Plan, f: str) -> str:
    v = ident(f)
    if f in IDS:
        return f"regexp_replace({v}, '^(-?[0-9]+)\\.0+$', '\\1')"
    if f in TIMES:
        ts = ts_sql(plan, v)
        return f"CAST({ts} AS DATE)" if f == "birth_date" else ts
    if f in NUMBERS:
        return finite(v)
    if f == "line_no":
        return whole(v, signed=False)
    if f == "status":
        return status_sql(plan, v)
    return v


def _order_ids_of_lines(stage: Stage, plan: Plan, lines: str) -> str:
    if "order_id" not in plan.maps["orders"]:
        stage.con.execute(
            f"""ALTER TABLE {ident(lines)} ADD COLUMN order_id VARCHAR;
            UPDATE {ident(lines)} SET order_id =
                coalesce(customer_id, 'guest') || '@' || strftime(order_ts, '%Y-%m-%dT%H:%M:%S')"""
        )
        stage.notes.append("the orders file has no order id: an order is one customer's lines at one time")
    return lines


def _number_lines(stage: Stage, lines: str) -> str:
    """Reject repeated (order_id, line_no), or number the lines in file order; fill missing fields."""
    con = stage.con
    cols = stage.columns(lines)
    if "line_no" in cols:
        out = stage.reject_duplicates(lines, key=["order_id", "line_no"], target="order_items")
        stage.drop(lines)
        lines = out
    else:
        con.execute(
            f"""CREATE OR REPLACE TABLE {ident(lines)} AS SELECT *,
            row_number() OVER (PARTITION BY order_id ORDER BY _line) AS line_no FROM {ident(lines)} """
        )
    for f in ("product_id", "quantity", "unit_price", "shipping", "product_name", "category"):
        if f not in cols:
            con.execute(
                f"ALTER TABLE {ident(lines)} ADD COLUMN {ident(f)} {'DOUBLE' if f in NUMBERS else 'VARCHAR'}"
            )
    if "quantity" not in cols:
        con.execute(f"UPDATE {ident(lines)} SET quantity = 1")
    return lines


def _orders_of_lines(stage: Stage, plan: Plan, lines: str) -> str:
    """Group the rows of a line-level orders file into orders (per-line amounts summed)."""
    m = plan.maps["orders"]
    first = [
        f
        for f in ("customer_id", "order_ts", "status", "promo_code", "payment_method", "session_id")
        if f in m
    ]
    summed = [f for f in ("total_amount", "items_amount", "discount_amount", "shipping_amount") if f in m]
    orders = stage.tmp("g_orders_of_lines")
    stage.con.execute(
        f"""CREATE TABLE {ident(orders)} AS SELECT order_id, min(_line) AS _line,
            {"".join(f"arg_min({ident(f)}, _line) AS {ident(f)}, " for f in first)}
            {"".join(f"sum({ident(f)}) AS {ident(f)}, " for f in summed)}
            count(DISTINCT coalesce(customer_id, '')) > 1 OR count(DISTINCT order_ts) > 1 AS _mixed
        FROM {ident(lines)} GROUP BY order_id"""
    )
    mixed = stage.con.execute(f"SELECT count(*) FILTER (WHERE _mixed) FROM {ident(orders)}").fetchone()[0]
    if mixed:
        stage.notes.append(
            f"{mixed:,} orders whose lines disagree on customer or time: their first line's kept"
        )
    stage.count("orders").read = stage.rows(orders)
    return orders


def _orphans(stage: Stage, plan: Plan, table: str, orders: str, role: str) -> str:
    """Reject rows of ``table`` whose order is not among the stored orders."""
    out = stage.reject_where(
        table,
        where=f"order_id NOT IN (SELECT order_id FROM {ident(orders)})",
        reason_sql="'order ' || order_id || ' is not among the stored orders' || "
        + literal(f" (missing from {plan.files['orders'].name}, or rejected there)"),
        target=TARGET[role],
    )
    stage.drop(table)
    return out


def _stage_orders(
    stage: Stage, plan: Plan, orders: str, lines: str | None, payments: str | None, persons: str | None
) -> None:
    con, m = stage.con, plan.maps["orders"]

    def col(f: str) -> str:
        return f"o.{ident(f)}" if f in m else "NULL"

    joins, items, shipping, paid = [], col("items_amount"), col("shipping_amount"), "NULL"
    method, customer = col("payment_method"), col("customer_id")
    if lines is not None:
        joins.append(
            f"""LEFT JOIN (SELECT order_id, sum(shipping) AS shipping,
                CASE WHEN count(*) = count(quantity * unit_price) THEN sum(quantity * unit_price) END AS items
            FROM {ident(lines)} GROUP BY order_id) l ON l.order_id = o.order_id"""
        )
        items, shipping = f"coalesce(l.items, {items})", f"coalesce({shipping}, l.shipping)"
    if payments is not None:
        by_value = "arg_max(method, amount)" if "method" in plan.maps["payments"] else "NULL"
        joins.append(
            f"""LEFT JOIN (SELECT order_id, sum(amount) AS total, {by_value} AS method
            FROM {ident(payments)} GROUP BY order_id) p ON p.order_id = o.order_id"""
        )
        paid, method = "p.total", f"coalesce({method}, p.method)"
    if persons is not None:
        joins.append(f"LEFT JOIN {ident(persons)} c ON c.customer_id = o.customer_id")
        if "person_id" in plan.maps["customers"]:
            customer = "coalesce(c.person_id, o.customer_id)"
        unknown = con.execute(
            f"""SELECT count(*) FROM {ident(orders)} WHERE customer_id IS NOT NULL
            AND customer_id NOT IN (SELECT customer_id FROM {ident(persons)})"""
        ).fetchone()[0]
        if unknown:
            stage.notes.append(f"{unknown:,} orders of customers not in the customers file (kept)")
    if payments is not None:
        total = "paid_total"
    elif "total_amount" in m:
        total = "given_total"
    else:
        total = "items_amount + coalesce(shipping_amount, 0) - coalesce(discount_amount, 0)"
    stage.stage(
        "orders",
        f"""SELECT order_id, customer_id, order_ts, status, items_amount, discount_amount, shipping_amount,
            {total} AS total_amount, promo_code, payment_method, session_id
        FROM (SELECT o._line, o.order_id, {customer} AS customer_id, o.order_ts,
                {col("status") if "status" in m else "'paid'"} AS status, {items} AS items_amount,
                {col("discount_amount")} AS discount_amount, {shipping} AS shipping_amount,
                {col("total_amount")} AS given_total, {paid} AS paid_total, {col("promo_code")} AS promo_code,
                {method} AS payment_method, {col("session_id")} AS session_id
            FROM {ident(orders)} o {" ".join(joins)}) ORDER BY _line""",
    )
    staged = stage.staged["orders"]
    unpaid, guests = con.execute(
        f"SELECT count(*) FILTER (WHERE total_amount IS NULL), count(*) FILTER (WHERE customer_id IS NULL) "
        f"FROM {ident(staged)}"
    ).fetchone()
    if unpaid:
        why = "no payments" if payments is not None else "no amount or prices"
        stage.notes.append(f"{unpaid:,} orders without a total amount ({why})")
    if guests:
        stage.notes.append(f"{guests:,} guest orders kept without a customer")


# ---- products and customers -------------------------------------------------------------------------
def _stage_products(stage: Stage, plan: Plan, lines: str | None) -> None:
    if "products" in plan.files:
        products = _table(stage, plan, "products", key=["product_id"])
        fields = [f for f in FIELDS["products"] if f in plan.maps["products"]]
        stage.stage(
            "products", f"SELECT {', '.join(map(ident, fields))} FROM {ident(products)} ORDER BY _line"
        )
        stage.drop(products)
        return
    if lines is None or not ({"product_id"} & (plan.maps["items"].keys() | plan.maps["orders"].keys())):
        return
    stage.stage(
        "products",
        f"""SELECT product_id, mode(product_name) AS name, mode(category) AS category_l1
        FROM {ident(lines)} WHERE product_id IS NOT NULL GROUP BY product_id ORDER BY product_id""",
    )
    stage.count("products").read = stage.count("products").stored


def _stage_customers(stage: Stage, plan: Plan, persons: str | None) -> None:
    orders = stage.staged["orders"]
    if persons is None:
        stage.stage(
            "customers",
            f"SELECT DISTINCT customer_id FROM {ident(orders)} WHERE customer_id IS NOT NULL ORDER BY 1",
        )
        stage.count("customers").read = stage.count("customers").stored
        return
    m = plan.maps["customers"]
    key = "coalesce(person_id, customer_id)" if "person_id" in m else "customer_id"
    attrs = [f for f in ("gender", "birth_date", "region", "country", "device_type") if f in m]
    stage.stage(
        "customers",
        f"""SELECT {key} AS customer_id, {"".join(f"arg_max({ident(f)}, _line) AS {ident(f)}, " for f in attrs)}
            {"min(signup_ts)" if "signup_ts" in m else "NULL"} AS signup_ts
        FROM {ident(persons)} GROUP BY {key} ORDER BY min(_line)""",
    )
    c = stage.count("customers")
    merged = c.read - c.rejected - c.stored
    if merged:
        stage.notes.append(
            f"{merged:,} customer rows merged into the person they belong to (customers.person_id)"
        )
        c.read -= merged


# ---- files --------------------------------------------------------------------------------------------


def _table(
    stage: Stage, plan: Plan, role: str, *, target: str | None = None, key: list[str] | None = None
) -> str:
    """Read the file of ``role``, reject bad values with reasons, return typed columns + _line."""
    path, fields = plan.files[role], plan.maps[role]
    target = target or TARGET[role]
    name = f"g_{role}"
    if path.suffix.lower() == ".parquet":
        require_columns(path, role, fields, stage.parquet_columns(path))
        raw = stage.read_parquet(path, target=target, required=sorted(set(fields.values())), name=name)
    else:
        delim = plan.options.get("delimiter") or sniff_delimiter(path)
        require_columns(path, role, fields, stage.csv_header(path, delim))
        raw = stage.read_csv(
            path, target=target, required=sorted(set(fields.values())), name=name, delim=delim
        )
    text = stage.tmp(f"{name}_text")
    select = ", ".join(
        f"nullif(trim(CAST({ident(c)} AS VARCHAR)), '') AS {ident(f)}" for f, c in fields.items()
    )
    stage.con.execute(f"CREATE TABLE {ident(text)} AS SELECT _line, {select} FROM {ident(raw)}")
    stage.source_of[text] = str(path)
    stage.drop(raw)
    ok = stage.validate(text, target=target, checks=_checks(stage, plan, role, path))
    typed = stage.tmp(f"{name}_typed")
    exprs = ", ".join(f"{_typed(plan, f)} AS {ident(f)}" for f in fields)
    stage.con.execute(f"CREATE TABLE {ident(typed)} AS SELECT _line, {exprs} FROM {ident(ok)}")
    stage.source_of[typed] = str(path)
    stage.drop(text, ok)
    if key and all(k in fields for k in key):
        out = stage.reject_duplicates(typed, key=key, target=target)
        stage.drop(typed)
        return out
    return typed
