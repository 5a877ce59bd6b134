"""The contract of the clv stage: tables read and written (columns and their kinds) and what
it needs of the shop's data (see `churnlens.contract`)."""

from __future__ import annotations

from churnlens.contract import Needs, StageDecl, Table

STAGE = StageDecl(
    name="customer_value",
    doc="BG/NBD P(alive) and expected purchases, Gamma-Gamma spend, CLV, model checks",
    section="clv",
    reads=("orders",),
    reads_optional=(),
    needs=Needs(calendar=True),
    writes=(
        Table(
            "customer_value",
            "Each customer's P(alive), expected purchases and spend, and lifetime value at the cutoff",
            {
                "customer_id": "id",
                "p_alive": "share",
                "expected_purchases_90d": "number",
                "expected_spend": "money",
                "clv_*m": "money",
                "cutoff": "date",
            },
        ),
        Table(
            "clv_calibration_holdout",
            "Repeat purchases predicted against those seen in the holdout, per calibration frequency",
            {
                "frequency": "count",
                "n_customers": "count",
                "actual": "number",
                "predicted": "number",
            },
            optional=True,
        ),
        Table(
            "clv_repeat_purchases",
            "Cumulative repeat purchases predicted against actual, per day",
            {
                "day": "date",
                "time": "days",
                "actual": "number",
                "predicted": "number",
                "period": "label",
            },
            optional=True,
        ),
        Table(
            "clv_p_alive_matrix",
            "P(alive) per number of repeat purchases and recency",
            {
                "frequency": "count",
                "recency": "days",
                "p_alive": "share",
            },
            optional=True,
        ),
        Table(
            "clv_model",
            "Fitted parameters of the purchase-count and spend models with standard errors and notes",
            {
                "model": "label",
                "parameter": "label",
                "value": "number",
                "standard_error": "number",
                "log_likelihood": "number",
                "n_customers": "count",
                "notes": "text",
            },
        ),
    ),
)
