"""Fashion Campus (Indonesian fashion shop): customer, product, transactions, click stream.

The exact native format is in FASHION_CAMPUS_FORMAT.md. Everything is parsed inside DuckDB,
vectorised, so the 12.8 M-row click stream streams through without a Python loop:

- ``product.csv``: rows with unquoted commas inside productDisplayName have more than ten
  fields; fields ten and later are joined back into the name.
- ``transactions.csv``: ``product_metadata`` is a Python literal list of dicts; its
  product ids, quantities and prices are pulled out with regular expressions and become
  order lines. A metadata text that is not such a literal, a negative quantity, or a
  total_amount that breaks ``sum(quantity * item_price) - promo_amount + shipment_fee`` is
  rejected with its reason. Failed payments are kept as orders with status ``failed``.
- ``click_stream.csv``: event names map to canonical event types; ``event_metadata``
  literals give product, quantity, price, search keywords, promo and payment status. Events
  reach customers through ``transactions.session_id``. Unknown event names are rejected.
Ids and quantities may be written ``2.0``; amounts that are NaN or infinite and times outside
the plausible range (``[ingest] earliest_time``..) are rejected. A ``click_stream.csv`` with a
header and no rows is an empty events table, noted.
Personal columns (names, username, e-mail, device id) are never read into the warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from churnlens.sources.files import find
from churnlens.sources.sql import finite, ident, literal, whole
from churnlens.sources.staging import Check, Stage

EVENT_TYPES = {
    "HOMEPAGE": "home",
    "SEARCH": "search",
    "ITEM_DETAIL": "view_item",
    "ADD_TO_CART": "add_to_cart",
    "PROMO_PAGE": "promo_page",
    "ADD_PROMO": "add_promo",
    "BOOKING": "purchase",
    "CLICK": "other",
    "SCROLL": "other",
}
#: Personal columns of customer.csv: dropped as the file is read, never stored.
PERSONAL = (
    "first_name",
    "last_name",
    "username",
    "email",
    "device_id",
    "home_location_lat",
    "home_location_long",
)
ISO_TS = "['%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S']"
PRODUCT_COLUMNS = [
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
]  # fmt: skip


def ts(col: str) -> str:
    """SQL parsing the ISO-8601 text timestamps of the files (``...T..:..:..ffffffZ``)."""
    return f"try_strptime({col}, {ISO_TS})"


def _int(col: str) -> str:
    """SQL: true when ``col`` is not a whole number (``2.0`` is one, ``2.5`` is not)."""
    return f"{whole(ident(col))} IS NULL"


def _id(col: str) -> str:
    """SQL: the whole-number id in ``col`` as text (``17.0`` -> ``17``)."""
    return f"CAST({whole(ident(col))} AS VARCHAR)"


#: The money columns of transactions.csv as numbers (an empty promo_amount is 0).
MONEY = {
    "promo_amount": "coalesce(nullif(promo_amount, ''), '0')",
    "shipment_fee": "shipment_fee",
    "total_amount": "total_amount",
}


def meta_token(col: str, key: str) -> str:
    """SQL: the value token of ``key`` in the Python-literal dict text ``col``, quotes kept
    (NULL if the text does not mention the key: the expression is skipped for such rows).

    One regular expression takes the value token (a quoted string or a number)."""
    pattern = f"'{key}': *('[^']*'|\"[^\"]*\"|-?[0-9]+(?:\\.[0-9]+)?)"
    return f"CASE WHEN contains({col}, {literal(repr(key))}) THEN regexp_extract({col}, {literal(pattern)}, 1) END"


def meta_value(token: str) -> str:
    """SQL: the value of a `meta_token` (a column, computed once) with its quotes cut off."""
    quotes = f"{literal(chr(39))}, {literal(chr(34))}"
    return f"nullif(CASE WHEN left({token}, 1) IN ({quotes}) THEN {token}[2:-2] ELSE {token} END, '')"


def meta(col: str, key: str) -> str:
    """SQL: the value of ``key`` in the Python-literal dict text ``col`` (NULL if absent)."""
    return meta_value(meta_token(col, key))


#: event_metadata keys read into events columns (each key's regular expression runs once a row).
META_KEYS = ("product_id", "quantity", "item_price", "search_keywords", "promo_code", "promo_amount",
             "payment_status")  # fmt: skip


def load(stage: Stage, paths: list[Path], options: dict[str, Any], progress) -> dict[str, Any]:
    files = {
        n: find(paths, f"{n}.csv", kind="Fashion Campus") for n in ("customer", "product", "transactions")
    }
    clicks = find(paths, "click_stream.csv", required=False)
    progress("customers")
    _customers(stage, files["customer"])
    progress("products")
    _products(stage, files["product"])
    progress("transactions")
    _transactions(stage, files["transactions"])
    if clicks is None:
        stage.notes.append("no click_stream.csv: events table left empty")
    else:
        progress("click stream")
        _events(stage, clicks)
    return {"currency": "IDR", "time_mode": "calendar", "prices": True}


def _customers(stage: Stage, path: Path) -> None:
    need = [
        "customer_id",
        "gender",
        "birthdate",
        "device_type",
        "home_location",
        "home_country",
        "first_join_date",
    ]
    raw = stage.read_csv(
        path, target="customers", required=need, name="customer", private=PERSONAL, lazy=True
    )
    good = stage.validate(
        raw,
        target="customers",
        checks=[
            Check(
                "customer_id", _int("customer_id"), "not a whole number", "customer_id must be an integer."
            ),
            Check(
                "birthdate",
                "birthdate IS NOT NULL AND TRY_CAST(birthdate AS DATE) IS NULL",
                "not a date",
                "Write birthdate as YYYY-MM-DD.",
            ),
            Check(
                "first_join_date",
                "first_join_date IS NOT NULL AND TRY_CAST(first_join_date AS DATE) IS NULL",
                "not a date",
                "Write first_join_date as YYYY-MM-DD.",
            ),
            stage.time_check(
                "first_join_date", "TRY_CAST(first_join_date AS TIMESTAMP)", "Check first_join_date."
            ),
        ],
    )
    good = stage.reject_duplicates(good, key=["customer_id"], target="customers")
    stage.stage(
        "customers",
        f"""SELECT {_id("customer_id")} AS customer_id, nullif(gender, '') AS gender,
            TRY_CAST(birthdate AS DATE) AS birth_date, CAST(TRY_CAST(first_join_date AS DATE) AS TIMESTAMP) AS signup_ts,
            nullif(home_location, '') AS region, nullif(home_country, '') AS country,
            nullif(device_type, '') AS device_type FROM {ident(good)} ORDER BY _line""",
    )
    stage.drop(raw, good)


def _products(stage: Stage, path: Path) -> None:
    raw = stage.read_csv(
        path, target="products", required=PRODUCT_COLUMNS, name="product", keep_malformed=True
    )
    bad = stage.malformed.pop(raw)
    # Unquoted commas in productDisplayName: fields 10.. are the name, joined back with commas.
    stage.con.execute(
        f"""INSERT INTO {ident(raw)} (_line, {", ".join(ident(c) for c in PRODUCT_COLUMNS)})
        SELECT line, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], array_to_string(f[10:], ',')
        FROM (SELECT line, string_split(csv_line, ',') AS f FROM {ident(bad)}
              WHERE msg LIKE '%TOO MANY COLUMNS%' OR len(string_split(csv_line, ',')) > 10)
        WHERE len(f) > 10"""
    )
    repaired = stage.con.execute(
        f"""SELECT count(*) FROM {ident(bad)} WHERE len(string_split(csv_line, ',')) > 10"""
    ).fetchone()[0]
    stage.con.execute(f"""DELETE FROM {ident(bad)} WHERE len(string_split(csv_line, ',')) > 10""")
    stage.reject_malformed(bad, target="products", source=str(path))
    if repaired:
        stage.notes.append(f"{repaired} product rows with unquoted commas in productDisplayName repaired")
    good = stage.validate(
        raw, target="products",
        checks=[Check("id", _int("id"), "not a whole number", "Product ids must be integers.")],
    )  # fmt: skip
    good = stage.reject_duplicates(good, key=["id"], target="products")
    stage.stage(
        "products",
        f"""SELECT {_id("id")} AS product_id, productDisplayName AS name,
            nullif(masterCategory, '') AS category_l1, nullif(subCategory, '') AS category_l2,
            nullif(articleType, '') AS category_l3, nullif(baseColour, '') AS colour,
            nullif(season, '') AS season, nullif(usage, '') AS usage, nullif(gender, '') AS target_gender
            FROM {ident(good)} ORDER BY _line""",
    )
    stage.drop(raw, good)


def _transactions(stage: Stage, path: Path) -> None:
    need = ["created_at", "customer_id", "booking_id", "session_id", "product_metadata", "payment_method",
            "payment_status", "promo_amount", "promo_code", "shipment_fee", "total_amount"]  # fmt: skip
    raw = stage.read_csv(path, target="orders", required=need, name="transactions", lazy=True)
    con = stage.con
    # ids and quantities: whole numbers, written 2 or 2.0 (the ".0" is cut off; 2.5 keeps its ".5")
    number = "(-?[0-9]+(?:\\.[0-9]+)?)"
    items, qtys = (
        f"list_transform(regexp_extract_all(product_metadata, {literal(repr(key) + ': *' + number)}, 1), "
        "x -> regexp_replace(x, '[.]0*$', ''))"
        for key in ("product_id", "quantity")
    )
    prices = "regexp_extract_all(product_metadata, '''item_price'': *(-?[0-9]+(?:\\.[0-9]+)?)', 1)"
    parsed = stage.tmp("tx_parsed")
    con.execute(
        f"""CREATE TEMP TABLE {ident(parsed)} AS SELECT *, {items} AS _pids, {qtys} AS _qtys, {prices} AS _prices,
            length(product_metadata) - length(replace(product_metadata, '{{', '')) AS _n_dicts
            FROM {ident(raw)} """
    )
    stage.source_of[parsed] = str(path)
    stage.drop(raw)
    literal_ok = (
        "regexp_matches(product_metadata, '^\\s*\\[\\s*\\{.*\\}\\s*\\]\\s*$') AND len(_pids) >= 1 "
        "AND len(_pids) = len(_qtys) AND len(_pids) = len(_prices) AND len(_pids) = _n_dicts"
    )
    items_sum = "list_sum(list_transform(list_zip(_qtys, _prices), x -> x[1]::DOUBLE * x[2]::DOUBLE))"
    good = stage.validate(
        parsed,
        target="orders",
        checks=[
            Check(
                "booking_id",
                "booking_id IS NULL OR booking_id = ''",
                "missing",
                "Every booking needs its id.",
                show_value=False,
            ),
            Check(
                "created_at",
                f"{ts('created_at')} IS NULL",
                "not an ISO-8601 time",
                "Write times like 2018-07-29T15:22:01.458193Z.",
            ),
            stage.time_check("created_at", ts("created_at"), "Check created_at."),
            Check(
                "customer_id", _int("customer_id"), "not a whole number", "customer_id must be an integer."
            ),
            Check(
                "payment_status",
                "payment_status IS NULL OR payment_status NOT IN ('Success', 'Failed')",
                "not Success or Failed",
                "payment_status must be Success or Failed.",
            ),
            Check(
                "product_metadata",
                f"product_metadata IS NULL OR NOT ({literal_ok})",
                "not a list of {'product_id', 'quantity', 'item_price'} literals",
                "Write it as [{'product_id': 1, 'quantity': 1, 'item_price': 100}].",
            ),
            Check(
                "product_metadata",
                "list_bool_or(list_transform(list_concat(_pids, _qtys), x -> contains(x, '.')))",
                "product_id or quantity not a whole number",
                "Product ids and quantities are whole numbers.",
            ),
            Check(
                "product_metadata",
                "list_min(list_transform(_qtys, x -> x::DOUBLE)) <= 0",
                "quantity not positive",
                "Quantities must be positive whole numbers.",
            ),
            *_money_checks(),
            Check(
                "total_amount",
                f"abs({finite(MONEY['total_amount'])} - ({items_sum} - {finite(MONEY['promo_amount'])}"
                f" + {finite(MONEY['shipment_fee'])})) > 0.005",
                "differs from sum(quantity * item_price) - promo_amount + shipment_fee",
                "Check the booking's items, promo_amount and shipment_fee.",
            ),
        ],
    )
    good = stage.reject_duplicates(good, key=["booking_id"], target="orders")
    stage.stage(
        "orders",
        f"""SELECT booking_id AS order_id, {_id("customer_id")} AS customer_id,
            {ts("created_at")} AS order_ts,
            CASE payment_status WHEN 'Success' THEN 'paid' ELSE 'failed' END AS status,
            {items_sum} AS items_amount,
            {finite(MONEY["promo_amount"])} AS discount_amount,
            {finite(MONEY["shipment_fee"])} AS shipping_amount, {finite(MONEY["total_amount"])} AS total_amount,
            nullif(promo_code, '') AS promo_code, nullif(payment_method, '') AS payment_method,
            nullif(session_id, '') AS session_id
            FROM {ident(good)} ORDER BY _line""",
    )
    lines = stage.tmp("tx_lines")
    con.execute(
        f"""CREATE TEMP TABLE {ident(lines)} AS SELECT booking_id AS order_id, _line,
            unnest(range(1, len(_pids) + 1)) AS line_no, unnest(_pids) AS product_id,
            unnest(_qtys)::DOUBLE AS quantity, unnest(_prices)::DOUBLE AS unit_price FROM {ident(good)} """
    )
    stage.count("order_items").read += stage.rows(lines)
    stage.stage(
        "order_items",
        f"""SELECT order_id, line_no, product_id, quantity, unit_price, line_no AS cart_position
            FROM {ident(lines)} ORDER BY _line, line_no""",
    )
    stage.drop(lines, good)


def _money_checks() -> list[Check]:
    out = []
    for col, sql in MONEY.items():
        fix = f"{col} must be a number" + (" (0 when no promotion)." if col == "promo_amount" else ".")
        out.append(Check(col, f"TRY_CAST({sql} AS DOUBLE) IS NULL", "not a number", fix))
        out.append(Check(col, f"{finite(sql)} IS NULL", "not a finite number (NaN or infinity)", fix))
    return out


def _events(stage: Stage, path: Path) -> None:
    need = ["session_id", "event_name", "event_time", "event_id", "traffic_source", "event_metadata"]
    raw = stage.read_csv(path, target="events", required=need, name="clicks", optional=True, lazy=True)
    known = ", ".join(literal(k) for k in EVENT_TYPES)
    good = stage.validate(
        raw,
        target="events",
        checks=[
            Check(
                "event_id",
                "event_id IS NULL OR event_id = ''",
                "missing",
                "Every event needs its id.",
                show_value=False,
            ),
            Check(
                "event_time",
                f"{ts('event_time')} IS NULL",
                "not an ISO-8601 time",
                "Write times like 2018-07-29T15:22:01.458193Z.",
            ),
            stage.time_check("event_time", ts("event_time"), "Check event_time."),
            Check(
                "event_name",
                f"event_name IS NULL OR event_name NOT IN ({known})",
                "unknown event name",
                f"Known event names: {', '.join(EVENT_TYPES)}.",
            ),
            Check(
                "event_metadata",
                "event_metadata IS NOT NULL AND event_metadata <> '' "
                "AND NOT regexp_matches(event_metadata, '^\\s*\\{.*\\}\\s*$')",
                "not a Python dict literal",
                "Write it like {'product_id': 1, 'quantity': 1, 'item_price': 100}.",
            ),
            Check(
                "event_metadata",
                f"event_name = 'ADD_TO_CART' AND TRY_CAST({meta('event_metadata', 'product_id')} AS BIGINT) IS NULL",
                "ADD_TO_CART without a product_id",
                "ADD_TO_CART events carry {'product_id': ...}.",
            ),
        ],
    )
    good = stage.reject_duplicates(good, key=["event_id"], target="events")
    mapping = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in EVENT_TYPES.items())
    orders = stage.staged["orders"]
    tokens = ", ".join(f"{meta_token('event_metadata', k)} AS {ident('_m_' + k)}" for k in META_KEYS)
    m = {k: meta_value(ident("_m_" + k)) for k in META_KEYS}
    stage.stage(
        "events",
        f"""SELECT event_id, session_id, {ts("event_time")} AS event_ts,
            CASE event_name {mapping} END AS event_type, event_name AS raw_event_name,
            {m["product_id"]} AS product_id,
            TRY_CAST({m["quantity"]} AS DOUBLE) AS quantity,
            TRY_CAST({m["item_price"]} AS DOUBLE) AS item_price,
            {m["search_keywords"]} AS search_query,
            {m["promo_code"]} AS promo_code,
            TRY_CAST({m["promo_amount"]} AS DOUBLE) AS promo_amount,
            {m["payment_status"]} AS payment_status,
            nullif(traffic_source, '') AS traffic_source
        FROM (SELECT event_id, session_id, event_time, event_name, traffic_source, {tokens}
              FROM {ident(good)})""",
    )
    # Each event's customer is its session's, set in place: the events stay in file order (a
    # join would not keep it, and putting 13 M joined rows back in order costs more than the
    # rest of the staging together).
    stage.con.execute(
        f"""UPDATE {ident(stage.staged["events"])} AS e SET customer_id = s.customer_id
        FROM (SELECT session_id, min(customer_id) AS customer_id FROM {ident(orders)} GROUP BY session_id) s
        WHERE e.session_id = s.session_id"""
    )
    stage.drop(raw, good)
