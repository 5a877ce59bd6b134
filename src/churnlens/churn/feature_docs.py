"""The one table of churn feature names: group, meaning (English) and a short Korean label.

Every feature is measured at the row's cutoff from data at or before it. Days are fractional
days before the cutoff; money is in the shop's currency (NULL without prices). ``{w}`` stands
for each of ``ChurnConfig.recent_windows_days`` (30, 90, 180 by default), or the click window
``event_window_days`` / the ``expected_purchases_days`` horizon.
"""

from __future__ import annotations

import re

import pandas as pd

#: name -> (group, meaning, Korean label)
FEATURES: dict[str, tuple[str, str, str]] = {
    "recency_days": ("rfm", "days since the last paid order", "마지막 주문 후 경과일"),
    "frequency": ("rfm", "paid orders so far", "누적 주문 수"),
    "monetary": ("rfm", "total paid so far", "누적 구매액"),
    "tenure_days": ("rfm", "days since the first paid order", "첫 주문 후 경과일"),
    "purchase_days": ("rfm", "distinct days with a paid order", "구매한 날 수"),
    "first_to_last_days": (
        "rfm",
        "days between the first and the last paid order",
        "첫 주문~마지막 주문 기간",
    ),
    "days_per_order": ("rfm", "tenure divided by orders", "주문당 일수"),
    "r_score": ("rfm", "recency grade within the cutoff (higher = more recent)", "R 등급"),
    "f_score": ("rfm", "frequency grade within the cutoff", "F 등급"),
    "m_score": ("rfm", "monetary grade within the cutoff", "M 등급"),
    "rfm_segment": ("rfm", "named RFM segment (segments.rfm rules)", "RFM 세그먼트"),
    "interval_mean": ("cycle", "mean days between consecutive orders", "평균 주문 간격"),
    "interval_median": ("cycle", "median days between consecutive orders", "주문 간격 중앙값"),
    "interval_std": ("cycle", "standard deviation of the order intervals", "주문 간격 표준편차"),
    "interval_last": ("cycle", "days between the last two orders", "최근 주문 간격"),
    "interval_trend": ("cycle", "mean of the last three intervals / mean interval", "최근 간격 추세"),
    "last_over_mean": ("cycle", "last interval / mean interval", "최근 간격 / 평균 간격"),
    "recency_over_mean": ("cycle", "days since the last order / mean interval", "경과일 / 평균 간격"),
    "orders_{w}d": ("recent", "paid orders in the last {w} days", "최근 {w}일 주문 수"),
    "spend_{w}d": ("recent", "spend in the last {w} days", "최근 {w}일 구매액"),
    "orders_prev_{w}d": ("recent", "paid orders in the {w} days before the last {w}", "직전 {w}일 주문 수"),
    "orders_trend_{w}d": ("recent", "orders in the last {w} days minus the {w} before", "{w}일 주문 증감"),
    "orders_trend_{w}_{v}d": (
        "recent",
        "order rate of the last {w} days / rate of the last {v}",
        "주문 빈도 추세",
    ),
    "spend_trend_{w}_{v}d": (
        "recent",
        "spend rate of the last {w} days / rate of the last {v}",
        "구매액 추세",
    ),
    "aov": ("basket", "average paid order value", "평균 주문 금액"),
    "items_total": ("basket", "items bought so far", "누적 구매 수량"),
    "items_per_order": ("basket", "average items per order", "주문당 상품 수"),
    "reorder_ratio": ("basket", "share of order lines that were reorders", "재구매 비율"),
    "category_breadth": ("basket", "distinct top categories bought", "구매 카테고리 수"),
    "top_category": ("basket", "most bought top category", "주 구매 카테고리"),
    "top_category_share": ("basket", "share of lines in the top category", "주 카테고리 비중"),
    "promo_share": ("promo", "share of orders with a promotion", "프로모션 주문 비율"),
    "discount_depth": ("promo", "discount / items amount", "할인율"),
    "cancelled_orders": ("payments", "cancelled orders so far", "주문 취소 횟수"),
    "cancelled_share": ("payments", "cancelled orders / all orders", "주문 취소 비율"),
    "days_since_cancel": ("payments", "days since the last cancelled order", "마지막 취소 후 경과일"),
    "orders_year_ago_next_{w}d": (
        "season",
        "paid orders in the {w} days after the same date a year earlier",
        "작년 같은 시기 이후 {w}일 주문 수",
    ),
    "season_index": (
        "season",
        "shop's orders in the window's weeks a year earlier / its mean for as many days",
        "계절 지수",
    ),
    "days_to_seasonal_peak": ("season", "days to the date of last year's busiest week", "성수기까지 일수"),
    "last_value_over_mean": ("trend", "last order value / mean order value", "최근 주문 금액 / 평균"),
    "last_items_over_mean": ("trend", "items in the last order / mean items per order", "최근 주문 수량 / 평균"),
    "last_gap_over_median": ("cycle", "last interval / median interval", "최근 간격 / 간격 중앙값"),
    "failed_payments": ("payments", "failed payment attempts so far", "결제 실패 횟수"),
    "failed_share": ("payments", "failed attempts / all orders", "결제 실패 비율"),
    "hour_mean": ("habit", "mean hour of day of the orders", "평균 주문 시각"),
    "hour_std": ("habit", "spread of the order hours", "주문 시각 편차"),
    "last_hour": ("habit", "hour of the last order", "마지막 주문 시각"),
    "last_hour_deviation": (
        "habit",
        "hours between the last order's hour and the usual hour",
        "평소와 다른 주문 시각",
    ),
    "top_weekday_share": ("habit", "share of orders on the favourite weekday", "주 구매 요일 비중"),
    "last_order_off_weekday": (
        "habit",
        "1 when the last order was not on the favourite weekday",
        "평소와 다른 요일 주문",
    ),
    "sessions_total": ("clicks", "click-stream sessions so far", "누적 방문 세션"),
    "sessions_{w}d": ("clicks", "sessions in the last {w} days", "최근 {w}일 방문"),
    "events_{w}d": ("clicks", "events in the last {w} days", "최근 {w}일 이벤트"),
    "searches_{w}d": ("clicks", "searches in the last {w} days", "최근 {w}일 검색"),
    "carts_{w}d": ("clicks", "add-to-cart events in the last {w} days", "최근 {w}일 장바구니"),
    "view_to_cart": ("clicks", "add-to-cart / item views (recent click window)", "상품 조회→장바구니 비율"),
    "cart_to_purchase": ("clicks", "purchases / add-to-cart (recent click window)", "장바구니→구매 비율"),
    "days_since_visit": ("clicks", "days since the last visit", "마지막 방문 후 경과일"),
    "age_years": ("profile", "age at the cutoff", "나이"),
    "signup_days": ("profile", "days since sign-up", "가입 후 경과일"),
    "gender": ("profile", "gender", "성별"),
    "device_type": ("profile", "device", "기기"),
    "region": ("profile", "region", "지역"),
    "country": ("profile", "country", "국가"),
    "p_alive": ("clv", "BG/NBD probability of being alive, fitted at the cutoff", "활성 확률(BG/NBD)"),
    "expected_purchases_{w}d": (
        "clv",
        "BG/NBD expected purchases in the next {w} days",
        "향후 {w}일 예상 구매 횟수",
    ),
    "bgnbd_churn": (
        "clv",
        "BG/NBD probability of no purchase in the window (next-gap mode: the gap model's)",
        "BG/NBD 이탈 확률",
    ),
    "gap_model_churn": (
        "cycle",
        "probability of no order in the window at the customer's own gap rhythm (gap model)",
        "주문 주기 모델 이탈 확률",
    ),
    "gap_exposure_k{w}": ("cycle", "sum of gap^({w}/100) over the gaps (gap model input)", "간격 노출 합"),
    "gap_uncensored": ("cycle", "gaps that are not capped (gap model input)", "관측된 간격 수"),
    "gap_log_sum": ("cycle", "sum of the log gaps (gap model input)", "간격 로그 합"),
}

#: Features that are categories (the model treats them as such).
CATEGORICAL: tuple[str, ...] = ("rfm_segment", "top_category", "gender", "device_type", "region", "country")


def _pattern(name: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\{(\w)\\}", r"(?P<\1>\\d+)", re.escape(name)) + "$")


_PATTERNS = [(_pattern(k), k) for k in FEATURES]


def describe(name: str) -> tuple[str, str, str]:
    """(group, meaning, Korean label) of a feature name, with its window filled in."""
    for pat, key in _PATTERNS:
        m = pat.match(name)
        if m:
            group, en, ko = FEATURES[key]
            return group, en.format(**m.groupdict()), ko.format(**m.groupdict())
    return "other", name.replace("_", " "), name


def feature_table(names: list[str]) -> pd.DataFrame:
    """``feature, group, description, label_ko`` for the given feature names."""
    rows = [(n, *describe(n)) for n in names]
    return pd.DataFrame(rows, columns=["feature", "group", "description", "label_ko"])
