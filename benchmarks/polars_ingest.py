"""The Fashion Campus bookings and click stream ingested by hand in Polars: the contender of
`ingest.py`.

It does the same work as churnlens's adapter, the way an analyst fluent in Polars would write
it: read every column as text with its line number, apply the same checks (each failing row
kept with its line and reason), drop repeated ids (first line wins), parse the Python-literal
metadata with regular expressions, link each event to the customer of its session's booking,
and store the result (Parquet, zstd: the analyst's warehouse).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

EVENT_TYPES = {
    "HOMEPAGE": "home", "SEARCH": "search", "ITEM_DETAIL": "view_item", "ADD_TO_CART": "add_to_cart",
    "PROMO_PAGE": "promo_page", "ADD_PROMO": "add_promo", "BOOKING": "purchase", "CLICK": "other",
    "SCROLL": "other",
}  # fmt: skip
META_KEYS = ("product_id", "quantity", "item_price", "search_keywords", "promo_code", "promo_amount",
             "payment_status")  # fmt: skip
EARLIEST = pl.datetime(1990, 1, 1)


def _read(path: Path) -> pl.LazyFrame:
    return pl.scan_csv(path, infer_schema=False, row_index_name="_line", row_index_offset=2)


def _time(col: str) -> pl.Expr:
    text = pl.col(col)
    return pl.coalesce(
        text.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.fZ", strict=False),
        text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False),
    )


def _meta(key: str) -> pl.Expr:
    token = pl.col("event_metadata").str.extract(f"'{key}': *('[^']*'|\"[^\"]*\"|-?[0-9]+(?:\\.[0-9]+)?)", 1)
    quoted = token.str.starts_with("'") | token.str.starts_with('"')
    value = pl.when(quoted).then(token.str.slice(1, token.str.len_chars() - 2)).otherwise(token)
    return pl.when(value != "").then(value)


def _checked(frame: pl.LazyFrame, checks: list[tuple[str, pl.Expr]], out: Path, name: str) -> pl.LazyFrame:
    """Rows passing every check; the others written with their line and first failing reason."""
    reason = pl.when(checks[0][1]).then(pl.lit(checks[0][0]))
    for text, bad in checks[1:]:
        reason = reason.when(bad).then(pl.lit(text))
    marked = frame.with_columns(reason.otherwise(None).alias("_reason")).collect()
    marked.filter(pl.col("_reason").is_not_null()).select("_line", "_reason").write_parquet(
        out / f"{name}_rejected.parquet"
    )
    return marked.lazy().filter(pl.col("_reason").is_null()).drop("_reason")


def _first_of(frame: pl.LazyFrame, key: str) -> pl.LazyFrame:
    return frame.filter(pl.col("_line") == pl.col("_line").min().over(key))


def sessions(shop: Path) -> pl.DataFrame:
    """session_id -> the smallest customer_id of its bookings (done before the timed work)."""
    return (
        pl.scan_csv(shop / "transactions.csv", infer_schema=False)
        .select(
            "session_id", pl.col("customer_id").cast(pl.Float64, strict=False).cast(pl.Int64).cast(pl.Utf8)
        )
        .group_by("session_id")
        .agg(pl.col("customer_id").min())
        .collect()
    )


def click_stream(shop: Path, out: Path, session_customers: pl.DataFrame) -> int:
    out.mkdir(parents=True, exist_ok=True)
    ts = _time("event_time")
    checks = [
        ("event_id: missing", pl.col("event_id").is_null() | (pl.col("event_id") == "")),
        ("event_time: not an ISO-8601 time", ts.is_null()),
        ("event_time: outside the plausible time range", ts < EARLIEST),
        ("event_name: unknown event name", ~pl.col("event_name").is_in(list(EVENT_TYPES))),
        (
            "event_metadata: not a Python dict literal",
            (pl.col("event_metadata").fill_null("") != "")
            & ~pl.col("event_metadata").str.contains(r"^\s*\{.*\}\s*$"),
        ),
        (
            "event_metadata: ADD_TO_CART without a product_id",
            (pl.col("event_name") == "ADD_TO_CART")
            & _meta("product_id").cast(pl.Int64, strict=False).is_null(),
        ),
    ]
    good = _first_of(_checked(_read(shop / "click_stream.csv"), checks, out, "events"), "event_id")
    events = good.select(
        "event_id",
        "session_id",
        ts.alias("event_ts"),
        pl.col("event_name").replace_strict(EVENT_TYPES, default=None).alias("event_type"),
        pl.col("event_name").alias("raw_event_name"),
        _meta("product_id").alias("product_id"),
        _meta("quantity").cast(pl.Float64, strict=False).alias("quantity"),
        _meta("item_price").cast(pl.Float64, strict=False).alias("item_price"),
        _meta("search_keywords").alias("search_query"),
        _meta("promo_code").alias("promo_code"),
        _meta("promo_amount").cast(pl.Float64, strict=False).alias("promo_amount"),
        _meta("payment_status").alias("payment_status"),
        pl.when(pl.col("traffic_source") != "").then(pl.col("traffic_source")).alias("traffic_source"),
    ).join(session_customers.lazy(), on="session_id", how="left", maintain_order="left")
    target = out / "events.parquet"
    events.sink_parquet(target)
    return pl.scan_parquet(target).select(pl.len()).collect().item()


def transactions(shop: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    number = r"(-?[0-9]+(?:\.[0-9]+)?)"
    meta = pl.col("product_metadata")
    ts = _time("created_at")
    frame = _read(shop / "transactions.csv").with_columns(
        meta.str.extract_all(f"'product_id': *{number}")
        .list.eval(pl.element().str.extract(number, 1).str.replace(r"[.]0*$", ""))
        .alias("_pids"),
        meta.str.extract_all(f"'quantity': *{number}")
        .list.eval(pl.element().str.extract(number, 1).str.replace(r"[.]0*$", ""))
        .alias("_qtys"),
        meta.str.extract_all(f"'item_price': *{number}")
        .list.eval(pl.element().str.extract(number, 1).cast(pl.Float64))
        .alias("_prices"),
        meta.str.count_matches(r"\{", literal=False).alias("_n_dicts"),
        pl.col("promo_amount").replace("", "0").cast(pl.Float64, strict=False).alias("_promo"),
        pl.col("shipment_fee").cast(pl.Float64, strict=False).alias("_ship"),
        pl.col("total_amount").cast(pl.Float64, strict=False).alias("_total"),
    )
    frame = frame.with_columns(pl.col("_qtys").list.eval(pl.element().cast(pl.Float64)).alias("_qty"))
    items_sum = (pl.col("_qty") * pl.col("_prices")).list.sum()
    n_items = pl.col("_pids").list.len()
    money_bad = [
        (f"{c}: not a number", pl.col(a).is_null() | pl.col(a).is_nan() | pl.col(a).is_infinite())
        for c, a in (("promo_amount", "_promo"), ("shipment_fee", "_ship"), ("total_amount", "_total"))
    ]
    checks = [
        ("booking_id: missing", pl.col("booking_id").is_null() | (pl.col("booking_id") == "")),
        ("created_at: not an ISO-8601 time", ts.is_null()),
        ("created_at: outside the plausible time range", ts < EARLIEST),
        (
            "customer_id: not a whole number",
            pl.col("customer_id")
            .cast(pl.Float64, strict=False)
            .pipe(lambda x: x.is_null() | (x != x.floor())),
        ),
        ("payment_status: not Success or Failed", ~pl.col("payment_status").is_in(["Success", "Failed"])),
        (
            "product_metadata: not a list of literals",
            ~meta.str.contains(r"^\s*\[\s*\{.*\}\s*\]\s*$")
            | (n_items < 1)
            | (n_items != pl.col("_qtys").list.len())
            | (n_items != pl.col("_prices").list.len())
            | (n_items != pl.col("_n_dicts")),
        ),
        (
            "product_metadata: product_id or quantity not a whole number",
            pl.concat_list("_pids", "_qtys")
            .list.eval(pl.element().str.contains(".", literal=True))
            .list.any(),
        ),
        (
            "product_metadata: quantity not positive",
            pl.col("_qtys").list.eval(pl.element().cast(pl.Float64)).list.min() <= 0,
        ),
        *money_bad,
        (
            "total_amount: differs from sum(quantity * item_price) - promo_amount + shipment_fee",
            (pl.col("_total") - (items_sum - pl.col("_promo") + pl.col("_ship"))).abs() > 0.005,
        ),
    ]
    good = _first_of(_checked(frame, checks, out, "orders"), "booking_id")
    lines = good.select(
        pl.col("booking_id").alias("order_id"),
        "_line",
        pl.col("_pids").alias("product_id"),
        pl.col("_qty").alias("quantity"),
        pl.col("_prices").alias("unit_price"),
    ).explode("product_id", "quantity", "unit_price")
    orders = good.select(
        pl.col("booking_id").alias("order_id"),
        pl.col("customer_id").cast(pl.Float64).cast(pl.Int64).cast(pl.Utf8),
        ts.alias("order_ts"),
        pl.when(pl.col("payment_status") == "Success")
        .then(pl.lit("paid"))
        .otherwise(pl.lit("failed"))
        .alias("status"),
        items_sum.alias("items_amount"),
        pl.col("_promo").alias("discount_amount"),
        pl.col("_ship").alias("shipping_amount"),
        pl.col("_total").alias("total_amount"),
        "promo_code",
        "payment_method",
        "session_id",
    )
    orders.sink_parquet(out / "orders.parquet")
    lines.with_columns(pl.int_range(1, pl.len() + 1).over("order_id").alias("line_no")).sink_parquet(
        out / "order_items.parquet"
    )
    return pl.scan_parquet(out / "orders.parquet").select(pl.len()).collect().item()
