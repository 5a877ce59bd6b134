"""The contract of the diagnosis stage: tables read and written (columns and their kinds) and what
it needs of the shop's data (see `churnlens.contract`)."""

from __future__ import annotations

from churnlens.contract import Needs, StageDecl, Table

#: Columns of the daily, weekly and monthly sales tables.
SALES_COLUMNS = {
    "period_start": "date",
    "revenue": "money",
    "revenue_value": "money",
    "orders": "count",
    "buyers": "count",
    "aov": "money",
    "failed_orders": "count",
    "failed_share": "share",
    "unit": "label",
}
#: Columns of the revenue bridge (per segment: the same after the segment).
BRIDGE_COLUMNS = {
    "component": "label",
    "customers": "count",
    "change_value": "money",
    "change": "money",
    "share_of_change": "share",
    "base_value": "money",
    "current_value": "money",
    "unit": "label",
    "base_period": "label",
    "current_period": "label",
}

STAGE = StageDecl(
    name="diagnosis",
    doc="sales over time, revenue bridge, promotions, acquisition and ranked findings",
    section='diagnosis',
    reads=('orders',),
    reads_optional=('order_items', 'products', 'customers'),
    needs=Needs(),
    writes=(
    Table(
        "sales_daily",
        "Revenue, orders, buyers, order value and failed payments per day",
        SALES_COLUMNS,
    ),
    Table(
        "sales_weekly",
        "Revenue, orders, buyers, order value and failed payments per week",
        SALES_COLUMNS,
    ),
    Table(
        "sales_monthly",
        "Revenue, orders, buyers, order value and failed payments per month, with changes on the month and the year",
        {**SALES_COLUMNS, "revenue_mom": "share", "revenue_yoy": "share"},
    ),
    Table(
        "category_sales_monthly",
        "Item revenue, items and orders per category and month, with the category's share of the month",
        {
            "month": "date",
            "category": "label",
            "item_revenue": "money",
            "items": "number",
            "orders": "count",
            "share_of_month": "share",
            "unit": "label",
        },
        optional=True,
    ),
    Table(
        "revenue_bridge",
        "The change in revenue between the two periods compared, split exactly into new, reactivated, returning and lost customers",
        BRIDGE_COLUMNS,
    ),
    Table(
        "revenue_bridge_by_segment",
        "The revenue bridge per RFM segment",
        {"segment": "label", "segment_rank": "rank", **BRIDGE_COLUMNS},
    ),
    Table(
        "promo_codes",
        "Orders, customers, revenue and discount per promotion code and period",
        {
            "period": "label",
            "promo_code": "id",
            "orders": "count",
            "customers": "count",
            "revenue": "money",
            "discount": "money",
            "discount_depth": "share",
            "share_of_promo_orders": "share",
        },
    ),
    Table(
        "promo_usage",
        "Share of orders with a promotion and its depth per period and customer segment",
        {
            "period": "label",
            "dimension": "label",
            "segment": "label",
            "orders": "count",
            "promo_orders": "count",
            "promo_share": "share",
            "discount": "money",
            "discount_depth": "share",
        },
    ),
    Table(
        "promo_audience",
        "Promotion orders, revenue and discount going to new and existing customers per period",
        {
            "period": "label",
            "audience": "label",
            "orders": "count",
            "promo_orders": "count",
            "promo_share": "share",
            "promo_revenue": "money",
            "discount": "money",
            "share_of_promo_revenue": "share",
            "share_of_discount": "share",
        },
    ),
    Table(
        "promo_repurchase",
        "Repurchase rate within the churn window after promotion and full-price orders",
        {
            "order_type": "label",
            "audience": "label",
            "orders": "count",
            "repurchased": "count",
            "repurchase_rate": "share",
            "window_days": "days",
        },
    ),
    Table(
        "promo_roi",
        "Cost of the discounts against the revenue of the extra repurchases they bought",
        {
            "promo_orders": "count",
            "eligible_promo_orders": "count",
            "discount_cost": "money",
            "promo_revenue": "money",
            "repurchase_rate_promo": "share",
            "repurchase_rate_full": "share",
            "aov": "money",
            "incremental_revenue": "money",
            "net": "money",
            "return_per_cost": "number",
            "window_days": "days",
        },
    ),
    Table(
        "acquisition_monthly",
        "Sign-ups, first buyers and the share of sign-ups who buy per month",
        {
            "month": "date",
            "signups": "count",
            "first_buyers": "count",
            "signups_who_buy": "count",
            "buy_share": "share",
        },
    ),
    Table(
        "findings",
        "Ranked findings on why revenue changed, in English and Korean, with their numbers",
        {
            "rank": "rank",
            "finding_id": "id",
            "severity": "label",
            "text_en": "text",
            "text_ko": "text",
            "numbers": "json",
        },
    ),
    ),
)
