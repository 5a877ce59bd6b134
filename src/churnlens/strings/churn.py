"""Sentences of the churn stage (`churnlens.churn`): each customer's reasons in table
``customer_scores``, the verdict on each held-out cutoff, and why the churn window was chosen.

A reason names a feature of the model with the customer's own value; features without a
sentence of their own are named by their label in `churnlens.churn.feature_docs`.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ---- a customer's reasons --------------------------------------------------------------------
    "churn_reason_recency": ("{days} days since the last order", "마지막 주문 후 {days}일 경과"),
    "churn_reason_recency_ratio": (
        "{days} days since the last order, {ratio} times the usual interval",
        "마지막 주문 후 {days}일 경과 (평소 주기의 {ratio}배)",
    ),
    "churn_reason_rhythm": (
        "the purchase rhythm so far makes another order less likely",
        "지금까지의 구매 리듬상 재주문 가능성이 낮음",
    ),
    "churn_reason_feature": ("{feature}: {value}", "{feature}: {value}"),
    "churn_reason_rfm_segment": ("RFM segment", "RFM 세그먼트"),
    "churn_reason_interval": ("usually orders every {days} days", "평소 {days}일마다 주문"),
    "churn_reason_last_interval": (
        "{days} days between the last two orders",
        "최근 두 주문 간격 {days}일",
    ),
    "churn_reason_last_interval_ratio": (
        "{days} days between the last two orders ({ratio} times the usual)",
        "최근 두 주문 간격 {days}일 (평소의 {ratio}배)",
    ),
    "churn_reason_frequency": ("{n} orders so far", "지금까지 {n}회 주문"),
    "churn_reason_recent_orders": ("{n} orders in the last {days} days", "최근 {days}일간 주문 {n}회"),
    "churn_reason_tenure": ("first order {days} days ago", "첫 주문 후 {days}일"),
    "churn_reason_visit": ("{days} days since the last visit", "마지막 방문 후 {days}일"),
    "churn_reason_days_per_order": (
        "one order every {days} days since the first",
        "첫 주문 이후 {days}일에 한 번 주문",
    ),
    "churn_reason_unknown": ("unknown", "알 수 없음"),
    # ---- the verdict on a held-out cutoff ----------------------------------------------------------
    "verdict_better": (
        "On {cutoff} the model ranked customers better than the best simple alternative "
        "({base}) by {diff} ROC AUC (95 % interval {lo} to {hi}): a real gain.",
        "{cutoff} 기준 모델은 가장 좋은 단순 대안({base})보다 ROC AUC가 {diff} 높습니다 "
        "(95% 구간 {lo} ~ {hi}): 실제 개선입니다.",
    ),
    "verdict_unclear": (
        "On {cutoff} the model's ROC AUC differs from the best simple alternative ({base}) "
        "by {diff} (95 % interval {lo} to {hi}). The interval includes 0: the model is not measurably "
        "better there.",
        "{cutoff} 기준 모델과 가장 좋은 단순 대안({base})의 ROC AUC 차이는 {diff}입니다 "
        "(95% 구간 {lo} ~ {hi}). 구간에 0이 포함되어 모델이 더 낫다고 확인할 수 없습니다.",
    ),
    "verdict_worse": (
        "On {cutoff} the model ranked customers worse than the best simple alternative ({base}) "
        "by {diff} ROC AUC (95 % interval {lo} to {hi}).",
        "{cutoff} 기준 모델은 가장 좋은 단순 대안({base})보다 ROC AUC가 {diff} 낮습니다 "
        "(95% 구간 {lo} ~ {hi}).",
    ),
    # ---- why the churn window was chosen --------------------------------------------------------------
    "window_no_calendar": (
        "the data has no calendar: churn is a gap of {days} days or more to the next order",
        "날짜가 없는 데이터: 다음 주문까지 {days}일 이상이면 이탈",
    ),
    "window_configured": ("the configured {days}-day window", "설정된 {days}일 기간"),
    "window_too_few": (
        "the configured {days}-day window: too few repeat purchases ({n}) to measure the shop's rhythm",
        "설정된 {days}일 기간: 재구매가 너무 적어({n}건) 쇼핑몰의 구매 주기를 잴 수 없음",
    ),
    "window_shop": (
        "{share} of repeat purchases come within {days} days",
        "재구매의 {share}가 {days}일 안에 일어남",
    ),
    "window_shop_auto": (
        "{share} of repeat purchases come within {days} days; only {coverage} come within {fixed} days "
        "(less than {minimum}), so {fixed} days would call most returning customers churned",
        "재구매의 {share}가 {days}일 안에 일어남; {fixed}일 안에는 {coverage}뿐({minimum} 미만)이라 {fixed}일로는 "
        "다시 올 고객 대부분이 이탈로 분류됨",
    ),
    "window_fixed_covers": (
        "{coverage} of repeat purchases come within the configured {days} days",
        "재구매의 {coverage}가 설정된 {days}일 안에 일어남",
    ),
}
