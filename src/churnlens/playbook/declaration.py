"""The contract of the playbook stage: tables read and written (columns and their kinds) and what
it needs of the shop's data (see `churnlens.contract`)."""

from __future__ import annotations

from churnlens.contract import Needs, StageDecl, Table

STAGE = StageDecl(
    name="playbook",
    doc="one action per scored customer, routine products, expected value and campaign summary",
    section='playbook',
    reads=('orders',),
    reads_optional=('customer_scores', 'customer_value', 'rfm', 'order_items', 'products'),
    needs=Needs(),
    writes=(
    Table(
        "actions",
        "One recommended action per scored customer: reason, risk, value, discount, routine products and expected value",
        {
            "customer_id": "id",
            "action": "label",
            "reason": "text",
            "reason_ko": "text",
            "rule": "rank",
            "risk": "label",
            "churn_probability": "share",
            "value": "money",
            "value_source": "label",
            "value_level": "label",
            "segment": "label",
            "days_since_last_order": "days",
            "dormant": "flag",
            "promo_share": "share",
            "promo_sensitive": "flag",
            "offer_discount": "flag",
            "routine_products": "text",
            "routine_product_names": "text",
            "routine_due": "count",
            "revenue_at_stake": "money",
            "save_rate": "share",
            "expected_saved_revenue": "money",
            "contact_cost": "money",
            "expected_value": "money",
            "cutoff": "date",
        },
    ),
    Table(
        "campaign_summary",
        "Customers, revenue at stake, expected saved revenue, cost and ROI per action",
        {
            "action": "label",
            "customers": "count",
            "revenue_at_stake": "money",
            "expected_saved_revenue": "money",
            "cost": "money",
            "expected_value": "money",
            "discount_offers": "count",
            "roi": "number",
            "value_unit": "label",
        },
    ),
    Table(
        "routine_products",
        "Products each customer buys routinely and that are due again",
        {
            "customer_id": "id",
            "product_id": "id",
            "orders": "count",
            "interval_days": "days",
            "days_since": "days",
            "overdue": "days",
            "name": "text",
        },
    ),
    Table(
        "playbook_inputs",
        "Which inputs the playbook used and what replaced the missing ones",
        {
            "input": "label",
            "used": "flag",
            "note": "text",
        },
    ),
    ),
)
