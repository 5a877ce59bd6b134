"""The canonical tables: names, keys, column types and documentation.

Every source adapter writes exactly these columns (nullable where the source lacks them), in
this order and with these types, so every later stage can rely on them. Identifiers are
text in every table, whatever the source used (integers, UUIDs, hex strings), so that joins
never depend on a source's number formatting. Times are UTC timestamps without time zone.
Money is a double in the source currency (recorded in the run record).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Canonical event types (DESIGN.md). Anything else a source emits maps to one of these or is
#: rejected by the adapter with its reason.
EVENT_TYPES: tuple[str, ...] = (
    "home",
    "search",
    "view_item",
    "add_to_cart",
    "promo_page",
    "add_promo",
    "purchase",
    "other",
)

#: Order status values.
ORDER_STATUSES: tuple[str, ...] = ("paid", "failed", "cancelled")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type name used when staging
    doc: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(*rows: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*r) for r in rows)


CUSTOMERS = TableSpec(
    "customers",
    ("customer_id",),
    _cols(
        ("customer_id", "VARCHAR", "customer identifier"),
        ("gender", "VARCHAR", "F, M or NULL (other codes kept as given)"),
        ("birth_date", "DATE", "date of birth"),
        ("signup_ts", "TIMESTAMP", "when the customer joined the shop"),
        ("region", "VARCHAR", "province, state or region"),
        ("country", "VARCHAR", "country name"),
        ("device_type", "VARCHAR", "Android, iOS, Web, ..."),
    ),
    "one row per known customer",
)

PRODUCTS = TableSpec(
    "products",
    ("product_id",),
    _cols(
        ("product_id", "VARCHAR", "product identifier"),
        ("name", "VARCHAR", "display name"),
        ("category_l1", "VARCHAR", "top category (masterCategory, department)"),
        ("category_l2", "VARCHAR", "second level (subCategory, aisle)"),
        ("category_l3", "VARCHAR", "third level (articleType)"),
        ("brand", "VARCHAR", "brand"),
        ("colour", "VARCHAR", "base colour"),
        ("season", "VARCHAR", "season"),
        ("usage", "VARCHAR", "usage (Casual, Formal, ...)"),
        ("target_gender", "VARCHAR", "who the product is for (Men, Women, ...)"),
    ),
    "one row per product",
)

ORDERS = TableSpec(
    "orders",
    ("order_id",),
    _cols(
        ("order_id", "VARCHAR", "order (booking, invoice) identifier"),
        ("customer_id", "VARCHAR", "buyer; NULL for guest orders"),
        ("order_ts", "TIMESTAMP", "when the order was placed (UTC); rebuilt for relative-time data"),
        ("status", "VARCHAR", "paid, failed or cancelled"),
        ("items_amount", "DOUBLE", "sum of quantity x unit price; NULL without prices"),
        ("discount_amount", "DOUBLE", "promotion discount"),
        ("shipping_amount", "DOUBLE", "shipping fee"),
        ("total_amount", "DOUBLE", "items - discount + shipping; what the customer paid"),
        ("promo_code", "VARCHAR", "promotion code used, NULL when none"),
        ("payment_method", "VARCHAR", "payment method"),
        ("order_number", "BIGINT", "the customer's n-th order, when the source gives it"),
        ("session_id", "VARCHAR", "click-stream session of the order"),
        ("order_dow", "INTEGER", "day of week as the source gives it (Instacart), else NULL"),
        ("order_hour", "INTEGER", "hour of day as the source gives it (Instacart), else NULL"),
        (
            "days_since_prior",
            "DOUBLE",
            "days since the customer's previous order as given (relative-time data)",
        ),
        ("gap_censored", "BOOLEAN", "days_since_prior is a cap (Instacart 30 = '30 or more')"),
        ("eval_set", "VARCHAR", "Instacart's prior/train/test split, else NULL"),
    ),
    "one row per order",
)

ORDER_ITEMS = TableSpec(
    "order_items",
    ("order_id", "line_no"),
    _cols(
        ("order_id", "VARCHAR", "order identifier"),
        ("line_no", "BIGINT", "line number within the order, from 1"),
        ("product_id", "VARCHAR", "product identifier"),
        ("quantity", "DOUBLE", "units; negative on cancellation lines when the source says so"),
        ("unit_price", "DOUBLE", "price of one unit; NULL without prices"),
        ("cart_position", "BIGINT", "position in the cart (add_to_cart_order)"),
        ("reordered", "BOOLEAN", "the customer bought this product before (source flag)"),
    ),
    "one row per order line",
)

EVENTS = TableSpec(
    "events",
    ("event_id",),
    _cols(
        ("event_id", "VARCHAR", "event identifier"),
        ("session_id", "VARCHAR", "source session identifier"),
        ("customer_id", "VARCHAR", "customer, NULL when the session is anonymous"),
        ("event_ts", "TIMESTAMP", "when the event happened (UTC)"),
        ("event_type", "VARCHAR", "canonical event type, one of EVENT_TYPES"),
        ("raw_event_name", "VARCHAR", "event name as the source wrote it"),
        ("product_id", "VARCHAR", "product concerned"),
        ("quantity", "DOUBLE", "quantity (add to cart)"),
        ("item_price", "DOUBLE", "price (add to cart)"),
        ("search_query", "VARCHAR", "search keywords"),
        ("promo_code", "VARCHAR", "promotion code (add promo)"),
        ("promo_amount", "DOUBLE", "promotion amount (add promo)"),
        ("payment_status", "VARCHAR", "payment status (purchase)"),
        ("traffic_source", "VARCHAR", "MOBILE, WEB, ..."),
    ),
    "one row per click-stream event",
)

REJECTED_ROWS = TableSpec(
    "rejected_rows",
    (),
    _cols(
        ("source_file", "VARCHAR", "file the row was read from"),
        ("line", "BIGINT", "line number in the file (1 = header of a CSV); row number from 1 in Parquet"),
        ("target_table", "VARCHAR", "canonical table the row was meant for"),
        ("reason", "VARCHAR", "why it was not stored"),
        ("raw", "VARCHAR", "the row as read, shortened"),
    ),
    "rows that failed validation, with their reasons",
)

CANONICAL: dict[str, TableSpec] = {t.name: t for t in (CUSTOMERS, PRODUCTS, ORDERS, ORDER_ITEMS, EVENTS)}
ALL_TABLES: dict[str, TableSpec] = {**CANONICAL, REJECTED_ROWS.name: REJECTED_ROWS}
