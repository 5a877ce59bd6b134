"""Findings: a short ranked list of plain sentences, in English and Korean, with their numbers.

Every finding comes from the computed tables by an explicit rule whose thresholds live in
`churnlens.config.DiagnosisConfig`; its text is a template filled with the numbers, which are
also stored as JSON. The rules, in the order they are tried:

=========================  ==========================================================  ========
finding_id                 rule                                                        severity
=========================  ==========================================================  ========
revenue_decline            bridge total change <= -decline_threshold of base revenue   high
revenue_growth             change >= +decline_threshold                                info
revenue_stable             otherwise (reports that there is no decline)                info
                           -- each of the three followed, when the data reach a year
                           back, by the same comparison a year earlier and whether the
                           change is the usual season or a real one
                           (`churnlens.diagnosis.seasonal`)
high_value_lapse           decline, and the ``lost`` + ``returning_fewer_orders`` parts high
                           of the ``high_value_segments`` make up
                           >= high_value_lapse_share of the lost revenue (the sum of
                           the negative parts of the bridge: lost customers, fewer
                           orders, lower order values, fewer guest orders)
segment_drivers            decline or growth: the segments that moved in the           medium
                           direction of the change, largest first, until they make up
                           >= driver_share of all segments' moves that way
promo_skew_new             customers in their first month got >= promo_new_share of    high on a
                           the current period's discount, or >= promo_new_ratio times  decline,
                           their share of the orders                                   else medium
promo_low_repurchase       repurchase rate after promo orders <= rate after full-price  medium
                           orders - promo_repurchase_gap
promo_roi_negative         estimated incremental revenue of promotions < their cost     medium
signups_up_sales_down      decline, and sign-ups of the current period up by           medium
                           >= signup_growth_threshold on the base period
failed_payments_rise       failed-payment share of the current period up by            medium
                           >= failed_share_rise (absolute) on the base period
category_decline           decline, and one top category explains >= category_share    medium
                           of the fall in item revenue
=========================  ==========================================================  ========

Ranking: severity (high, medium, info), then the weight of each finding (the share of the
change it explains, or of the promotion measure it reports); the revenue finding comes
first. At most ``max_findings`` are kept. Columns of ``findings``: rank, finding_id, severity,
text_en, text_ko, numbers (JSON).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.finding import REVENUE_IDS, SEVERITY_ORDER, Context, Finding
from churnlens.diagnosis.periods import Periods
from churnlens.diagnosis.promo_rules import promo_low_repurchase, promo_roi_negative, promo_skew_new
from churnlens.diagnosis.revenue_rules import (
    category_decline,
    failed_payments_rise,
    high_value_lapse,
    revenue_change,
    segment_drivers,
    signups_up_sales_down,
)

__all__ = ["RULES", "Finding", "findings"]

RULES = (
    revenue_change,
    high_value_lapse,
    segment_drivers,
    promo_skew_new,
    promo_low_repurchase,
    promo_roi_negative,
    signups_up_sales_down,
    failed_payments_rise,
    category_decline,
)


def _json(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def findings(
    tables: dict[str, pd.DataFrame],
    p: Periods,
    config: ChurnlensConfig,
    priced: bool = True,
    currency: str | None = None,
) -> pd.DataFrame:
    """Apply every rule to the computed tables and rank what they find."""
    ctx = Context(tables, p, config, "money" if priced else "items", currency)
    found = [f for rule in RULES for f in rule(ctx)]
    found.sort(key=lambda f: (f.finding_id not in REVENUE_IDS, SEVERITY_ORDER[f.severity], -f.weight))
    found = found[: max(1, int(config.diagnosis.max_findings))]
    return pd.DataFrame(
        {
            "rank": pd.Series(range(1, len(found) + 1), dtype="int64"),
            "finding_id": [f.finding_id for f in found],
            "severity": [f.severity for f in found],
            "text_en": [f.text_en for f in found],
            "text_ko": [f.text_ko for f in found],
            "numbers": [json.dumps(_json(f.numbers), ensure_ascii=False) for f in found],
        }
    )
