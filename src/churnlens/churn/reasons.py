"""Reasons: a customer's top churn factors as sentences with her own values (English, Korean).

The factors are LightGBM's own per-customer contributions (``pred_contrib=True``, log-odds):
the features that push this customer's probability up the most. Each becomes a sentence such
as "41 days since the last order, 2.3 times the usual interval" /
"마지막 주문 후 41일 경과 (평소 주기의 2.3배)".
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from churnlens.churn.feature_docs import CATEGORICAL, describe


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def _recency(row) -> tuple[str, str]:
    r, ratio = _num(row.get("recency_days")), _num(row.get("recency_over_mean"))
    en, ko = f"{r:.0f} days since the last order", f"마지막 주문 후 {r:.0f}일 경과"
    if math.isfinite(ratio):
        en += f", {ratio:.1f} times the usual interval"
        ko += f" (평소 주기의 {ratio:.1f}배)"
    return en, ko


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "unknown"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2g}" if abs(v) < 10 else f"{v:.0f}"


def sentence(feature: str, row) -> tuple[str, str]:
    """(English, Korean) sentence for one feature of one customer (``row``: a dict or Series)."""
    v = row.get(feature)
    if feature in ("recency_days", "recency_over_mean"):
        return _recency(row)
    x = _num(v)
    if feature in ("interval_mean", "interval_median"):
        return f"usually orders every {x:.0f} days", f"평소 {x:.0f}일마다 주문"
    if feature in ("interval_last", "last_over_mean"):
        last, ratio = _num(row.get("interval_last")), _num(row.get("last_over_mean"))
        en, ko = f"{last:.0f} days between the last two orders", f"최근 두 주문 간격 {last:.0f}일"
        if math.isfinite(ratio):
            en += f" ({ratio:.1f} times the usual)"
            ko += f" (평소의 {ratio:.1f}배)"
        return en, ko
    if feature == "frequency":
        return f"{x:.0f} orders so far", f"지금까지 {x:.0f}회 주문"
    m = re.fullmatch(r"orders_(\d+)d", feature)
    if m:
        return f"{x:.0f} orders in the last {m[1]} days", f"최근 {m[1]}일간 주문 {x:.0f}회"
    if feature == "tenure_days":
        return f"first order {x:.0f} days ago", f"첫 주문 후 {x:.0f}일"
    if feature == "p_alive":
        return f"{x:.0%} chance of still being active", f"활성 확률 {x:.0%}"
    m = re.fullmatch(r"expected_purchases_(\d+)d", feature)
    if m:
        return (
            f"expected to order {x:.2g} times in the next {m[1]} days",
            f"향후 {m[1]}일 예상 주문 {x:.2g}회",
        )
    if feature == "days_since_visit":
        return f"{x:.0f} days since the last visit", f"마지막 방문 후 {x:.0f}일"
    if feature == "bgnbd_churn":
        return (
            f"{x:.0%} chance of no order in the window by purchase rhythm",
            f"구매 리듬상 무주문 확률 {x:.0%}",
        )
    _, en, ko = describe(feature)
    if feature in CATEGORICAL:
        shown = "unknown" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        return f"{en}: {shown}", f"{ko}: {shown}"
    return f"{en}: {_fmt(x)}", f"{ko}: {_fmt(x)}"


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
            s_en, s_ko = sentence(f, row)
            if s_en in seen:
                continue
            seen.add(s_en)
            en.append(s_en)
            ko.append(s_ko)
        en_all.append("; ".join(en))
        ko_all.append("; ".join(ko))
        tops.append(",".join(picked))
    return pd.DataFrame({"reasons": en_all, "reasons_ko": ko_all, "top_factors": tops}, index=X.index)
