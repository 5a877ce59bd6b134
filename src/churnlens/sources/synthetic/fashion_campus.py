"""Write a synthetic shop in the native Fashion Campus format (FASHION_CAMPUS_FORMAT.md).

Files: customer.csv, product.csv, transactions.csv, click_stream.csv, plus ground_truth.parquet
(one row per customer, the latents of `truth.py`) and facts.json (counts and money totals exactly
as written, for round-trip tests of the adapter).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.sources.synthetic import clickstream, people, textio
from churnlens.sources.synthetic.fashion_shop import FashionShop, build_shop
from churnlens.sources.synthetic.process import DROPOUT_CAUSES, PLANTED_LAPSE
from churnlens.sources.synthetic.settings import GeneratorConfig

CUSTOMER_HEADER = (
    "customer_id", "first_name", "last_name", "username", "email", "gender", "birthdate", "device_type",
    "device_id", "device_version", "home_location_lat", "home_location_long", "home_location", "home_country",
    "first_join_date",
)  # fmt: skip
PRODUCT_HEADER = (
    "id", "gender", "masterCategory", "subCategory", "articleType", "baseColour", "season", "year", "usage",
    "productDisplayName",
)  # fmt: skip
TRANSACTION_HEADER = (
    "created_at", "customer_id", "booking_id", "session_id", "product_metadata", "payment_method",
    "payment_status", "promo_amount", "promo_code", "shipment_fee", "shipment_date_limit",
    "shipment_location_lat", "shipment_location_long", "total_amount",
)  # fmt: skip
FILES = ("customer.csv", "product.csv", "transactions.csv", "click_stream.csv")
_TRANSACTION_CHUNK = 200_000


def write(out_dir: Path, cfg: GeneratorConfig, progress: Callable[[str, float], None] | None = None) -> dict:
    """Generate the shop of ``cfg`` into ``out_dir`` and return its facts."""
    report = progress or (lambda stage, fraction: None)
    report("shop", 0.0)
    shop = build_shop(cfg)
    report("shop", 1.0)
    rng_text, rng_click = (np.random.default_rng(s) for s in np.random.SeedSequence([cfg.seed, 7]).spawn(2))
    with open(out_dir / "product.csv", "wb") as fh:
        _write_products(fh, shop)
    with open(out_dir / "customer.csv", "wb") as fh:
        _write_customers(fh, shop, rng_text)
    report("customers", 1.0)
    booking_ids, session_ids = textio.uuid4(rng_text, len(shop.b_us)), textio.uuid4(rng_text, len(shop.b_us))
    with open(out_dir / "transactions.csv", "wb") as fh:
        _write_transactions(fh, shop, booking_ids, session_ids, report)
    click_facts: dict = {"click_stream_written": cfg.write_click_stream}
    if cfg.write_click_stream:
        with open(out_dir / "click_stream.csv", "wb") as fh:
            click_facts.update(clickstream.write_click_stream(fh, shop, session_ids, rng_click, progress))
    truth_table(shop).to_parquet(out_dir / "ground_truth.parquet", index=False)
    paid = shop.b_paid
    pd.DataFrame(
        {
            "customer_id": shop.customer_id[shop.b_customer[paid]],
            "booking_id": pc.filter(booking_ids, pa.array(paid)).to_numpy(zero_copy_only=False),
            "order_ts": _ts(shop.b_us[paid]),
        }
    ).to_parquet(out_dir / "ground_truth_orders.parquet", index=False)
    facts = _facts(shop, click_facts)
    written = FILES if cfg.write_click_stream else FILES[:3]
    facts["files"] = {name: (out_dir / name).stat().st_size for name in written}
    textio.write_json(out_dir / "facts.json", facts)
    report("done", 1.0)
    return facts


def _write_products(fh, shop: FashionShop) -> None:
    col = shop.cat.columns
    trap = shop.cat.unquoted_comma_rows
    name = pa.array(col["productDisplayName"].tolist(), pa.string())
    name = pc.if_else(pa.array(trap), name, textio.quote_needed(name))

    def text(key: str) -> pa.Array:
        return textio.quote_needed(pa.array(col[key].tolist(), pa.string()))

    textio.write_header(fh, PRODUCT_HEADER)
    textio.write_rows(
        fh,
        [
            textio.ints(shop.cat.product_id),
            text("gender"),
            text("masterCategory"),
            text("subCategory"),
            text("articleType"),
            text("baseColour"),
            text("season"),
            textio.ints_point_zero(col["year"], col["year_missing"]),
            text("usage"),
            name,
        ],
    )


def _write_customers(fh, shop: FashionShop, rng: np.random.Generator) -> None:
    order = np.argsort(shop.customer_id)
    cid = shop.customer_id[order]
    female, android = shop.female[order], shop.android[order]
    personal = people.personal_columns(rng, cid, female, android)
    join_day = np.floor_divide(shop.signup_us[order], textio.US_PER_DAY)
    province = np.array([p[0] for p in people.PROVINCES], dtype=object)[shop.province[order]]
    textio.write_header(fh, CUSTOMER_HEADER)
    textio.write_rows(
        fh,
        [
            textio.ints(cid),
            personal["first_name"],
            personal["last_name"],
            personal["username"],
            personal["email"],
            textio.take_text(("M", "F"), female.astype(np.int64)),
            personal["birthdate"],
            textio.take_text(("iOS", "Android"), android.astype(np.int64)),
            personal["device_id"],
            personal["device_version"],
            textio.decimal(shop.home_lat[order], 6),
            textio.decimal(shop.home_lon[order], 6),
            textio.quote_needed(pa.array(province.tolist(), pa.string())),
            pa.array(["Indonesia"] * len(cid), pa.string()),
            textio.iso_date(join_day),
        ],
    )


def _product_metadata(shop: FashionShop, lo: int, hi: int) -> pa.Array:
    start, count = shop.b_line_start[lo:hi], shop.b_line_count[lo:hi]
    l0, l1 = int(start[0]), int(start[-1] + count[-1])
    pid = shop.cat.product_id[shop.l_product[l0:l1]]
    item = pc.binary_join_element_wise(
        "{'product_id': ", textio.ints(pid), ", 'quantity': ", textio.ints(shop.l_quantity[l0:l1]),
        ", 'item_price': ", textio.ints(shop.l_price[l0:l1]), "}", "",
    )  # fmt: skip
    offsets = np.concatenate([start - l0, [l1 - l0]]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), item), ", ")
    return textio.quote_needed(pc.binary_join_element_wise("[", joined, "]", ""))


def _write_transactions(fh, shop: FashionShop, booking_ids, session_ids, report) -> None:
    cfg = shop.cfg
    textio.write_header(fh, TRANSACTION_HEADER)
    total = shop.b_total
    n = len(shop.b_us)
    for lo in range(0, n, _TRANSACTION_CHUNK):
        hi = min(n, lo + _TRANSACTION_CHUNK)
        code = shop.b_promo_code[lo:hi]
        promo = textio.take_text(cfg.promo_codes, np.maximum(code, 0))
        promo = pc.if_else(pa.array(code < 0), pa.scalar(None, pa.string()), promo)
        ship_us = shop.b_us[lo:hi] + shop.b_ship_days[lo:hi] * textio.US_PER_DAY
        textio.write_rows(
            fh,
            [
                textio.iso_utc(shop.b_us[lo:hi]),
                textio.ints(shop.customer_id[shop.b_customer[lo:hi]]),
                booking_ids[lo:hi],
                session_ids[lo:hi],
                _product_metadata(shop, lo, hi),
                textio.take_text(cfg.payment_methods, shop.b_payment_method[lo:hi]),
                textio.take_text(("Failed", "Success"), shop.b_paid[lo:hi].astype(np.int64)),
                textio.ints(shop.b_promo_amount[lo:hi]),
                promo,
                textio.ints(shop.b_shipment_fee[lo:hi]),
                textio.iso_utc(ship_us),
                textio.decimal(shop.b_ship_lat[lo:hi], 6),
                textio.decimal(shop.b_ship_lon[lo:hi], 6),
                textio.ints(total[lo:hi]),
            ],
        )
        report("transactions", hi / n)


def _ts(us: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(us, dtype=np.int64), unit="us"))


def truth_table(shop: FashionShop) -> pd.DataFrame:
    """One row per customer: the latents that generated their behaviour (see truth.py)."""
    h, s = shop.history, shop.shoppers
    dropout_us = shop.clock.to_calendar(np.nan_to_num(h.dropout_clock, nan=0.0))
    alive = np.isnan(h.dropout_clock)
    n = len(shop.customer_id)
    paid = np.bincount(shop.b_customer[shop.b_paid], minlength=n)
    failed = np.bincount(shop.b_customer[~shop.b_paid], minlength=n)
    lapse_start = np.full(
        n, shop.decline_start_us if shop.decline_start_us is not None else 0, dtype=np.int64
    )
    df = pd.DataFrame(
        {
            "customer_id": shop.customer_id,
            "signup_ts": _ts(shop.signup_us),
            "purchase_rate_per_day": shop.rate,
            "dropout_prob": shop.dropout,
            "dropout_ts": _ts(dropout_us).where(~alive),
            "dropout_cause": np.array([DROPOUT_CAUSES[c] for c in range(3)], dtype=object)[h.dropout_cause],
            "planted_lapse": h.dropout_cause == PLANTED_LAPSE,
            "lapse_target": shop.lapse_target,
            "lapse_hazard_per_day": shop.lapse_hazard,
            "lapse_start_ts": _ts(lapse_start).where(shop.lapse_target),
            "favourite_category": np.array(shop.cat.categories, dtype=object)[s.favourite],
            "spend_mean": s.spend_mean,
            "premium_share": s.premium,
            "routine_share": s.routine_share,
            "routine_products": s.routine_count,
            "extra_lines_mean": shop.extra_lines_mean,
            "promo_sensitivity": shop.promo_sensitivity,
            "favourite_payment_method": np.array(shop.cfg.payment_methods, dtype=object)[
                shop.favourite_payment
            ],
            "gender": np.where(shop.female, "F", "M"),
            "paid_bookings": paid,
            "failed_bookings": failed,
            "clock_offset_days": np.zeros(n, dtype=np.int64),
        }
    ).sort_values("customer_id", ignore_index=True)
    for i, category in enumerate(shop.cat.categories):
        df[f"pref_{category}"] = s.category_pref[np.argsort(shop.customer_id), i]
    df.attrs.update(_truth_attrs(shop))
    return df


def _truth_attrs(shop: FashionShop) -> dict:
    return {
        "kind": "fashion-campus",
        "scenario": shop.cfg.scenario,
        "seed": shop.cfg.seed,
        "weekly_profile": [float(x) for x in shop.clock.profile],
        "observation_end_ts": str(pd.Timestamp(shop.end_us, unit="us")),
        "decline_start_ts": None
        if shop.decline_start_us is None
        else str(pd.Timestamp(shop.decline_start_us, unit="us")),
    }


def _facts(shop: FashionShop, click: dict) -> dict:
    cfg = shop.cfg
    amount = shop.l_quantity * shop.l_price
    months = pd.to_datetime(shop.b_us[shop.b_paid], unit="us").strftime("%Y-%m")
    monthly = pd.Series(shop.b_total[shop.b_paid]).groupby(np.asarray(months)).sum()
    code_counts = np.bincount(shop.b_promo_code[shop.b_promo_code >= 0], minlength=len(cfg.promo_codes))
    return {
        "kind": "fashion-campus",
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "customers": int(len(shop.customer_id)),
        "start": cfg.start,
        "end": cfg.end,
        "first_booking_ts": str(pd.Timestamp(int(shop.b_us.min()), unit="us")) if len(shop.b_us) else None,
        "last_booking_ts": str(pd.Timestamp(int(shop.b_us.max()), unit="us")) if len(shop.b_us) else None,
        "currency": "IDR",
        "products": int(len(shop.cat.product_id)),
        "products_with_unquoted_commas": int(shop.cat.unquoted_comma_rows.sum()),
        "bookings": int(len(shop.b_us)),
        "bookings_success": int(shop.b_paid.sum()),
        "bookings_failed": int((~shop.b_paid).sum()),
        "customers_with_bookings": int(len(np.unique(shop.b_customer))),
        "item_lines": int(len(shop.l_product)),
        "sum_quantity": int(shop.l_quantity.sum()),
        "sum_item_amount": int(amount.sum()),
        "sum_promo_amount": int(shop.b_promo_amount.sum()),
        "sum_shipment_fee": int(shop.b_shipment_fee.sum()),
        "sum_total_amount": int(shop.b_total.sum()),
        "sum_total_amount_success": int(shop.b_total[shop.b_paid].sum()),
        "bookings_with_promo": int((shop.b_promo_code >= 0).sum()),
        "bookings_by_promo_code": {c: int(k) for c, k in zip(cfg.promo_codes, code_counts, strict=True)},
        "max_items_per_booking": int(shop.b_line_count.max()) if len(shop.b_us) else 0,
        **click,
        "monthly_revenue_success": {str(k): int(v) for k, v in monthly.items()},
        "decline_start": None
        if shop.decline_start_us is None
        else str(pd.Timestamp(shop.decline_start_us, unit="us")),
        "lapse_targets": int(shop.lapse_target.sum()),
        "planted_lapses": int((shop.history.dropout_cause == PLANTED_LAPSE).sum()),
        "promo_effect": shop.promo_truth,
        "config": dataclasses.asdict(cfg),
    }
