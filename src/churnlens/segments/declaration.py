"""The contract of the segments stage: tables read and written (columns and their kinds) and what
it needs of the shop's data (see `churnlens.contract`)."""

from __future__ import annotations

from churnlens.contract import Needs, StageDecl, Table

STAGE = StageDecl(
    name="segments",
    doc="RFM scores and named segments, demographic segments (items instead of money without prices)",
    section='rfm',
    reads=('orders',),
    reads_optional=('order_items', 'customers', 'events'),
    needs=Needs(),
    writes=(
    Table(
        "rfm",
        "Each customer's recency, frequency and monetary value at the cutoff, their grades and named segment",
        {
            "customer_id": "id",
            "first_order_ts": "date",
            "last_order_ts": "date",
            "recency_days": "days",
            "frequency": "count",
            "monetary": "money",
            "monetary_value": "money",
            "monetary_unit": "label",
            "r_score": "number",
            "f_score": "number",
            "m_score": "number",
            "rfm_code": "label",
            "segment": "label",
            "cutoff": "date",
        },
    ),
    Table(
        "segment_summary",
        "Customers, mean RFM values and shares of customers and value per RFM segment",
        {
            "segment": "label",
            "customers": "count",
            "mean_recency_days": "days",
            "mean_frequency": "number",
            "mean_monetary": "money",
            "monetary": "money",
            "monetary_value": "money",
            "monetary_unit": "label",
            "customer_share": "share",
            "monetary_share": "share",
        },
    ),
    Table(
        "demographic_segments",
        "Customers, buyers, visits, orders and revenue per age band, gender, region and device",
        {
            "dimension": "label",
            "segment": "label",
            "customers": "count",
            "buyers": "count",
            "buyer_share": "share",
            "visits": "count",
            "visits_per_customer": "number",
            "orders": "count",
            "purchase_conversion": "share",
            "revenue": "money",
            "aov": "money",
            "items_per_order": "number",
            "revenue_per_customer": "money",
            "unit": "label",
        },
        optional=True,
    ),
    ),
)
