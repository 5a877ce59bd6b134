"""Sentences of the diagnosis findings (`churnlens.diagnosis`), stored in table ``findings``.

A rule fills a template with its own numbers, already formatted (``{share}`` = ``16 %``,
``{before}`` = ``IDR 1,234``); a value that differs by language (a period, a measure) is given in
both. Segment names come from `churnlens.strings.values`.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ---- what is measured, and lists --------------------------------------------------------
    "finding_measure_money": ("Revenue", "매출"),
    "finding_measure_items": ("Items sold", "판매 수량"),
    "finding_measure_money_in_text": ("revenue", "매출"),
    "finding_measure_items_in_text": ("items sold", "판매 수량"),
    "finding_items_amount": ("{n} items", "{n}개"),
    "list_and": ("{rest} and {last}", "{rest}, {last}"),
    # ---- revenue ------------------------------------------------------------------------------
    "finding_revenue_no_base": (
        "No {what} in {base} to compare {current} with; no decline can be measured.",
        "{base}에 {what}이 없어 {current}과 비교할 수 없습니다. 감소를 측정할 수 없습니다.",
    ),
    "finding_revenue_decline": (
        "{what} fell {change} over {current} compared with {base} ({before} to {after}).",
        "{current} {what}이 {base} 대비 {change} 감소했습니다 ({before} → {after}).",
    ),
    "finding_revenue_growth": (
        "{what} grew {change} over {current} compared with {base} ({before} to {after}); there is no decline.",
        "{current} {what}이 {base} 대비 {change} 증가했습니다 ({before} → {after}). 감소는 없습니다.",
    ),
    "finding_revenue_stable": (
        "{what} held steady over {current} compared with {base} ({change}, {before} to {after}); "
        "there is no decline.",
        "{current} {what}은 {base} 대비 {change}로 안정적입니다 ({before} → {after}). 감소는 없습니다.",
    ),
    # ---- the same months a year earlier ---------------------------------------------------------
    "finding_year_before": (
        "Against {period}, a year earlier, it is {change}{then}: {verdict}.",
        "1년 전 {period} 대비로는 {change}입니다{then}: {verdict}.",
    ),
    "finding_and_year_before": ("{finding} {year_before}", "{finding} {year_before}"),
    "finding_year_before_then": (
        " (a year earlier those months were {change} against {base})",
        " (1년 전에도 같은 기간이 {base} 대비 {change})",
    ),
    "finding_season_seasonal_up": ("the usual season, not growth", "성장이 아니라 평소의 계절 변동입니다"),
    "finding_season_seasonal_down": (
        "the usual season, not a decline",
        "감소가 아니라 평소의 계절 변동입니다",
    ),
    "finding_season_season_and_trend_up": (
        "the usual season, on top of a real growth of {change} over the year",
        "평소의 계절 변동에 더해 1년 사이 실제로 {change} 성장했습니다",
    ),
    "finding_season_season_and_trend_down": (
        "the usual season, on top of a real decline of {change} over the year",
        "평소의 계절 변동에 더해 1년 사이 실제로 {change} 감소했습니다",
    ),
    "finding_season_real_up": ("a real growth, not the season", "계절 변동이 아닌 실제 성장입니다"),
    "finding_season_real_down": ("a real decline, not the season", "계절 변동이 아닌 실제 감소입니다"),
    "finding_season_not_season": ("not the usual season", "평소의 계절 변동이 아닙니다"),
    "finding_season_year_change": (
        "the change is over the year, not between these months",
        "변화는 이 기간 사이가 아니라 1년 사이에 일어났습니다",
    ),
    "finding_season_steady_money": ("revenue is steady against last year too", "작년 대비로도 안정적입니다"),
    "finding_season_steady_items": (
        "items sold is steady against last year too",
        "작년 대비로도 안정적입니다",
    ),
    # ---- who caused the change ------------------------------------------------------------------
    "finding_high_value_lapse": (
        "{share} of the lost revenue comes from {names} customers {how}: {lapse} of {gross} "
        "({stopped} stopped, {fewer} ordered less often).",
        "줄어든 매출의 {share}는 {names} 고객이 {how} 데서 비롯되었습니다: {gross} 중 {lapse} "
        "(구매 중단 {stopped}명, 구매 빈도 감소 {fewer}명).",
    ),
    "finding_lapse_mainly_lost": ("stopping buying or buying less often", "구매를 중단하거나 줄인"),
    "finding_lapse_mainly_fewer": ("buying less often or stopping", "구매 빈도를 줄이거나 중단한"),
    "finding_drivers_fell": (
        "Segments whose {what} fell most: {parts}.",
        "{what}이 가장 많이 줄어든 세그먼트: {parts}.",
    ),
    "finding_drivers_grew": (
        "Segments whose {what} grew most: {parts}.",
        "{what}이 가장 많이 늘어난 세그먼트: {parts}.",
    ),
    "finding_driver": (
        "{segment} {change} ({share}, mainly {how})",
        "{segment} {change} ({share}, 주로 {how})",
    ),
    #: What a bridge component means, as a phrase after the customers' name.
    "finding_component_new": ("buying for the first time", "첫 구매"),
    "finding_component_reactivated": ("coming back", "재활성화"),
    "finding_component_returning_more_orders": ("buying more often", "더 자주 구매"),
    "finding_component_returning_fewer_orders": ("buying less often", "구매 빈도 감소"),
    "finding_component_returning_higher_value": ("spending more per order", "주문당 지출 증가"),
    "finding_component_returning_lower_value": ("spending less per order", "주문당 지출 감소"),
    "finding_component_lost": ("stopping buying", "구매 중단"),
    "finding_component_guest_orders": ("guest orders", "비회원 주문"),
    # ---- what went with it ------------------------------------------------------------------------
    "finding_signups_up_sales_down": (
        "Sign-ups grew {growth} ({before} to {after}) while revenue fell; first-time buyers brought "
        "{revenue}, not enough to make up for the fall.",
        "신규 가입은 {growth} 증가했지만({before} → {after}) 매출은 감소했습니다. "
        "첫 구매 고객 매출 {revenue}로는 감소분을 메우지 못했습니다.",
    ),
    "finding_failed_payments_rise": (
        "Failed payments rose from {before} to {after} of checkout attempts.",
        "결제 실패 비율이 {before}에서 {after}로 상승했습니다.",
    ),
    "finding_category_decline": (
        "{category} accounts for {share} of the fall in item revenue.",
        "상품 매출 감소분의 {share}가 {category} 카테고리에서 발생했습니다.",
    ),
    # ---- promotions ------------------------------------------------------------------------------
    "finding_promo_skew_new": (
        "Promotions went {share} to customers in their first month (share of the discount in "
        "{current}{was}), who placed only {orders} of the orders; loyal customers got {rest}.",
        "{current} 프로모션 할인의 {share}가 첫 구매 후 한 달 이내의 고객에게 돌아갔지만 이들의 주문 비중은 "
        "{orders}에 불과합니다{was}. 기존 고객 몫은 {rest}입니다.",
    ),
    "finding_promo_skew_was": ("; {share} in {base}", " ({base}: {share})"),
    "finding_promo_low_repurchase": (
        "Customers bought again within {days} days after {promo} of promo orders, against {full} after "
        "full-price orders.",
        "프로모션 주문 후 {days}일 이내 재구매율은 {promo}로, 정가 주문 후 {full}보다 낮습니다.",
    ),
    "finding_promo_roi_negative": (
        "Promotions cost {cost} in discounts and bring back an estimated {revenue} of extra repurchases.",
        "프로모션 할인 비용은 {cost}이지만 추가 재구매로 인한 예상 매출은 {revenue}에 그칩니다.",
    ),
}
