"""Words of the HTML report: headings, the at-risk list, the model card, states, uplift, save rates."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ---- report -------------------------------------------------------------------------------
    "report_title": ("churnlens report", "churnlens 보고서"),
    "report_generated": ("Generated {when} from {db}", "{when}에 {db}에서 생성"),
    "report_cutoff": ("results as of {date} (the run's cutoff)", "결과 기준일 {date} (실행 기준일)"),
    "report_missing": ("Not in this warehouse: {tables}", "이 웨어하우스에 없음: {tables}"),
    "report_offline": (
        "This file works offline: it loads nothing and runs no script.",
        "이 파일은 오프라인에서도 열립니다: 아무것도 내려받지 않고 스크립트도 실행하지 않습니다.",
    ),
    "report_axis_month": ("Month", "월"),
    "report_bridge_help": (
        "From the base period's revenue (top bar) to the current period's (bottom bar): each step is "
        "what one group of customers added (green) or took away (red).",
        "기준 기간 매출(맨 위 막대)에서 현재 기간 매출(맨 아래 막대)까지, 각 단계는 고객 그룹별로 "
        "늘어난 매출(초록)과 줄어든 매출(빨강)입니다.",
    ),
    "report_at_risk": ("Customers to contact first", "먼저 연락할 고객"),
    "report_at_risk_saveable": (
        "The {n} customers who can still be saved with the most revenue a contact is expected to save: "
        "why the model flags them and what to do.",
        "아직 붙잡을 수 있는 고객 중 연락으로 지킬 수 있는 예상 매출이 가장 큰 {n}명입니다. "
        "모델이 위험하다고 본 이유와 권장 액션을 함께 보여 줍니다.",
    ),
    "report_at_risk_all": (
        "The {n} customers most likely to stop buying: why the model flags them and what to do.",
        "구매를 멈출 가능성이 가장 높은 고객 {n}명입니다. 모델이 위험하다고 본 이유와 권장 액션을 함께 보여 줍니다.",
    ),
    "findings_more": (
        "The numbers of each finding: --format json (or table findings); its parts: table revenue_bridge.",
        "각 발견의 수치: --format json (또는 findings 테이블), 구성 요소: revenue_bridge 테이블.",
    ),
    "report_days_since": ("Days since last order", "마지막 주문 후 일수"),
    "report_why": ("Why the model flags them", "위험하다고 본 이유"),
    "report_action": ("Recommended action", "권장 액션"),
    "report_model_card": ("Can the churn scores be trusted?", "이탈 점수를 믿을 수 있나요?"),
    "report_card_test": (
        "Tested on {customers} customers as of {date}: the model saw only what was known that day, "
        "and its guesses were checked against who really stopped buying afterwards.",
        "{date} 기준 고객 {customers}명으로 검증했습니다. 모델은 그날까지 알려진 정보만 보았고, "
        "그 뒤 실제로 구매를 멈춘 고객과 예측을 비교했습니다.",
    ),
    "report_card_model": (
        "of the 10 % of customers the model ranked most at risk really stopped buying.",
        "모델이 가장 위험하다고 본 상위 10 % 고객 중 실제로 구매를 멈춘 비율입니다.",
    ),
    "report_card_rule": (
        "of the top 10 % picked by the simplest rule ({rule}) stopped buying.",
        "가장 단순한 규칙({rule})으로 고른 상위 10 % 고객 중 구매를 멈춘 비율입니다.",
    ),
    "report_card_base": (
        "of all customers stopped buying: what picking customers at random gets right.",
        "전체 고객 중 구매를 멈춘 비율로, 무작위로 고를 때의 적중률입니다.",
    ),
    "report_card_capture": (
        "of everyone who stopped buying was in the model's top 10 %.",
        "구매를 멈춘 고객 전체 중 모델의 상위 10 %에 들어 있던 비율입니다.",
    ),
    "report_card_better": (
        "The model's top 10 % was right {diff} percentage points more often than the simplest rule's.",
        "모델의 상위 10 %는 가장 단순한 규칙보다 {diff}%p 더 자주 맞았습니다.",
    ),
    "report_card_worse": (
        "The simplest rule's top 10 % was right {diff} percentage points more often than the model's: "
        "on this shop the rule is as good a guide.",
        "가장 단순한 규칙의 상위 10 %가 모델보다 {diff}%p 더 자주 맞았습니다. 이 쇼핑몰에서는 규칙도 충분한 기준입니다.",
    ),
    "report_card_same": (
        "The model's and the simplest rule's top 10 % were right equally often.",
        "모델과 가장 단순한 규칙의 상위 10 % 적중률이 같았습니다.",
    ),
    "report_card_auc": (
        "Taking one customer who left and one who stayed, the model ranks the one who left higher {auc} "
        "of the time, the best simple rule ({rule}) {best}: a difference of {diff} points, likely between "
        "{low} and {high} points.",
        "떠난 고객과 남은 고객을 한 명씩 골랐을 때 모델은 {auc}의 경우 떠난 고객을 더 위험하게 보았고, "
        "가장 나은 단순 규칙({rule})은 {best}였습니다. 차이는 {diff}점이며, 가능한 범위는 {low}점에서 {high}점입니다.",
    ),
    "report_card_measurably_better": ("The model is measurably better.", "모델이 분명히 더 낫습니다."),
    "report_card_not_better": (
        "The model is not measurably better than this rule.",
        "모델이 이 규칙보다 분명히 낫다고 할 수는 없습니다.",
    ),
    "report_card_chart": ("Share who really stopped buying", "실제로 구매를 멈춘 비율"),
    "report_card_bar_model": ("Model's top 10 %", "모델 상위 10 %"),
    "report_card_bar_rule": ("Simplest rule's top 10 %", "단순 규칙 상위 10 %"),
    "report_card_bar_all": ("All customers", "전체 고객"),
    "report_rule_recency_rule": ("longest time since the last order", "마지막 주문 후 가장 오래된 고객"),
    "report_rule_last_gap_rule": ("longest last gap between orders", "직전 주문 간격이 가장 긴 고객"),
    "report_rule_cycle_rule": (
        "most overdue for their usual rhythm",
        "평소 구매 주기보다 가장 많이 늦은 고객",
    ),
    "report_rule_bgnbd": ("BG/NBD purchase model", "BG/NBD 구매 모형"),
    "report_states": ("Customer states", "고객 상태"),
    "report_states_help": (
        "Every scored customer is in one state, defined by this shop's own numbers. At risk and lapsing "
        "customers can still be saved: they make the list of customers to contact first. Lapsed customers go "
        "to the win-back list.",
        "점수를 받은 고객은 모두 한 상태에 속하며, 상태는 이 쇼핑몰의 수치로 정의됩니다. 이탈 위험과 이탈 중 "
        "고객은 아직 붙잡을 수 있어 먼저 연락할 고객 목록에 들어가고, 이탈 고객은 윈백 목록으로 갑니다.",
    ),
    "report_state": ("State", "상태"),
    "report_definition": ("Definition", "정의"),
    "report_window": ("What churn means here", "여기서 이탈의 뜻"),
    "report_window_days": ("{days} days", "{days}일"),
    "report_window_meaning": (
        "without a paid order after a given day counts as churned.",
        "동안 결제된 주문이 없으면 이탈로 봅니다.",
    ),
    "report_window_why": ("How this window was chosen: {reason}.", "이 기간을 고른 이유: {reason}."),
    "report_window_base": (
        "of the {n} customers active before {date} made no paid order in the {days} days "
        'after it: the base rate, what "churn" means in numbers on this shop.',
        "{date} 전에 활동한 고객 {n}명 중 그 뒤 {days}일 동안 결제된 주문이 없던 비율입니다. 이 쇼핑몰에서 "
        '"이탈"이 수치로 뜻하는 기본 비율입니다.',
    ),
    "report_uplift": ("What a promotion does", "프로모션의 효과"),
    "report_uplift_help": (
        "Measured from this shop's history: orders with a promotion against comparable orders without one at the "
        "same point in the customer's history (weighted by how likely each was to get a promotion), the change in "
        "the share of customers who order again within {days} days, with its 95 % interval.",
        "이 쇼핑몰의 이력에서 측정했습니다. 프로모션을 쓴 주문과 같은 시점의 비슷한 주문(프로모션을 받을 가능성으로 "
        "가중)을 비교해, {days}일 안에 다시 주문한 고객 비율이 얼마나 달라졌는지와 95 % 구간을 보여 줍니다.",
    ),
    "report_uplift_none": (
        "No promotion effect could be measured (too few orders with and without a promotion): every save rate "
        "below is an assumption.",
        "프로모션 효과를 잴 수 없었습니다(프로모션을 쓴 주문과 쓰지 않은 주문이 너무 적음). 아래 붙잡기 비율은 모두 "
        "가정입니다.",
    ),
    "report_uplift_zero": (
        "The interval of all orders includes zero: this history cannot tell the effect from no effect.",
        "전체 주문의 구간에 0이 들어 있어, 이 이력으로는 효과가 없는 경우와 구별할 수 없습니다.",
    ),
    "report_uplift_segment": ("Orders", "주문"),
    "report_uplift_treated": ("With a promotion", "프로모션 사용"),
    "report_uplift_controls": ("Comparable without", "비교 대상(미사용)"),
    "report_uplift_rate_treated": ("Ordered again, with", "재주문 비율(사용)"),
    "report_uplift_rate_controls": ("Ordered again, without (weighted)", "재주문 비율(미사용, 가중)"),
    "report_uplift_effect": ("Uplift", "효과"),
    "report_uplift_interval": ("95 % interval", "95 % 구간"),
    "report_uplift_save": ("Save rate", "붙잡기 비율"),
    "report_uplift_points": ("{value} pts", "{value}%p"),
    "report_uplift_all": ("all orders", "전체 주문"),
    "report_uplift_first order": ("first order", "첫 주문"),
    "report_uplift_second to fourth order": ("second to fourth order", "두 번째~네 번째 주문"),
    "report_uplift_fifth order or later": ("fifth order or later", "다섯 번째 이후 주문"),
    "report_save_rates": (
        "Save rates the playbook uses: the share of customers a contact is expected to keep. Assumed rates are "
        "settings (playbook.save_rates), not measurements.",
        "플레이북이 쓰는 붙잡기 비율(연락으로 붙잡을 것으로 보는 고객 비율)입니다. 가정한 비율은 측정값이 아니라 "
        "플레이북 설정값입니다.",
    ),
    "report_save_source": ("Source", "근거"),
    "report_save_measured": ("measured from this shop's promotions", "이 쇼핑몰의 프로모션에서 측정"),
    "report_save_assumed": ("assumed (a setting)", "가정(설정값)"),
    "report_products": ("Best sellers of {month}", "{month} 베스트셀러"),
    "report_products_help": (
        "The {n} products with the most {measure} in the latest month; growth is against the month before.",
        "최근 한 달 {measure} 기준 상위 {n}개 상품입니다. 성장률은 전월 대비입니다.",
    ),
    "report_promo_roi": (
        "What promotions cost and earned back over the {period}.",
        "{period} 동안 프로모션에 든 비용과 되돌아온 매출입니다.",
    ),
    "report_promo_codes": (
        "The {n} most used promotion codes of the {period}.",
        "{period}에 가장 많이 쓰인 프로모션 코드 {n}개입니다.",
    ),
}
