"""Reasons: a customer's top churn factors as sentences with her own values (English, Korean).

The factors are LightGBM's own per-customer contributions (``pred_contrib=True``, log-odds):
the features that push this customer's probability up the most. Each becomes a sentence such
as "41 days since the last order, 2.3 times the usual interval" /
"마지막 주문 후 41일 경과 (평소 주기의 2.3배)".

Days are whole days (rounded down, as every table shows them). The BG/NBD inputs fitted at the
training cutoffs (``p_alive``, ``expected_purchases_<n>d``, ``bgnbd_churn``) are put in words
without their numbers: the scores table shows the CLV stage's own P(alive) and expected
purchases beside the reasons, and one row must not show two different numbers for one thing.
A factor whose value is unknown gives no sentence.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from churnlens import strings
from churnlens.churn.feature_docs import CATEGORICAL, describe


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def _days(v: float) -> str:
    return f"{math.floor(v):.0f}"


def _recency(row) -> tuple[str, str]:
    r, ratio = _num(row.get("recency_days")), _num(row.get("recency_over_mean"))
    if math.isfinite(ratio):
        return strings.both("churn_reason_recency_ratio", days=_days(r), ratio=f"{ratio:.1f}")
    return strings.both("churn_reason_recency", days=_days(r))


def _fmt(v: float) -> str | strings.Pair:
    if not math.isfinite(v):
        return strings.both("churn_reason_unknown")
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2g}" if abs(v) < 10 else f"{v:.0f}"


#: BG/NBD inputs, in words (their numbers are shown from the CLV stage beside the reasons).
RHYTHM = strings.both("churn_reason_rhythm")


def sentence(feature: str, row) -> tuple[str, str] | None:
    """(English, Korean) sentence for one feature of one customer (``row``: a dict or Series);
    None when the value is unknown."""
    v = row.get(feature)
    if feature in ("recency_days", "recency_over_mean"):
        return _recency(row) if math.isfinite(_num(row.get("recency_days"))) else None
    if feature in ("p_alive", "bgnbd_churn") or re.fullmatch(r"expected_purchases_(\d+)d", feature):
        return RHYTHM
    if feature in CATEGORICAL:
        shown = None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        if shown is None:
            return None
        _, en, ko = describe(feature)
        if feature == "rfm_segment":
            (en, ko), shown = strings.both("churn_reason_rfm_segment"), shown.replace("_", " ")
        return strings.both("churn_reason_feature", feature=strings.pair(en, ko), value=shown)
    x = _num(v)
    if not math.isfinite(x):
        return None
    if feature in ("interval_mean", "interval_median"):
        return strings.both("churn_reason_interval", days=f"{x:.0f}")
    if feature in ("interval_last", "last_over_mean"):
        last, ratio = _num(row.get("interval_last")), _num(row.get("last_over_mean"))
        if not math.isfinite(last):
            return None
        if math.isfinite(ratio):
            return strings.both("churn_reason_last_interval_ratio", days=f"{last:.0f}", ratio=f"{ratio:.1f}")
        return strings.both("churn_reason_last_interval", days=f"{last:.0f}")
    if feature == "frequency":
        return strings.both("churn_reason_frequency", n=f"{x:.0f}")
    m = re.fullmatch(r"orders_(\d+)d", feature)
    if m:
        return strings.both("churn_reason_recent_orders", n=f"{x:.0f}", days=m[1])
    if feature == "tenure_days":
        return strings.both("churn_reason_tenure", days=_days(x))
    if feature == "days_since_visit":
        return strings.both("churn_reason_visit", days=_days(x))
    if feature == "days_per_order":
        return strings.both("churn_reason_days_per_order", days=f"{x:.0f}")
    _, en, ko = describe(feature)
    return strings.both("churn_reason_feature", feature=strings.pair(en, ko), value=_fmt(x))


def explain(contrib: pd.DataFrame, X: pd.DataFrame, top: int) -> pd.DataFrame:
    """``reasons, reasons_ko, top_factors`` per row of ``X`` from the contributions."""
    values = contrib.to_numpy()
    names = np.asarray(contrib.columns)
    order = np.argsort(-values, axis=1)[:, :top]
    en_all, ko_all, tops = [], [], []
    records = X.to_dict("records")
    for i, idx in enumerate(order):
        row = records[i]
        picked = [names[j] for j in idx if values[i, j] > 0]
        seen, en, ko = set(), [], []
        for f in picked:
            said = sentence(f, row)
            if said is None or said[0] in seen:
                continue
            s_en, s_ko = said
            seen.add(s_en)
            en.append(s_en)
            ko.append(s_ko)
        en_all.append("; ".join(en))
        ko_all.append("; ".join(ko))
        tops.append(",".join(picked))
    return pd.DataFrame({"reasons": en_all, "reasons_ko": ko_all, "top_factors": tops}, index=X.index)
