"""The ``diagnosis`` pipeline stage: every table of the sales-decline diagnosis and its findings.

Result tables: sales_daily, sales_weekly, sales_monthly, category_sales_monthly (with order
lines), revenue_bridge, revenue_bridge_by_segment, promo_codes, promo_usage, promo_audience,
promo_repurchase, promo_roi, acquisition_monthly and findings. Shops without prices get the
same tables in items instead of money (``unit`` = ``items``).
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.acquisition import acquisition_monthly
from churnlens.diagnosis.bridge import bridge_tables
from churnlens.diagnosis.findings import findings
from churnlens.diagnosis.periods import Periods, periods
from churnlens.diagnosis.promotions import (
    promo_audience,
    promo_codes,
    promo_repurchase,
    promo_roi,
    promo_usage,
    with_audience,
)
from churnlens.diagnosis.sales import category_sales_monthly, sales
from churnlens.segments.demographic import customer_attributes
from churnlens.segments.paid_orders import epoch
from churnlens.segments.rfm import rfm
from churnlens.segments.stage import data_span, shop_paid_orders


def _attributes(wh, paid: ibis.Table, at, config: ChurnlensConfig, priced: bool) -> ibis.Table:
    """customer_id, segment (RFM at ``at``; NULL without an order before), age_band, gender for
    every customer known from the customers table or the orders."""
    seg = rfm(paid, at, config.rfm, priced).select("customer_id", "segment")
    if not wh.has("customers"):
        return seg.mutate(age_band=ibis.null("string"), gender=ibis.null("string"))
    attrs = customer_attributes(wh.table("customers"), at, config.behaviour.age_band_edges)
    ids = ibis.union(seg.select("customer_id"), attrs.select("customer_id"), distinct=True)
    j = ids.left_join(seg, ids.customer_id == seg.customer_id).select(ids.customer_id, seg.segment)
    return j.left_join(attrs, j.customer_id == attrs.customer_id).select(
        j.customer_id, j.segment, attrs.age_band, attrs.gender
    )


def diagnosis_tables(wh, config: ChurnlensConfig) -> tuple[dict[str, Any], Periods, bool]:
    """Every diagnosis table except findings, the periods compared, and whether prices exist."""
    cfg = config.diagnosis
    orders = wh.table("orders")
    paid, priced = shop_paid_orders(wh)
    first, last = data_span(wh)
    p = periods(first, last, cfg)
    out: dict[str, Any] = {
        f"sales_{g}": sales(orders, paid, g, priced) for g in ("daily", "weekly", "monthly")
    }
    if wh.has("order_items"):
        products = wh.table("products") if wh.has("products") else None
        out["category_sales_monthly"] = category_sales_monthly(
            orders, wh.table("order_items"), products, priced
        )
    # Cached in the engine (temporary tables): the promotion tables reuse them many times, and
    # inlining them would make the queries slow to compile.
    # Segments and age at the start of each period (the whole history uses the current one).
    current = _attributes(wh, paid, p.cutoff, config, priced).cache()
    dims = {
        "all": current,
        "base": _attributes(wh, paid, p.ts(p.base_start), config, priced).cache(),
        "current": current,
    }
    segments = current.select("customer_id", "segment")
    out["revenue_bridge"], out["revenue_bridge_by_segment"] = bridge_tables(paid, segments, p, priced)
    t = with_audience(paid, cfg.new_customer_days).cache()
    end = epoch(last)
    window = config.churn.window_days
    out["promo_codes"] = promo_codes(t, p, priced)
    out["promo_usage"] = promo_usage(t, dims, p)
    out["promo_audience"] = promo_audience(t, p, priced)
    out["promo_repurchase"] = promo_repurchase(t, window, end)
    out["promo_roi"] = promo_roi(t, window, end, priced)
    customers = wh.table("customers") if wh.has("customers") else None
    out["acquisition_monthly"] = acquisition_monthly(customers, paid)
    return out, p, priced


def run_diagnosis(wh, config: ChurnlensConfig) -> dict[str, Any]:
    """All diagnosis tables and the ranked ``findings``.

    Small tables are computed once, as typed Arrow tables (written as they are) and read as
    DataFrames by the findings' rules; ``sales_daily`` stays an engine expression.
    """
    out, p, priced = diagnosis_tables(wh, config)
    small: dict[str, pd.DataFrame] = {}
    for name, obj in list(out.items()):
        if name == "sales_daily":
            continue
        if not isinstance(obj, pd.DataFrame):
            out[name] = obj.to_pyarrow()
            obj = out[name].to_pandas()
        small[name] = obj
    currency = wh.dataset_info().get("currency")
    out["findings"] = findings(small, p, config, priced=priced, currency=currency)
    return out
