"""Instacart Market Basket Analysis (2017): orders, order lines, products -> canonical tables.

Native files (in one directory, or named one by one): ``orders.csv``,
``order_products__prior.csv``, ``order_products__train.csv``, ``products.csv``, ``aisles.csv``
and ``departments.csv``. Only ``orders.csv`` is required; a missing other file is noted.
How the data's peculiarities are handled, explicitly:

- There is no calendar. ``order_ts`` is rebuilt per user (DESIGN.md): the user's last order
  (highest ``order_number``) is placed on the snapshot date
  (``config.ingest.relative_snapshot_date``, or ``options["snapshot_date"]``) at its hour of
  day; every earlier order k lies ``sum(days_since_prior of orders k+1 .. last)`` days before
  it, at its own hour. ``order_dow`` / ``order_hour`` are kept as given, so the rebuilt
  weekday need not match ``order_dow``.
- ``days_since_prior_order`` is capped at 30 ("30 or more"): ``gap_censored`` is true exactly
  on those orders, and a rebuilt gap of 30 days is a lower bound.
- No prices: amounts and unit prices are NULL, every line has quantity 1.
- Order lines whose order is not in ``orders.csv`` are kept (the public heads of the files
  are not aligned) and counted in a note.
- Whole numbers may be written ``2`` or ``2.0`` (as pandas writes them after a missing value);
  ``2.5`` is not a whole number.
- Rejected (with reasons): orders with a non-integer id, user or order number, an eval_set
  other than prior/train/test, a weekday outside 0..6, an hour outside 0..23, a
  ``days_since_prior_order`` that is not a number, negative or above 30; a repeated order id;
  a second order with the same (user, order_number). Order lines with non-integer ids, an
  ``add_to_cart_order`` below 1, a ``reordered`` other than 0/1, or a repeated
  (order_id, add_to_cart_order) (also across the two files). Products with non-integer ids or
  a repeated id.
- Users whose order numbers do not run 1, 2, ... n without gaps keep their orders; a note
  says how many, since a missing order's gap is lost from their rebuilt times.
- Products whose aisle or department id is unknown are kept with NULL categories (noted).
- ``aisles.csv`` and ``departments.csv`` are lookups: their rows are counted under
  ``aisles`` / ``departments`` so that a malformed line there is still reported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from churnlens.errors import DataError
from churnlens.sources.files import find
from churnlens.sources.sql import ident, literal, whole
from churnlens.sources.staging import Check, Stage

ORDER_COLS = [
    "order_id",
    "user_id",
    "eval_set",
    "order_number",
    "order_dow",
    "order_hour_of_day",
    "days_since_prior_order",
]
LINE_COLS = ["order_id", "product_id", "add_to_cart_order", "reordered"]
PRODUCT_COLS = ["product_id", "product_name", "aisle_id", "department_id"]
LINE_FILES = {"prior": "order_products__prior.csv", "train": "order_products__train.csv"}
EVAL_SETS = ("prior", "train", "test")
#: Instacart writes every gap of 30 days or more as 30: the cap of ``days_since_prior_order``.
GAP_CAP = 30.0


def load(stage: Stage, paths: list[Path], options: dict[str, Any], progress) -> dict[str, Any]:
    snapshot = _snapshot(options.get("snapshot_date") or stage.config.ingest.relative_snapshot_date)
    progress("reading orders.csv")
    orders = _orders(stage, find(paths, "orders.csv", kind="Instacart orders"), snapshot)
    progress("reading order lines")
    _order_items(stage, paths, orders)
    progress("reading products")
    _products(stage, paths)
    stage.drop(orders)
    return {"currency": None, "time_mode": "relative", "snapshot_date": snapshot, "prices": False}


# ---- orders ----------------------------------------------------------------------------------------
def _orders(stage: Stage, path: Path, snapshot: str) -> str:
    con = stage.con
    raw = stage.read_csv(path, target="orders", required=ORDER_COLS, name="orders")
    ok = stage.validate(
        raw,
        target="orders",
        checks=[
            _int_check("order_id", "Order ids are whole numbers."),
            _int_check("user_id", "User ids are whole numbers."),
            Check(
                "eval_set",
                f"coalesce(trim(eval_set) NOT IN ({', '.join(literal(e) for e in EVAL_SETS)}), true)",
                f"not one of {', '.join(EVAL_SETS)}",
                "eval_set must be prior, train or test.",
            ),
            _int_check("order_number", "order_number counts a user's orders from 1.", minimum=1),
            _int_check("order_dow", "order_dow is the weekday 0..6.", minimum=0, maximum=6),
            _int_check("order_hour_of_day", "order_hour_of_day is the hour 0..23.", minimum=0, maximum=23),
            Check(
                "days_since_prior_order",
                "nullif(trim(days_since_prior_order), '') IS NOT NULL AND "
                "TRY_CAST(trim(days_since_prior_order) AS DOUBLE) IS NULL",
                "not a number",
                "days_since_prior_order is a number of days (empty on a user's first order).",
            ),
            Check(
                "days_since_prior_order",
                f"NOT (TRY_CAST(trim(days_since_prior_order) AS DOUBLE) BETWEEN 0 AND {GAP_CAP})",
                f"outside 0..{GAP_CAP:g} days",
                f"Instacart gaps run from 0 to {GAP_CAP:g} (= {GAP_CAP:g} or more) days.",
            ),
        ],
    )
    typed = stage.tmp("orders_typed")
    con.execute(
        f"""CREATE TABLE {ident(typed)} AS SELECT _line,
            CAST({whole(ident("order_id"))} AS VARCHAR) AS order_id,
            CAST({whole(ident("user_id"))} AS VARCHAR) AS user_id,
            trim(eval_set) AS eval_set,
            {whole(ident("order_number"))} AS order_number,
            CAST({whole(ident("order_dow"))} AS INTEGER) AS order_dow,
            CAST({whole(ident("order_hour_of_day"))} AS INTEGER) AS order_hour,
            CAST(nullif(trim(days_since_prior_order), '') AS DOUBLE) AS days_since_prior
        FROM {ident(ok)} """
    )
    stage.source_of[typed] = str(path)
    stage.drop(raw, ok)
    ok = stage.reject_duplicates(typed, key=["order_id"], target="orders")
    ok = stage.reject_duplicates(ok, key=["user_id", "order_number"], target="orders")
    stage.drop(typed)
    _note_sequences(stage, ok)
    # Walk back from the snapshot: order k lies sum(gaps of orders k+1..last) days before it.
    timed = stage.tmp("orders_timed")
    con.execute(
        f"""CREATE TABLE {ident(timed)} AS SELECT *,
            CAST({literal(snapshot)} AS TIMESTAMP)
              - to_seconds(86400 * coalesce(sum(days_since_prior) OVER (
                    PARTITION BY user_id ORDER BY order_number
                    ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0))
              + to_hours(order_hour) AS order_ts
        FROM {ident(ok)} """
    )
    stage.drop(ok)
    stage.stage(
        "orders",
        f"""SELECT order_id, user_id AS customer_id, order_ts, 'paid' AS status, order_number,
            order_dow, order_hour, days_since_prior,
            coalesce(days_since_prior >= {GAP_CAP}, false) AS gap_censored, eval_set
        FROM {ident(timed)} ORDER BY _line""",
    )
    stage.stage("customers", f"SELECT DISTINCT user_id AS customer_id FROM {ident(timed)} ORDER BY 1")
    stage.count("customers").read = stage.count("customers").stored
    return timed


def _note_sequences(stage: Stage, orders: str) -> None:
    gaps, missing_first, missing_gap = stage.con.execute(
        f"""SELECT
            (SELECT count(*) FROM (SELECT user_id FROM {ident(orders)} GROUP BY user_id
                HAVING min(order_number) <> 1 OR max(order_number) <> count(*))),
            count(*) FILTER (WHERE order_number = 1 AND days_since_prior IS NOT NULL),
            count(*) FILTER (WHERE order_number > 1 AND days_since_prior IS NULL)
        FROM {ident(orders)} """
    ).fetchone()
    if gaps:
        stage.notes.append(
            f"order numbers of {gaps:,} users do not run 1..n without gaps; their orders are kept, "
            "but the rebuilt times of orders before a gap are too late by the missing orders' gaps"
        )
    if missing_first or missing_gap:
        stage.notes.append(
            f"{missing_first:,} first orders carry a days_since_prior_order (ignored) and {missing_gap:,} "
            "later orders have none (taken as 0 days when rebuilding times)"
        )


# ---- order lines -----------------------------------------------------------------------------------
def _order_items(stage: Stage, paths: list[Path], orders: str) -> None:
    con = stage.con
    parts: list[str] = []
    for eval_set, name in LINE_FILES.items():
        path = find(paths, name, required=False)
        if path is None:
            stage.notes.append(f"{name} not found: no {eval_set} order lines")
            continue
        raw = stage.read_csv(
            path, target="order_items", required=LINE_COLS, name=f"lines_{eval_set}", optional=True
        )
        ok = stage.validate(
            raw,
            target="order_items",
            checks=[
                _int_check("order_id", "Order ids are whole numbers."),
                _int_check("product_id", "Product ids are whole numbers."),
                _int_check("add_to_cart_order", "add_to_cart_order counts the cart from 1.", minimum=1),
                Check(
                    "reordered",
                    "coalesce(trim(reordered) NOT IN ('0', '1'), true)",
                    "not 0 or 1",
                    "reordered is 1 when the user bought the product before, else 0.",
                ),
            ],
        )
        typed = stage.tmp(f"lines_{eval_set}_typed")
        con.execute(
            f"""CREATE TABLE {ident(typed)} AS SELECT _line,
                CAST({whole(ident("order_id"))} AS VARCHAR) AS order_id,
                {whole(ident("add_to_cart_order"))} AS line_no,
                CAST({whole(ident("product_id"))} AS VARCHAR) AS product_id,
                trim(reordered) = '1' AS reordered
            FROM {ident(ok)} """
        )
        stage.source_of[typed] = str(path)
        stage.drop(raw, ok)
        ok = stage.reject_duplicates(typed, key=["order_id", "line_no"], target="order_items")
        stage.drop(typed)
        for earlier in parts:
            ok = stage.reject_where(
                ok,
                where=f"""order_id || '/' || line_no IN (SELECT order_id || '/' || line_no FROM {ident(earlier)})""",
                reason_sql="'order line ' || order_id || '/' || line_no || "
                + literal(f" already read from {Path(stage.source_of.get(earlier, earlier)).name}"),
                target="order_items",
            )
        parts.append(ok)
    if not parts:
        return
    lines = stage.tmp("lines")
    con.execute(
        f"CREATE TABLE {ident(lines)} AS " + " UNION ALL ".join(f"SELECT * FROM {ident(p)}" for p in parts)
    )
    stage.drop(*parts)
    stage.stage(
        "order_items",
        f"""SELECT order_id, line_no, product_id, 1.0 AS quantity, line_no AS cart_position, reordered
        FROM {ident(lines)} ORDER BY order_id::BIGINT, line_no""",
    )
    n_lines, n_orders = con.execute(
        f"""SELECT count(*), count(DISTINCT order_id) FROM {ident(lines)}
        WHERE order_id NOT IN (SELECT order_id FROM {ident(orders)})"""
    ).fetchone()
    if n_lines:
        stage.notes.append(
            f"{n_lines:,} lines of {n_orders:,} orders not in orders.csv (kept; they join no order)"
        )
    stage.drop(lines)


# ---- products --------------------------------------------------------------------------------------
def _products(stage: Stage, paths: list[Path]) -> None:
    con = stage.con
    path = find(paths, "products.csv", required=False)
    if path is None:
        stage.notes.append("products.csv not found: no products table")
        return
    raw = stage.read_csv(path, target="products", required=PRODUCT_COLS, name="products", optional=True)
    ok = stage.validate(
        raw,
        target="products",
        checks=[
            _int_check("product_id", "Product ids are whole numbers."),
            _int_check("aisle_id", "aisle_id is a whole number or empty.", optional=True),
            _int_check("department_id", "department_id is a whole number or empty.", optional=True),
        ],
    )
    typed = stage.tmp("products_typed")
    con.execute(
        f"""CREATE TABLE {ident(typed)} AS SELECT _line,
            CAST({whole(ident("product_id"))} AS VARCHAR) AS product_id,
            nullif(trim(product_name), '') AS name,
            CAST({whole(ident("aisle_id"))} AS VARCHAR) AS aisle_id,
            CAST({whole(ident("department_id"))} AS VARCHAR) AS department_id
        FROM {ident(ok)} """
    )
    stage.source_of[typed] = str(path)
    stage.drop(raw, ok)
    ok = stage.reject_duplicates(typed, key=["product_id"], target="products")
    stage.drop(typed)
    aisles = _lookup(stage, paths, "aisles.csv", "aisle")
    departments = _lookup(stage, paths, "departments.csv", "department")
    aisle_sql = f"SELECT * FROM {ident(aisles)}" if aisles else "SELECT NULL AS id, NULL AS label WHERE false"
    dept_sql = (
        f"SELECT * FROM {ident(departments)}"
        if departments
        else "SELECT NULL AS id, NULL AS label WHERE false"
    )
    joined = stage.tmp("products_joined")
    con.execute(
        f"""CREATE TABLE {ident(joined)} AS SELECT p.*, a.label AS aisle, d.label AS department
        FROM {ident(ok)} p LEFT JOIN ({aisle_sql}) a ON p.aisle_id = a.id
        LEFT JOIN ({dept_sql}) d ON p.department_id = d.id"""
    )
    stage.stage(
        "products",
        f"""SELECT product_id, name, department AS category_l1, aisle AS category_l2
        FROM {ident(joined)} ORDER BY _line""",
    )
    if aisles or departments:
        bad_aisle, bad_dept = con.execute(
            f"""SELECT count(*) FILTER (WHERE aisle_id IS NOT NULL AND aisle IS NULL),
                count(*) FILTER (WHERE department_id IS NOT NULL AND department IS NULL)
            FROM {ident(joined)} """
        ).fetchone()
        if (bad_aisle and aisles) or (bad_dept and departments):
            stage.notes.append(
                f"{bad_aisle:,} products with an unknown aisle id and {bad_dept:,} with an unknown "
                "department id kept without that category"
            )
    stage.drop(ok, joined, *(t for t in (aisles, departments) if t))


def _lookup(stage: Stage, paths: list[Path], name: str, what: str) -> str | None:
    """Read aisles.csv / departments.csv as (id, label); None when the file is absent."""
    path = find(paths, name, required=False)
    if path is None:
        stage.notes.append(f"{name} not found: products have no {what} names")
        return None
    target = f"{what}s"
    raw = stage.read_csv(path, target=target, required=[f"{what}_id", what], name=target, optional=True)
    ok = stage.validate(
        raw, target=target, checks=[_int_check(f"{what}_id", f"{what}_id is a whole number.")]
    )
    typed = stage.tmp(f"{target}_typed")
    stage.con.execute(
        f"""CREATE TABLE {ident(typed)} AS SELECT _line, CAST({whole(ident(what + "_id"))} AS VARCHAR) AS id,
            nullif(trim({ident(what)}), '') AS label FROM {ident(ok)} """
    )
    stage.source_of[typed] = str(path)
    stage.drop(raw, ok)
    out = stage.reject_duplicates(typed, key=["id"], target=target)
    stage.drop(typed)
    stage.count(target).stored = stage.rows(out)
    return out


# ---- helpers ---------------------------------------------------------------------------------------
def _int_check(
    column: str,
    fix: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
) -> Check:
    """Check that ``column`` is a whole number (``2`` or ``2.0``, within bounds); empty is bad
    unless optional."""
    value = whole(ident(column), signed=False)
    bad = f"{value} IS NULL"
    if minimum is not None:
        bad += f" OR {value} < {int(minimum)}"
    if maximum is not None:
        bad += f" OR {value} > {int(maximum)}"
    if optional:
        bad = f"nullif(trim({ident(column)}), '') IS NOT NULL AND ({bad})"
    if minimum is not None and maximum is not None:
        reason = f"not a whole number {minimum}..{maximum}"
    elif minimum:
        reason = f"not a whole number from {minimum}"
    else:
        reason = "not a whole number"
    return Check(column, bad, reason, fix)


def _snapshot(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise DataError(
            "The snapshot date for relative-time data is not an ISO date.",
            file="config [ingest] relative_snapshot_date",
            values=[value],
            fix="Write it as YYYY-MM-DD, e.g. 2017-06-30.",
        ) from exc
