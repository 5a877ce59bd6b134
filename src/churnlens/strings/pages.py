"""Words of the Overview, Customers, Behaviour, Promotions, Campaigns and Data pages: KPI
definitions (shown on hover), chart axis titles, explanations of the numbers.

Shape of every table in `churnlens.strings`: ``{key: (english, korean)}``; ``def_<column>`` is the
one-line definition of the KPI shown for result column ``<column>``.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ---- units and axes -----------------------------------------------------------------------
    "unit_items": ("items", "개"),
    "axis_month": ("Month", "월"),
    "axis_customers": ("Customers", "고객 수"),
    "axis_sessions": ("Sessions", "세션 수"),
    "axis_step": ("Step", "단계"),
    "axis_component": ("Source of change", "변동 요인"),
    "axis_promo_code": ("Promotion code", "프로모션 코드"),
    "axis_action": ("Action", "액션"),
    "axis_exit": ("Last page of the session", "세션의 마지막 페이지"),
    "axis_value": ("Value", "값"),
    "axis_product": ("Product", "상품"),
    "axis_score": ("Score (0 to 1, higher is better)", "점수(0~1, 높을수록 좋음)"),
    "scored_by_fallback_page": (
        "The churn model is not measurably better than {model} on the latest held-out cutoff, so the "
        "customer scores come from {model}, the simpler model (setting churn.fallback_models).",
        "최근 검증 시점에서 이탈 모델이 {model}보다 확실히 낫지 않아 고객 점수는 더 단순한 모델인 "
        "{model}에서 나옵니다.",
    ),
    "axis_feature": ("What the model looks at", "모델이 보는 항목"),
    # ---- KPI definitions (hover) --------------------------------------------------------------
    "def_revenue": (
        "Paid order value in the month (failed and cancelled payments excluded).",
        "해당 월에 결제된 주문 금액입니다(결제 실패·취소 제외).",
    ),
    "def_orders": ("Paid orders placed in the month.", "해당 월에 결제된 주문 수입니다."),
    "def_buyers": (
        "Customers with at least one paid order in the month.",
        "해당 월에 결제된 주문이 한 건 이상인 고객 수입니다.",
    ),
    "def_aov": ("Average order value: revenue ÷ orders.", "평균 주문 금액: 매출 ÷ 주문 수입니다."),
    "def_failed_share": (
        "Share of orders whose payment failed; a rise is bad news.",
        "결제에 실패한 주문의 비율입니다. 오르면 나쁜 신호입니다.",
    ),
    "def_visits": ("Sessions (visits) started in the month.", "해당 월에 시작된 세션(방문) 수입니다."),
    "def_visitors": (
        "Different customers who visited at least once in the month.",
        "해당 월에 한 번 이상 방문한 서로 다른 고객 수입니다.",
    ),
    "def_conversion_rate": (
        "Conversion: share of sessions that end in a purchase.",
        "전환율: 구매로 끝난 세션의 비율입니다.",
    ),
    "def_buyer_rate": (
        "Buyer rate: share of the month's visitors who bought at least once in the month (a visitor "
        "with many sessions counts once, so it is far above conversion).",
        "구매자 비율: 해당 월 방문자 중 그 달에 한 번 이상 구매한 비율입니다(세션이 많은 방문자도 "
        "한 번만 세므로 전환율보다 훨씬 높습니다).",
    ),
    "def_promo_orders": (
        "Orders that used a promotion code or discount.",
        "프로모션 코드나 할인을 사용한 주문 수입니다.",
    ),
    "def_discount_cost": (
        "Money given away in discounts on those orders.",
        "해당 주문에서 할인으로 깎아 준 금액입니다.",
    ),
    "def_incremental_revenue": (
        "Revenue the promoted orders brought beyond what the same customers spend at full price.",
        "프로모션 주문이 같은 고객의 정가 구매를 넘어 추가로 가져온 매출입니다.",
    ),
    "def_net": ("Incremental revenue minus the discount cost.", "추가 매출에서 할인 비용을 뺀 값입니다."),
    "def_customers": ("Customers the actions reach.", "액션 대상 고객 수입니다."),
    "def_revenue_at_stake": (
        "Revenue these customers would bring in the next period if they stayed.",
        "이 고객들이 남아 있다면 다음 기간에 가져올 매출입니다.",
    ),
    "def_expected_saved_revenue": (
        "Revenue at stake × churn probability × the action's expected success rate.",
        "위험 매출 × 이탈 확률 × 액션의 예상 성공률입니다.",
    ),
    "def_cost": ("What the actions cost (discounts, contacts).", "액션에 드는 비용(할인, 연락)입니다."),
    # ---- overview -----------------------------------------------------------------------------
    "compare_with": ("Compare", "비교 기준"),
    "compare_previous": ("Chosen months vs the months just before", "선택한 기간 대 직전 같은 길이의 기간"),
    "compare_bridge": ("The diagnosis periods", "진단 기간"),
    "compare_year": ("Chosen months vs the same months a year earlier", "선택한 기간 대 1년 전 같은 기간"),
    "compare_range": ("Months shown", "보는 기간(월)"),
    "shade_current": ("Chosen months", "선택 기간"),
    "shade_previous": ("Compared with", "비교 기간"),
    "monthly_average": ("Values are monthly averages.", "값은 월평균입니다."),
    "share_of_change_help": (
        "Share of change = the component's change ÷ the net change. Components that push the other way "
        "make some shares above 100 % and others negative; together they add up to 100 %.",
        "변화 기여도 = 요인별 변화 ÷ 순변동입니다. 서로 반대로 움직이는 요인이 있으면 100 %를 넘거나 "
        "음수인 기여도가 생기며, 모두 더하면 100 %입니다.",
    ),
    "bridge_explain": (
        "Revenue fell by {lost} from customers who bought less or stopped, and rose by {gained} from "
        "others; the net change is {net}.",
        "구매를 줄이거나 멈춘 고객 때문에 매출이 {lost} 줄고, 다른 고객 덕분에 {gained} 늘어 순변동은 "
        "{net}입니다.",
    ),
    "orders_axis": ("Orders", "주문 수"),
    # ---- customers ----------------------------------------------------------------------------
    "rfm_r_axis": ("Recency grade (higher = bought more recently)", "최근성 등급(높을수록 최근 구매)"),
    "rfm_f_axis": ("Frequency grade (higher = buys more often)", "빈도 등급(높을수록 자주 구매)"),
    "lifecycle_net": ("Net change", "순변동"),
    "lifecycle_help": (
        "New, returning and resurrected customers per month above zero; customers turning dormant below "
        "zero; the line is the net change.",
        "월별 신규·재구매·복귀 고객은 0 위에, 휴면으로 바뀐 고객은 0 아래에 표시하며 선은 순변동입니다.",
    ),
    "lifecycle_kpi_new": ("New customers", "신규 고객"),
    "lifecycle_kpi_returning": ("Returning customers", "재구매 고객"),
    "lifecycle_kpi_resurrected": ("Customers back after a pause", "다시 돌아온 고객"),
    "lifecycle_kpi_dormant": ("Customers turning dormant", "휴면으로 바뀐 고객"),
    "def_lifecycle_new": (
        "Customers whose first paid order falls in the month.",
        "그 달에 첫 결제 주문을 한 고객입니다.",
    ),
    "def_lifecycle_returning": (
        "Customers who bought in the month and in the month before.",
        "그 달과 전달에 모두 구매한 고객입니다.",
    ),
    "def_lifecycle_resurrected": (
        "Customers who bought in the month, not in the month before, but earlier.",
        "그 달에 구매했고 전달에는 구매하지 않았지만 그 전에 구매한 적이 있는 고객입니다.",
    ),
    "def_lifecycle_dormant": (
        "Customers who bought in the month before and not in this month.",
        "전달에 구매했지만 그 달에는 구매하지 않은 고객입니다.",
    ),
    "cohort_axis": ("First-order month (customers)", "첫 주문 월(고객 수)"),
    "cohort_age_axis": ("Months since first order", "첫 주문 후 개월 수"),
    "retention_curve": ("Retention curve", "리텐션 곡선"),
    "retention_curve_help": (
        "Share of customers who buy again n months after their first order: the average over every "
        "cohort old enough (weighted by its size), and the latest cohorts (customers in brackets).",
        "첫 주문 n개월 뒤에 다시 구매한 고객의 비율입니다. 그만큼 지난 모든 코호트의 평균(고객 수 가중)과 "
        "최근 코호트(괄호 안은 고객 수)를 보여줍니다.",
    ),
    "retention_average": ("All cohorts", "전체 코호트"),
    "retention_axis": ("Customers buying that month", "그 달에 구매한 고객 비율"),
    "cohort_people": ("Who is in a cell", "칸에 속한 고객"),
    "cohort_pick": ("First-order month (customers)", "첫 주문 월(고객 수)"),
    "cohort_people_first": (
        "{n} customers placed their first paid order in {cohort}.",
        "{n}명이 {cohort}에 첫 결제 주문을 했습니다.",
    ),
    "cohort_people_later": (
        "{n} customers who first bought in {cohort} bought again {months} months later.",
        "{cohort}에 처음 구매한 고객 중 {n}명이 {months}개월 뒤에 다시 구매했습니다.",
    ),
    "segment_people": ("Who is in a segment", "세그먼트에 속한 고객"),
    "segment_people_pick": ("Segment (customers)", "세그먼트(고객 수)"),
    "segment_people_count": ("{n} customers are in “{segment}”.", "“{segment}” 세그먼트에 {n}명이 있습니다."),
    "rule_people": ("Who bought a pair together", "함께 구매한 고객"),
    "rule_people_pick": ("Pair (orders holding both)", "상품 쌍(둘 다 담긴 주문 수)"),
    "rule_people_count": (
        "{n} customers placed the {orders} paid orders holding both.",
        "둘 다 담긴 결제 주문 {orders}건을 {n}명이 했습니다.",
    ),
    "list_cut": ("The first {shown} are listed.", "처음 {shown}개만 보여줍니다."),
    # ---- behaviour ----------------------------------------------------------------------------
    "funnel_help": (
        "Each step counts sessions that reached it after the steps before it; purchase = sessions with "
        "a completed payment. The share is of the first step.",
        "각 단계는 앞 단계를 거쳐 그 단계에 도달한 세션 수입니다. 구매 = 결제가 완료된 세션입니다. "
        "비율은 첫 단계 대비입니다.",
    ),
    "paths_help": (
        "Most common page sequences in a session; sessions ending in “purchase” bought in that session.",
        "세션에서 가장 흔한 페이지 순서입니다. “구매”로 끝나는 경로는 그 세션에서 구매한 세션입니다.",
    ),
    "paths_hidden": (
        "Start, exit and “other” pages are left out so that the pages people move between show.",
        "시작, 종료, “기타” 페이지는 빼고 사람들이 오가는 페이지만 보여줍니다.",
    ),
    "funnel_people": ("Who reached a step", "단계에 도달한 사람"),
    "funnel_people_step": ("Step (reached)", "단계(도달 수)"),
    "funnel_people_session": ("{n} sessions reached “{step}”.", "{n}개 세션이 “{step}” 단계에 도달했습니다."),
    "funnel_people_visitor": (
        "{n} visitors reached “{step}”.",
        "{n}명의 방문자가 “{step}” 단계에 도달했습니다.",
    ),
    "funnel_people_customer": (
        "{n} customers reached “{step}”.",
        "{n}명의 고객이 “{step}” 단계에 도달했습니다.",
    ),
    "funnel_window_title": ("Funnel with a conversion window", "전환 기간을 정한 퍼널"),
    "funnel_window_help": (
        "Who entered the funnel in the chosen months and how far they got within the window: in the "
        "same session, or across visits for at most 30 minutes, 1 day or 7 days after entering.",
        "선택한 기간에 퍼널에 들어온 사람이 전환 기간 안에 어디까지 갔는지 보여줍니다. 같은 세션 안, "
        "또는 들어온 뒤 30분·1일·7일 이내의 여러 방문을 셉니다.",
    ),
    "funnel_window": ("Conversion window", "전환 기간"),
    "funnel_window_session": ("Same session", "같은 세션"),
    "funnel_window_30min": ("30 minutes", "30분"),
    "funnel_window_1day": ("1 day", "1일"),
    "funnel_window_7days": ("7 days", "7일"),
    "funnel_none_converted": (
        "Nobody who entered in these months reached the last step within the window.",
        "이 기간에 들어온 사람 중 전환 기간 안에 마지막 단계까지 간 사람이 없습니다.",
    ),
    "funnel_window_empty": (
        "Nobody entered the funnel in these months.",
        "이 기간에 퍼널에 들어온 사람이 없습니다.",
    ),
    "funnel_window_period": ("{unit} entering in {period}.", "{period}에 들어온 {unit} 기준입니다."),
    "funnel_unit_session": ("Sessions", "세션"),
    "funnel_unit_visitor": ("Visitors", "방문자"),
    "funnel_units": ("{unit} reaching the step", "단계에 도달한 {unit}"),
    "funnel_entered": ("{unit} entering", "들어온 {unit}"),
    "def_funnel_entered": (
        "Sessions or visitors whose first step of the funnel falls in the chosen months.",
        "퍼널의 첫 단계가 선택한 기간에 있는 세션 또는 방문자 수입니다.",
    ),
    "funnel_converted": ("Converted", "전환 수"),
    "def_funnel_converted": (
        "Of those, the ones that reached the last step within the window.",
        "그중 전환 기간 안에 마지막 단계까지 간 수입니다.",
    ),
    "funnel_conversion": ("Funnel conversion", "퍼널 전환율"),
    "def_funnel_conversion": (
        "Converted ÷ entering; the change is against the comparison period.",
        "전환 수 ÷ 들어온 수입니다. 변화는 비교 기간 대비입니다.",
    ),
    "funnel_median_time": ("Median time to convert", "전환까지 걸린 시간(중앙값)"),
    "def_funnel_median": (
        "Half of the converted got from the first step to the last in less than this.",
        "전환한 사람의 절반이 첫 단계에서 마지막 단계까지 이보다 짧게 걸렸습니다.",
    ),
    "funnel_median_from_previous": ("Median time from the step before", "앞 단계부터 걸린 시간(중앙값)"),
    "funnel_time_to_convert": ("Time to convert", "전환까지 걸린 시간"),
    "axis_time_to_convert": ("Time from the first step to the last", "첫 단계부터 마지막 단계까지 걸린 시간"),
    "funnel_from": ("{time} or more", "{time} 이상"),
    "funnel_over_time": (
        "Conversion over time (by month or week of entry)",
        "기간별 전환율(들어온 월·주 기준)",
    ),
    "funnel_period": ("Period", "기간 단위"),
    "funnel_period_week": ("Weekly", "주별"),
    "funnel_period_month": ("Monthly", "월별"),
    "axis_week": ("Week (starting Monday)", "주(월요일 시작)"),
    "duration_seconds": ("{n} s", "{n}초"),
    "duration_minutes": ("{n} min", "{n}분"),
    "duration_hours": ("{n} h", "{n}시간"),
    "duration_days": ("{n} days", "{n}일"),
    "path_focus_title": ("Paths from or to an event", "특정 이벤트 전후의 경로"),
    "path_focus_help": (
        "What sessions do after the first time they do an event, or what they did before it; the "
        "rarer events at each step are put together under “Less common events”.",
        "세션에서 어떤 이벤트를 처음 한 뒤에 무엇을 했는지, 또는 그 전에 무엇을 했는지 보여줍니다. "
        "단계마다 드문 이벤트는 “드문 이벤트 묶음”으로 묶습니다.",
    ),
    "path_direction": ("Direction", "방향"),
    "path_direction_from": ("After the event", "이벤트 이후"),
    "path_direction_to": ("Before the event", "이벤트 이전"),
    "path_event": ("Event", "이벤트"),
    "path_steps": ("Steps shown", "보여줄 단계 수"),
    "path_keep": ("Events kept apart at each step", "단계마다 따로 보여줄 이벤트 수"),
    "path_expand_other": ("Split “Other” pages by their own name", "“기타” 페이지를 원래 이름으로 나누기"),
    "path_expand_other_help": (
        "Pages the shop's data does not map to a known step are “Other”; this shows the names the shop "
        "gave them.",
        "알려진 단계에 속하지 않는 페이지는 “기타”입니다. 켜면 쇼핑몰 데이터의 원래 이름으로 보여줍니다.",
    ),
    "path_focus_count_from": (
        "{n} sessions starting in {period} did “{event}”; the paths follow them from the first time.",
        "{period}에 시작한 세션 중 {n}개가 “{event}” 이벤트를 했습니다. 처음 한 시점부터의 경로입니다.",
    ),
    "path_focus_count_to": (
        "{n} sessions starting in {period} did “{event}”; the paths lead to the first time.",
        "{period}에 시작한 세션 중 {n}개가 “{event}” 이벤트를 했습니다. 처음 하기까지의 경로입니다.",
    ),
    "path_focus_empty": (
        "No session in these months did this event.",
        "이 기간에 이 이벤트를 한 세션이 없습니다.",
    ),
    "path_node": ("{n}. {event}", "{n}. {event}"),
    "path_grouped": ("Less common events", "드문 이벤트 묶음"),
    "path_grouped_list": (
        "Events inside “Less common events” ({n})",
        "“드문 이벤트 묶음”에 들어간 이벤트({n})",
    ),
    "path_grouped_none": ("No event is grouped at these settings.", "이 설정에서는 묶인 이벤트가 없습니다."),
    "no_conversion_rows": (
        "No conversions in this breakdown to chart.",
        "이 세부 구분에는 차트로 보일 전환이 없습니다.",
    ),
    # ---- promotions ---------------------------------------------------------------------------
    "period_span": ("{name}: {start} – {end}", "{name}: {start} – {end}"),
    "promo_period_kpis": (
        "Promotion orders, their revenue and discounts in the {period}. What promotions earn back "
        "(incremental revenue, net) is measured over the whole history.",
        "{period}의 프로모션 주문, 그 매출과 할인입니다. 프로모션 수익성(추가 매출, 순효과)은 전체 기간으로만 "
        "측정합니다.",
    ),
    "promo_all_kpis": (
        "Whole history. Incremental revenue compares repurchases after a promotion with those after a "
        "full-price order.",
        "전체 기간 기준입니다. 추가 매출은 프로모션 후 재구매를 정가 구매 후 재구매와 비교합니다.",
    ),
    "def_promo_revenue": (
        "Revenue of the orders that used a promotion.",
        "프로모션을 사용한 주문의 매출입니다.",
    ),
    # ---- campaigns ----------------------------------------------------------------------------
    "roi_help": (
        "ROI = (expected saved revenue − cost) ÷ cost.",
        "ROI = (예상 방어 매출 − 비용) ÷ 비용입니다.",
    ),
    # ---- customer value -----------------------------------------------------------------------
    "page_value": ("Customer value", "고객 가치"),
    "value_customers": ("Customers valued", "가치를 평가한 고객"),
    "def_value_customers": (
        "Customers with a paid order up to the cutoff ({cutoff}).",
        "기준일({cutoff})까지 결제된 주문이 있는 고객입니다.",
    ),
    "value_alive": ("Probably still buying", "아직 구매할 가능성이 높은 고객"),
    "def_value_alive": (
        "Share of customers whose P(alive) is 50 % or more: the model thinks they have not left.",
        "P(alive)가 50 % 이상인 고객의 비율입니다. 모델은 이 고객들이 떠나지 않았다고 봅니다.",
    ),
    "value_purchases": ("Expected purchases (90 d)", "향후 90일 예상 구매"),
    "def_value_purchases": (
        "Purchases the model expects from these customers in the 90 days after the cutoff.",
        "기준일 이후 90일 동안 이 고객들에게서 모델이 예상하는 구매 횟수입니다.",
    ),
    "value_clv": ("Value of the next {months} months", "향후 {months}개월 가치"),
    "def_value_clv": (
        "Expected revenue from these customers over the next {months} months, discounted to today.",
        "향후 {months}개월 동안 이 고객들에게서 예상되는 매출을 현재 가치로 할인한 금액입니다.",
    ),
    "alive_matrix": ("Who is still a customer", "아직 고객인 사람"),
    "alive_matrix_help": (
        "P(alive) of a customer whose first purchase was {age} days before the cutoff, by repeat "
        "purchases and by the day of the last one. Buying often and recently = green; buying often "
        "but not lately = red: such a buyer's silence is unusual.",
        "기준일보다 {age}일 전에 첫 구매를 한 고객의 P(alive)를 재구매 횟수와 마지막 구매일별로 보여줍니다. "
        "자주, 최근에 산 고객은 초록색, 자주 샀지만 최근에 사지 않은 고객은 빨간색입니다. 그런 고객의 "
        "침묵은 평소와 다릅니다.",
    ),
    "axis_last_purchase_day": (
        "Day of the last purchase (days after the first)",
        "마지막 구매일(첫 구매 후 일수)",
    ),
    "axis_repeat_purchases": ("Repeat purchases", "재구매 횟수"),
    "calibration_holdout": ("Does the model predict well?", "모델 예측이 맞는가?"),
    "calibration_holdout_help": (
        "The model was fitted on the orders up to {start} and asked how often each group of customers "
        "would buy in the {days} days after; the lines compare its answer with what they did.",
        "{start}까지의 주문으로 모델을 맞춘 뒤, 고객 그룹별로 이후 {days}일 동안 몇 번 구매할지 예측하게 "
        "했습니다. 두 선은 예측과 실제 구매를 비교합니다.",
    ),
    "axis_calibration_purchases": (
        "Repeat purchases before {start}",
        "{start} 이전 재구매 횟수",
    ),
    "axis_holdout_purchases": ("Purchases in the next {days} days", "이후 {days}일 구매 횟수"),
    "or_more": ("{n} or more", "{n}회 이상"),
    "repeat_purchases": ("Repeat purchases over time", "시간에 따른 재구매"),
    "repeat_purchases_help": (
        "Repeat purchases of the customers who had bought by {start}, added up day by day: actual and "
        "as the model expects. Left of the dotted line the model saw the orders; right of it (from "
        "{start}) it had not.",
        "{start}까지 구매한 고객의 재구매를 날마다 누적한 실제 값과 모델 예상 값입니다. 점선 왼쪽은 모델이 "
        "본 주문이고, 오른쪽({start}부터)은 보지 못한 주문입니다.",
    ),
    "axis_day": ("Day", "날짜"),
    "axis_cumulative_repeat": ("Repeat purchases so far", "누적 재구매 횟수"),
    "model_actual": ("Actual", "실제"),
    "model_expected": ("Model", "모델 예상"),
    "value_model": ("The models behind these numbers", "이 숫자의 바탕이 된 모델"),
    "value_model_help": (
        "BG/NBD (or Pareto/NBD) counts purchases and drop-out; Gamma-Gamma gives the value of one "
        "purchase. Parameters with their standard errors.",
        "BG/NBD(또는 Pareto/NBD)는 구매 횟수와 이탈을, Gamma-Gamma는 한 번 구매의 금액을 설명합니다. "
        "모수와 표준오차입니다.",
    ),
    "alive_history": ("P(alive) over time", "시간에 따른 P(alive)"),
    "alive_history_help": (
        "How likely the customer was still a customer on each day: it rises after each purchase and "
        "falls while she is silent for longer than her usual gap.",
        "날마다 이 고객이 아직 고객일 가능성입니다. 구매할 때마다 오르고, 평소 간격보다 오래 구매가 없으면 "
        "내려갑니다.",
    ),
    "purchase_marker": ("Purchase", "구매"),
    "why_first": (
        "Why: the first {n} customers of the list (tick customers in the list to read theirs)",
        "이유: 목록의 처음 {n}명 (목록에서 고객을 선택하면 그 고객의 이유가 보입니다)",
    ),
    "why_picked": ("Why: the {n} customers ticked in the list", "이유: 목록에서 선택한 고객 {n}명"),
    "today_marker": ("Today: {date} (the data's last day)", "오늘: {date} (데이터의 마지막 날)"),
    "orders_timeline_help": (
        "Each point is one order at its amount; the dashed line is the last day of the data the "
        "scores were computed on.",
        "점 하나가 주문 하나이며 높이는 주문 금액입니다. 점선은 점수를 계산한 데이터의 마지막 날입니다.",
    ),
    # ---- data & runs --------------------------------------------------------------------------
    "run_fact": ("Fact", "항목"),
    "run_value": ("Value", "값"),
    "skipped_stages": ("Skipped stages", "건너뛴 단계"),
    "yes": ("yes", "예"),
    "no": ("no", "아니요"),
}

#: Column headers these pages show that `churnlens.strings.columns` lacks.
COLUMNS: dict[str, tuple[str, str]] = {
    "source_kind": ("Data source", "데이터 출처"),
    "currency": ("Currency", "통화"),
    "time_mode": ("Dates", "날짜"),
    "prices": ("Prices", "가격"),
    "last_run": ("Last run", "마지막 실행"),
    "snapshot_date": ("Snapshot date", "기준일"),
    "started_at": ("Started", "시작"),
    "seconds": ("Seconds", "소요 시간(초)"),
    "tables": ("Tables written", "기록한 테이블"),
    "stage": ("Stage", "단계"),
    "median_minutes_from_previous": ("Median minutes from previous step", "이전 단계부터 중앙값(분)"),
    "visits_per_customer": ("Visits per customer", "고객당 방문 수"),
    "item_revenue": ("Item revenue", "상품 매출"),
    "share_of_month": ("Share of the month", "월 매출 비중"),
    "category": ("Category", "카테고리"),
    "cohort_customers": ("Customers in the cohort", "코호트 고객 수"),
    "revenue_retention": ("Revenue retention", "매출 유지율"),
    "items_per_order": ("Items per order", "주문당 상품 수"),
    "purchase_conversion": ("Purchase conversion", "구매 전환율"),
    "revenue_per_customer": ("Revenue per customer", "고객당 매출"),
    "signed_customers": ("Customers (dormant negative)", "고객 수(휴면은 음수)"),
    "exit_event": ("Last page", "마지막 페이지"),
    "repurchase_rate_full": ("Repurchase after full price", "정가 구매 후 재구매율"),
    "repurchase_rate_promo": ("Repurchase after a promotion", "프로모션 후 재구매율"),
    "base_period": ("Base period", "기준 기간"),
    "current_period": ("Current period", "현재 기간"),
    "segment_rank": ("Rank", "순위"),
    "first_order_ts": ("First order", "첫 주문"),
    "last_order_ts": ("Last order", "마지막 주문"),
    "rfm_code": ("RFM code", "RFM 코드"),
    "failed_orders": ("Failed payments", "결제 실패 주문"),
    "searches": ("Searches", "검색 수"),
    "searchers": ("Searchers", "검색한 고객 수"),
    "group_searches": ("Searches in the group", "그룹 검색 수"),
    "group_searchers": ("Searchers in the group", "그룹 검색 고객 수"),
    "searcher_share": ("Share of searchers", "검색 고객 비율"),
    "funnel": ("Funnel", "퍼널"),
    "period": ("Period", "기간"),
    "contact_cost": ("Contact cost", "연락 비용"),
    "days_since_last_order": ("Days since last order", "마지막 주문 후 일수"),
    "usual_gap_days": ("Usual days between orders", "평소 주문 간격(일)"),
    "dormant": ("Dormant", "휴면"),
    "promo_sensitive": ("Buys on promotion", "프로모션 반응 고객"),
    "risk": ("Risk", "위험"),
    "routine_due": ("Routine purchase due", "정기 구매 시기"),
    "routine_products": ("Routine products", "정기 구매 상품"),
    "rule": ("Rule", "규칙"),
    "save_rate": ("Expected success rate", "예상 성공률"),
    "value_level": ("Value level", "가치 수준"),
    "value_source": ("Value from", "가치 기준"),
    "parameter": ("Parameter", "모수"),
    "standard_error": ("Standard error", "표준오차"),
    "n_customers": ("Customers", "고객 수"),
    "estimate": ("Estimate", "추정값"),
    "session_id": ("Session", "세션"),
    "visitor_id": ("Visitor", "방문자"),
}

#: Codes these pages show as values (model, rule and source names).
VALUES: dict[str, tuple[str, str]] = {
    "run_ingest": ("Ingest", "적재"),
    "run_run": ("Pipeline run", "파이프라인 실행"),
    "calendar": ("Calendar dates", "달력 날짜"),
    "relative": ("Rebuilt from order gaps", "주문 간격으로 재구성"),
    "fashion-campus": ("Fashion Campus", "Fashion Campus"),
    "second_hand": ("Second hand", "중고"),
    "lightgbm": ("Churn model (LightGBM)", "이탈 모델(LightGBM)"),
    "lightgbm_uncalibrated": ("Churn model, not recalibrated", "이탈 모델(재보정 전)"),
    "logistic": ("Logistic regression", "로지스틱 회귀"),
    "random_forest": ("Random forest", "랜덤 포레스트"),
    "xgboost": ("XGBoost", "XGBoost"),
    "bgnbd": ("BG/NBD purchase model", "BG/NBD 구매 모형"),
    "recency_rule": ("Longest since the last order", "마지막 주문 후 가장 오래된 고객"),
    "cycle_rule": ("Most overdue for their usual rhythm", "평소 주기보다 가장 늦은 고객"),
    "last_gap_rule": ("Longest last gap between orders", "직전 주문 간격이 가장 긴 고객"),
    "count:BGNBD": ("Purchases and drop-out: BG/NBD", "구매·이탈: BG/NBD"),
    "count:ParetoNBD": ("Purchases and drop-out: Pareto/NBD", "구매·이탈: Pareto/NBD"),
    "spend:GammaGamma": ("Value of a purchase: Gamma-Gamma", "구매 금액: Gamma-Gamma"),
}
