"""Every word the dashboard and the report show, in English and Korean, and number formatting.

`tr(lang, key, **values)` looks a string up in `STRINGS` (``{key: (english, korean)}``) and fills
``{placeholders}``. Column headers of result tables are translated through `COLUMNS`; a column
that is not listed there is shown with its name made readable (``days_since_last`` ->
``Days since last``), so a new result table never breaks a page.

Numbers and dates follow the language: English groups large values as K/M/B and writes
``Mar 2024``; Korean groups them as 만/억/조 and writes ``2024년 3월``. Money carries the
currency from the run record; a shop without prices counts items instead.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from churnlens import declarations
from churnlens.korean import particles

LANGS: dict[str, str] = {"en": "English", "ko": "한국어"}

STRINGS: dict[str, tuple[str, str]] = {
    # ---- shell ------------------------------------------------------------------------------
    "app_title": ("churnlens", "churnlens"),
    "language": ("Language", "언어"),
    "password": ("Password", "비밀번호"),
    "password_help": ("This dashboard is protected.", "이 대시보드는 비밀번호로 보호되어 있습니다."),
    "password_wrong": ("Wrong password.", "비밀번호가 틀렸습니다."),
    "no_db": (
        "No warehouse found at {path}. Run `churnlens demo` or `churnlens ingest ...` then `churnlens run`.",
        "{path}에 웨어하우스가 없습니다. `churnlens demo` 또는 `churnlens ingest ...` 후 `churnlens run`을 실행하세요.",
    ),
    "db_busy": (
        "The warehouse {path} cannot be opened read-only (another program is writing to it?): {error}",
        "웨어하우스 {path}를 읽기 전용으로 열 수 없습니다(다른 프로그램이 쓰는 중인가요?): {error}",
    ),
    "sidebar_shop": ("Shop", "쇼핑몰"),
    "sidebar_source": ("Source: {kind}", "데이터 출처: {kind}"),
    "sidebar_currency": ("Currency: {currency}", "통화: {currency}"),
    "sidebar_no_prices": ("No prices: values are items bought", "가격 없음: 값은 구매 상품 수입니다"),
    "sidebar_last_run": ("Last run: {when}", "마지막 실행: {when}"),
    "stale_results": (
        "Stale results: {count} result tables were computed from older data than the warehouse holds "
        "(a shop was ingested at {when}, after the run). Run `{command}` to bring them up to date. "
        "Stale: {tables}.",
        "오래된 결과: 결과 테이블 {count}개가 웨어하우스의 현재 데이터보다 오래된 데이터로 계산되었습니다"
        "(실행 후 {when}에 새 데이터가 적재됨). `{command}` 명령으로 최신 상태로 만드세요. 해당 테이블: {tables}.",
    ),
    "relative_time": (
        "This shop's data has no calendar: dates are rebuilt by aligning every customer's last order on {date}.",
        "이 쇼핑몰 데이터에는 달력 날짜가 없습니다. 모든 고객의 마지막 주문을 {date}에 맞춰 날짜를 재구성했습니다.",
    ),
    # ---- pages --------------------------------------------------------------------------------
    "page_overview": ("Overview", "개요"),
    "page_customers": ("Customers", "고객"),
    "page_churn": ("Churn risk", "이탈 위험"),
    "page_customer360": ("Customer 360", "고객 360"),
    "page_products": ("Products", "상품"),
    "page_behaviour": ("Behaviour", "행동"),
    "page_promotions": ("Promotions", "프로모션"),
    "page_campaigns": ("Campaigns", "캠페인"),
    "page_data": ("Data & runs", "데이터와 실행 기록"),
    # ---- missing data -------------------------------------------------------------------------
    "missing_table": (
        "Not computed yet: table `{table}` ({what}) is missing. Make it with `{command}`.",
        "아직 계산되지 않았습니다: `{table}` 테이블({what})이 없습니다. `{command}` 명령으로 만드세요.",
    ),
    "skipped_stage": (
        "The `{stage}` stage was skipped for this shop: {reason}.",
        "이 쇼핑몰에서는 `{stage}` 단계를 건너뛰었습니다: {reason}.",
    ),
    "no_events": (
        "This shop has no click stream (no events), so there are no funnels, paths, sessions or searches to show.",
        "이 쇼핑몰에는 클릭 스트림(이벤트)이 없어 퍼널, 경로, 세션, 검색을 보여줄 수 없습니다.",
    ),
    "no_prices": (
        "This shop's data has no prices, so there is no revenue, discount or promotion depth; values count items bought.",
        "이 쇼핑몰 데이터에는 가격이 없어 매출, 할인, 프로모션 깊이를 보여줄 수 없습니다. 값은 구매 상품 수입니다.",
    ),
    "no_promos": (
        "This shop's orders carry no promotion codes or discounts, so there is nothing to show about promotions.",
        "이 쇼핑몰 주문에는 프로모션 코드나 할인이 없어 프로모션 분석을 보여줄 수 없습니다.",
    ),
    "empty_table": (
        "Table `{table}` is empty for this shop.",
        "이 쇼핑몰의 `{table}` 테이블이 비어 있습니다.",
    ),
    "unexpected_columns": (
        "Table `{table}` has columns this page does not know ({columns}); it is shown as it is.",
        "`{table}` 테이블에 이 페이지가 모르는 열이 있어({columns}) 그대로 보여줍니다.",
    ),
    "what_data_profile": ("rows and time span of each table", "테이블별 행 수와 기간"),
    "what_sales_monthly": ("monthly sales", "월별 매출"),
    "what_revenue_bridge": ("revenue bridge", "매출 변동 분해"),
    "what_findings": ("diagnosis findings", "진단 결과"),
    "what_rfm": ("RFM scores per customer", "고객별 RFM 점수"),
    "what_segment_summary": ("segment summary", "세그먼트 요약"),
    "what_demographic_segments": ("age, gender and device segments", "연령·성별·기기 세그먼트"),
    "what_lifecycle_monthly": ("lifecycle states per month", "월별 라이프사이클 상태"),
    "what_cohort_retention": ("cohort retention", "코호트 리텐션"),
    "what_acquisition_monthly": ("new customers per month", "월별 신규 고객"),
    "what_customer_scores": ("churn scores per customer", "고객별 이탈 점수"),
    "what_churn_model_metrics": ("model quality", "모델 품질"),
    "what_churn_curves": ("ROC, PR, lift and calibration curves", "ROC·PR·리프트·보정 곡선"),
    "what_churn_backtest": ("backtest over time", "기간별 백테스트"),
    "what_churn_feature_importance": ("what drives the churn model", "이탈 모델의 주요 요인"),
    "what_churn_imbalance_comparison": ("class imbalance comparison", "클래스 불균형 보정 비교"),
    "what_churn_model_comparison": ("full comparison of churn models", "이탈 모델 전체 비교"),
    "what_customer_value": ("customer value (P(alive), CLV)", "고객 가치(P(alive), CLV)"),
    "what_product_stats": ("product rankings", "상품 순위"),
    "what_product_monthly": ("product sales per month", "월별 상품 판매"),
    "what_basket_rules": ("basket rules", "장바구니 연관 규칙"),
    "what_churn_products": ("products of churned customers", "이탈 고객의 구매 상품"),
    "what_cart_position": ("cart-position effects", "장바구니 순서 효과"),
    "what_funnel_steps": ("funnel steps", "퍼널 단계"),
    "what_funnel_breakdown": ("funnel breakdowns", "퍼널 세부 분석"),
    "what_path_transitions": ("paths between pages", "페이지 간 경로"),
    "what_paths_top": ("most common paths", "가장 흔한 경로"),
    "what_sessions": ("sessions", "세션"),
    "what_visit_kpis": ("visit KPIs", "방문 지표"),
    "what_search_trends": ("search trends", "검색 추세"),
    "what_promo_summary": ("promotion use", "프로모션 사용"),
    "what_promo_monthly": ("promotion use per month", "월별 프로모션 사용"),
    "what_promo_segments": ("who gets promotions", "프로모션 수혜 고객"),
    "what_promo_repurchase": (
        "repurchase after promotion vs full price",
        "프로모션 후 재구매 대 정가 구매 후 재구매",
    ),
    "what_category_sales_monthly": ("sales per category and month", "카테고리별 월 매출"),
    "what_revenue_bridge_by_segment": ("revenue bridge by segment", "세그먼트별 매출 변동"),
    "what_order_funnel_steps": ("order funnel (1st, 2nd, 3rd order)", "주문 퍼널(첫 주문, 두 번째, 세 번째)"),
    "what_path_exits": ("where sessions end", "세션이 끝나는 지점"),
    "what_product_highlights": (
        "best and worst sellers, rising and falling items",
        "베스트·워스트 상품, 상승·하락 상품",
    ),
    "what_product_repeat": ("reorder rates", "재구매율"),
    "what_cart_positions": ("cart-position effects", "장바구니 순서 효과"),
    "what_cart_conversion": ("cart-to-purchase rates", "장바구니-구매 전환율"),
    "what_promo_codes": ("promotion codes", "프로모션 코드"),
    "what_promo_usage": ("who uses promotions", "프로모션 사용 고객"),
    "what_promo_audience": ("promotions for new vs loyal customers", "신규 대 충성 고객 프로모션"),
    "what_promo_roi": ("what promotions earn back", "프로모션 수익성"),
    "what_churn_model_report": ("confusion matrix at thresholds", "임계값별 혼동 행렬"),
    "what_routine_products": ("routine products per customer", "고객별 정기 구매 상품"),
    "what_actions": ("recommended actions per customer", "고객별 추천 액션"),
    "what_campaign_summary": ("campaign summary", "캠페인 요약"),
    "what_result": ("pipeline result", "파이프라인 결과"),
    # ---- overview -----------------------------------------------------------------------------
    "kpis": ("Key numbers", "핵심 지표"),
    "kpi_help": (
        "{period} compared with {previous}.",
        "{period}을(를) {previous}와(과) 비교했습니다.",
    ),
    "monthly_sales": ("Monthly sales", "월별 매출"),
    "revenue_bridge": ("Revenue bridge", "매출 변동 분해"),
    "revenue_bridge_help": (
        "How revenue moved from one period to the next, by source of change.",
        "한 기간에서 다음 기간으로 매출이 어떻게 변했는지 원인별로 보여줍니다.",
    ),
    "findings": ("What changed and why", "무엇이 왜 바뀌었나"),
    "no_findings": ("No findings for this shop.", "이 쇼핑몰에 대한 진단 결과가 없습니다."),
    "data_span": ("{orders} orders from {first} to {last}", "{first}부터 {last}까지 주문 {orders}건"),
    # ---- customers ----------------------------------------------------------------------------
    "rfm_grid": ("RFM grid", "RFM 그리드"),
    "rfm_grid_help": (
        "Customers per recency and frequency grade; colour = customers.",
        "최근성·빈도 등급별 고객 수입니다. 색 = 고객 수.",
    ),
    "segments": ("Segments", "세그먼트"),
    "demographics": ("Age, gender and device", "연령, 성별, 기기"),
    "dimension": ("Dimension", "구분"),
    "lifecycle": ("Lifecycle states over time", "기간별 라이프사이클 상태"),
    "cohort_retention": ("Cohort retention", "코호트 리텐션"),
    "cohort_help": (
        "Share of each signup cohort still buying n months later.",
        "가입 코호트별로 n개월 후에도 구매하는 고객 비율입니다.",
    ),
    "acquisition": ("Acquisition", "고객 획득"),
    # ---- churn --------------------------------------------------------------------------------
    "at_risk": ("Customers at risk", "이탈 위험 고객"),
    "win_back": ("Win-back list: lapsed customers", "윈백 대상: 이탈 고객"),
    "churn_window_note": (
        "Churn here means no order in the next {days} days ({why}); {rate} of recent customers churned "
        "by that definition.",
        "여기서 이탈은 향후 {days}일간 주문이 없는 것입니다 ({why}). 최근 고객의 {rate}가 이 정의로 "
        "이탈했습니다.",
    ),
    "risk_band": ("Risk band", "위험 등급"),
    "segment": ("Segment", "세그먼트"),
    "action": ("Action", "액션"),
    "min_value": ("Minimum value", "최소 가치"),
    "shown_rows": ("{shown} of {total} customers shown", "전체 {total}명 중 {shown}명 표시"),
    "download_csv": ("Download CSV", "CSV 다운로드"),
    "choose": ("All (choose to filter)", "전체 (선택하여 필터)"),
    "model_quality": ("Model quality", "모델 품질"),
    "roc": ("ROC curve", "ROC 곡선"),
    "pr": ("Precision-recall", "정밀도-재현율"),
    "lift": ("Lift", "리프트"),
    "calibration": ("Calibration", "보정"),
    "confusion": ("Confusion matrix", "혼동 행렬"),
    "model_comparison": ("Model and baselines", "모델과 기준선 비교"),
    "backtest": ("Backtest over time", "기간별 백테스트"),
    "scored_by_fallback": (
        "The churn model is not measurably better than {model} on the latest held-out cutoff, so the "
        "customer scores come from {model}, the simpler model (churn.fallback_models).",
        "최근 검증 시점에서 이탈 모델이 {model}보다 확실히 낫지 않아 고객 점수는 더 단순한 모델인 "
        "{model}에서 나옵니다(churn.fallback_models).",
    ),
    "full_comparison": ("Full comparison of models", "모델 전체 비교"),
    "computed_on": (
        'Last computed on {date} (`churnlens backtest` or churn.compare = "full").',
        '마지막 계산: {date} (`churnlens backtest` 또는 churn.compare = "full").',
    ),
    "feature_importance": ("What drives churn", "이탈의 주요 요인"),
    "imbalance": ("Class imbalance strategies", "클래스 불균형 보정 방법"),
    "rule_top_share": ("Top {pct}% (contact capacity)", "상위 {pct}%(연락 가능 인원)"),
    "imbalance_helps": (
        "{best} ranks customers better than training as is (ROC AUC {auc}, {gain} more): set "
        'churn.imbalance = "{code}" to use it; the probabilities are recalibrated either way.',
        "{best} 방법이 그대로 학습할 때보다 고객 순위를 더 잘 매깁니다(ROC AUC {auc}, {gain} 향상). "
        '사용하려면 churn.imbalance = "{code}"로 설정하세요. 확률은 어느 경우든 다시 보정됩니다.',
    ),
    "imbalance_no_help": (
        "No strategy ranks customers clearly better than training as is (best: {best}, ROC AUC {gain} "
        "against as is), so the model is trained as is.",
        "어떤 방법도 그대로 학습할 때보다 고객 순위를 뚜렷하게 개선하지 못해(최고: {best}, 그대로 학습 대비 "
        "ROC AUC {gain}) 모델을 그대로 학습합니다.",
    ),
    "imbalance_calibration": (
        "Resampling moves the probabilities away from the real churn rate: calibration error {worst} "
        "({strategy}) against {none} as is.",
        "리샘플링은 확률을 실제 이탈률에서 멀어지게 합니다: 보정 오차 {worst}({strategy}), 그대로 학습 시 {none}.",
    ),
    "predicted": ("Predicted", "예측"),
    "actual": ("Actual", "실제"),
    "churned": ("churned", "이탈"),
    "stayed": ("stayed", "유지"),
    "perfect": ("perfect calibration", "완벽한 보정"),
    "chance": ("chance", "무작위"),
    # ---- customer 360 ----------------------------------------------------------------------------
    "lookup": ("Customer id", "고객 ID"),
    "lookup_help": ("Type a customer id, e.g. {example}.", "고객 ID를 입력하세요. 예: {example}"),
    "not_found": ("No customer {id} in the results.", "결과에 고객 {id}이(가) 없습니다."),
    "orders_timeline": ("Order timeline", "주문 타임라인"),
    "routine_products": ("Routine products", "정기 구매 상품"),
    "no_routine": (
        "No routine product is due for this customer.",
        "이 고객에게 구매 시기가 된 정기 구매 상품이 없습니다.",
    ),
    "recommended_action": ("Recommended action", "추천 액션"),
    "reasons": ("Reasons", "이유"),
    "churn_probability": ("Churn probability", "이탈 확률"),
    "p_alive": ("P(alive)", "생존 확률 P(alive)"),
    "clv": ("Customer value", "고객 가치"),
    # ---- products -----------------------------------------------------------------------------
    "category": ("Category", "카테고리"),
    "all": ("All", "전체"),
    "rankings": ("Rankings", "순위"),
    "product_trends": ("Trends", "추세"),
    "reorder_rates": ("Reorder rates", "재구매율"),
    "cart_position": ("Cart position", "장바구니 순서"),
    "basket_rules": ("Bought together", "함께 구매한 상품"),
    "churn_products": ("Products of churned customers", "이탈 고객의 구매 상품"),
    # ---- behaviour ----------------------------------------------------------------------------
    "funnel": ("Funnel", "퍼널"),
    "breakdown": ("Breakdown", "세부 구분"),
    "paths": ("Paths", "경로"),
    "sessions": ("Sessions", "세션"),
    "search_trends": ("Search trends", "검색 추세"),
    # ---- promotions ---------------------------------------------------------------------------
    "promo_use": ("Promotion use", "프로모션 사용"),
    "promo_who": ("Who gets promotions", "프로모션을 받는 고객"),
    "promo_repurchase": ("Repurchase after promotion vs full price", "프로모션 대 정가 구매 후 재구매"),
    # ---- campaigns ----------------------------------------------------------------------------
    "campaign_summary": ("Campaign summary", "캠페인 요약"),
    "export_action": ("Export customers for", "고객 목록 내보내기:"),
    "revenue_at_stake": ("Revenue at stake", "위험 매출"),
    "expected_saved": ("Expected saved revenue", "예상 방어 매출"),
    "promo_codes": ("Promotion codes", "프로모션 코드"),
    "promo_depth": ("Discount depth", "할인 깊이"),
    "promo_audience": ("New vs loyal customers", "신규 대 충성 고객"),
    "promo_roi": ("What promotions earn back", "프로모션 수익성"),
    "period_all": ("whole history", "전체 기간"),
    "period_base": ("base period", "기준 기간"),
    "period_current": ("current period", "현재 기간"),
    "period": ("Period", "기간"),
    "level": ("Level", "단계"),
    "highlights": ("Highlights", "주요 상품"),
    "cart_conversion": ("Cart to purchase", "장바구니에서 구매까지"),
    "order_funnel": ("Order funnel", "주문 퍼널"),
    "order_funnel_help": (
        "How many customers go on to a 2nd and a 3rd order.",
        "두 번째, 세 번째 주문으로 이어지는 고객 수입니다.",
    ),
    "path_exits": ("Where sessions end", "세션이 끝나는 지점"),
    "next_step": ("Next step after each page", "각 페이지 다음 단계"),
    "segment_drivers": ("Which segments explain the change", "변화를 설명하는 세그먼트"),
    "category_sales": ("Sales by category", "카테고리별 매출"),
    "threshold_rule": ("Threshold", "임계값"),
    "gains": ("Cumulative gains", "누적 이득"),
    "curve_share": ("share of customers contacted", "연락한 고객 비율"),
    "curve_captured": ("share of churners reached", "찾아낸 이탈 고객 비율"),
    "curve_fpr": ("false positive rate", "위양성률"),
    "curve_tpr": ("true positive rate", "진양성률"),
    "curve_recall": ("recall", "재현율"),
    "curve_precision": ("precision", "정밀도"),
    "curve_predicted": ("predicted probability", "예측 확률"),
    "curve_observed": ("observed churn rate", "실제 이탈률"),
    "base_value": ("Before", "이전"),
    "current_value": ("After", "이후"),
    # ---- data page ----------------------------------------------------------------------------
    "result_tables": ("Result tables", "결과 테이블"),
    "table": ("Table", "테이블"),
    "rows": ("Rows", "행 수"),
    "browse": ("Browse a table", "테이블 보기"),
    "runs": ("Runs", "실행 기록"),
    "first_rows": ("First {n} rows", "처음 {n}행"),
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

#: Translations of result-table column names (unknown columns are humanized in English).
COLUMNS: dict[str, tuple[str, str]] = {
    "customer_id": ("Customer", "고객"),
    "month": ("Month", "월"),
    "revenue": ("Revenue", "매출"),
    "orders": ("Orders", "주문"),
    "customers": ("Customers", "고객 수"),
    "new_customers": ("New customers", "신규 고객"),
    "active_customers": ("Active customers", "활성 고객"),
    "aov": ("Average order value", "평균 주문 금액"),
    "avg_order_value": ("Average order value", "평균 주문 금액"),
    "items": ("Items", "상품 수"),
    "value": ("Value", "가치"),
    "segment": ("Segment", "세그먼트"),
    "share": ("Share", "비율"),
    "recency_days": ("Days since last order", "마지막 주문 후 일수"),
    "frequency": ("Orders", "주문 수"),
    "monetary": ("Spend", "구매액"),
    "r_score": ("R", "R"),
    "f_score": ("F", "F"),
    "m_score": ("M", "M"),
    "churn_probability": ("Churn probability", "이탈 확률"),
    "expected_days_to_next_order": ("Expected days to next order", "다음 주문까지 예상 일수"),
    "p_order_7d": ("P(order within 7 days)", "7일 내 주문 확률"),
    "p_order_14d": ("P(order within 14 days)", "14일 내 주문 확률"),
    "p_order_30d": ("P(order within 30 days)", "30일 내 주문 확률"),
    "scored_by": ("Scored by", "점수 산출 모델"),
    "risk_band": ("Risk band", "위험 등급"),
    "reasons": ("Reasons", "이유"),
    "reason": ("Reason", "이유"),
    "action": ("Action", "액션"),
    "p_alive": ("P(alive)", "생존 확률"),
    "clv": ("CLV", "CLV"),
    "expected_value": ("Expected value", "기대 가치"),
    "product_id": ("Product", "상품"),
    "name": ("Name", "이름"),
    "category_l1": ("Category", "카테고리"),
    "category_l2": ("Subcategory", "하위 카테고리"),
    "quantity": ("Quantity", "수량"),
    "reorder_rate": ("Reorder rate", "재구매율"),
    "support": ("Support", "지지도"),
    "confidence": ("Confidence", "신뢰도"),
    "lift": ("Lift", "리프트"),
    "table_name": ("Table", "테이블"),
    "rows": ("Rows", "행 수"),
    "first_ts": ("First", "처음"),
    "last_ts": ("Last", "마지막"),
    "step": ("Step", "단계"),
    "sessions": ("Sessions", "세션"),
    "conversion": ("Conversion", "전환율"),
    "dimension": ("Dimension", "구분"),
    "model": ("Model", "모델"),
    "auc": ("ROC AUC", "ROC AUC"),
    "pr_auc": ("PR AUC", "PR AUC"),
    "order_ts": ("Order time", "주문 시각"),
    "status": ("Status", "상태"),
    "total_amount": ("Amount", "금액"),
    "order_id": ("Order id", "주문 ID"),
    "discount_amount": ("Discount amount", "할인 금액"),
    "promo_code": ("Promo code", "프로모션 코드"),
    "text": ("Finding", "진단"),
    "buyers": ("Buyers", "구매 고객"),
    "period_start": ("Period", "기간"),
    "failed_share": ("Failed payments", "결제 실패율"),
    "revenue_mom": ("vs last month", "전월 대비"),
    "revenue_yoy": ("vs last year", "전년 대비"),
    "component": ("Component", "구성 요소"),
    "change": ("Change", "변화"),
    "share_of_change": ("Share of change", "변화 기여도"),
    "signups": ("Sign-ups", "가입"),
    "first_buyers": ("First-time buyers", "첫 구매 고객"),
    "signups_who_buy": ("Sign-ups who buy", "구매한 가입자"),
    "buy_share": ("Share of sign-ups who buy", "가입자 구매율"),
    "customer_share": ("Share of customers", "고객 비율"),
    "monetary_share": ("Share of spend", "구매액 비율"),
    "mean_recency_days": ("Mean days since last order", "평균 마지막 주문 후 일수"),
    "mean_frequency": ("Mean orders", "평균 주문 수"),
    "mean_monetary": ("Mean spend", "평균 구매액"),
    "buyer_share": ("Buyers share", "구매 고객 비율"),
    "visits": ("Visits", "방문"),
    "visitors": ("Visitors", "방문자"),
    "conversion_rate": ("Conversion", "전환율"),
    "buyer_rate": ("Buyer rate", "구매자 비율"),
    "purchase_sessions": ("Sessions with a purchase", "구매 세션"),
    "purchase_rate": ("Purchase rate", "구매율"),
    "path": ("Path", "경로"),
    "from_event": ("From", "이전 단계"),
    "to_event": ("To", "다음 단계"),
    "transitions": ("Transitions", "전이 수"),
    "probability": ("Probability", "확률"),
    "step_name": ("Step", "단계"),
    "units": ("Units", "단위 수"),
    "conversion_from_previous": ("From previous step", "이전 단계 대비"),
    "conversion_overall": ("From first step", "첫 단계 대비"),
    "median_s_from_previous": ("Median seconds from previous", "이전 단계부터 중앙값(초)"),
    "median_days_from_previous": ("Median days from previous", "이전 단계부터 중앙값(일)"),
    "cohort_month": ("Cohort", "코호트"),
    "months_since": ("Months since first order", "첫 주문 후 개월"),
    "retention": ("Retention", "리텐션"),
    "state": ("State", "상태"),
    "keyword_group": ("Keyword group", "키워드 그룹"),
    "search_share": ("Share of searches", "검색 비율"),
    "discount": ("Discount", "할인"),
    "discount_depth": ("Discount depth", "할인 깊이"),
    "promo_orders": ("Promo orders", "프로모션 주문"),
    "promo_share": ("Promo share", "프로모션 비율"),
    "repurchase_rate": ("Repurchase rate", "재구매율"),
    "repurchased": ("Repurchased", "재구매"),
    "audience": ("Audience", "대상"),
    "order_type": ("Order type", "주문 유형"),
    "incremental_revenue": ("Incremental revenue", "증분 매출"),
    "discount_cost": ("Discount cost", "할인 비용"),
    "net": ("Net", "순효과"),
    "level": ("Level", "단계"),
    "item": ("Item", "항목"),
    "growth": ("Growth", "성장률"),
    "severity": ("Severity", "중요도"),
    "rank": ("Rank", "순위"),
    "clv_12m": ("CLV (12 months)", "CLV(12개월)"),
    "expected_purchases_90d": ("Expected purchases (90 days)", "예상 구매(90일)"),
    "expected_spend": ("Expected spend per order", "주문당 예상 금액"),
    "roc_auc": ("ROC AUC", "ROC AUC"),
    "roc_auc_vs_none": ("ROC AUC vs as is", "그대로 학습 대비 ROC AUC"),
    "expected_profit": ("Expected profit", "기대 이익"),
    "strategy": ("Strategy", "방법"),
    "recall_at_0_5": ("Recall at 0.5", "0.5 기준 재현율"),
    "precision_at_0_5": ("Precision at 0.5", "0.5 기준 정밀도"),
    "brier": ("Brier score", "브라이어 점수"),
    "log_loss": ("Log loss", "로그 손실"),
    "churn_rate": ("Churn rate", "이탈률"),
    "precision": ("Precision", "정밀도"),
    "recall": ("Recall", "재현율"),
    "threshold": ("Threshold", "임계값"),
    "feature": ("Feature", "특성"),
    "importance": ("Importance", "중요도"),
    "cutoff": ("Cutoff", "기준일"),
    "kind": ("Kind", "종류"),
    "offer_discount": ("Offer a discount", "할인 제공"),
    "routine_product_names": ("Routine products", "정기 구매 상품"),
    "share_of_promo_orders": ("Share of promo orders", "프로모션 주문 비중"),
    "promo_revenue": ("Promo revenue", "프로모션 매출"),
    "share_of_promo_revenue": ("Share of promo revenue", "프로모션 매출 비중"),
    "share_of_discount": ("Share of discount", "할인 비중"),
    "window_days": ("Window (days)", "기간(일)"),
    "eligible_promo_orders": ("Eligible promo orders", "대상 프로모션 주문"),
    "return_per_cost": ("Return per cost", "비용 대비 수익"),
    "contacted_share": ("Customers contacted", "연락 대상 비율"),
    "capture_top10": ("Churners in top 10%", "상위 10%의 이탈 고객 비율"),
    "lift_top10": ("Lift in top 10%", "상위 10% 리프트"),
    "discount_offers": ("Discount offers", "할인 제공"),
    "interval_days": ("Usual interval (days)", "평소 주기(일)"),
    "days_since": ("Days since last", "마지막 구매 후 일수"),
    "overdue": ("Overdue (x interval)", "지연(주기 배수)"),
    "revenue_at_stake": ("Revenue at stake", "위험 매출"),
    "expected_saved_revenue": ("Expected saved revenue", "예상 방어 매출"),
    "roi": ("ROI", "ROI"),
    "cost": ("Cost", "비용"),
}

#: Translations of category values that result tables store as codes.
VALUES: dict[str, tuple[str, str]] = {
    # RFM segments
    "champions": ("Champions", "챔피언"),
    "loyal": ("Loyal", "충성 고객"),
    "potential_loyalists": ("Potential loyalists", "잠재 충성 고객"),
    "new": ("New", "신규"),
    "cant_lose": ("Can't lose", "놓치면 안 되는 고객"),
    "at_risk": ("At risk", "이탈 위험"),
    "lapsing": ("Lapsing", "이탈 중"),
    "active": ("Active", "활성"),
    "lapsed": ("Lapsed", "이탈"),
    "hibernating": ("Hibernating", "휴면"),
    "lost": ("Lost", "이탈"),
    "new_customer": ("First order in this period", "이번 기간 첫 구매 고객"),
    # lifecycle
    "returning": ("Returning", "재방문"),
    "resurrected": ("Resurrected", "복귀"),
    "dormant": ("Dormant", "휴면 전환"),
    # revenue bridge
    "reactivated": ("Reactivated", "재활성"),
    "returning_more_orders": ("Returning: more orders", "기존 고객: 주문 증가"),
    "returning_fewer_orders": ("Returning: fewer orders", "기존 고객: 주문 감소"),
    "returning_higher_value": ("Returning: higher order value", "기존 고객: 주문 금액 증가"),
    "returning_lower_value": ("Returning: lower order value", "기존 고객: 주문 금액 감소"),
    "guest_orders": ("Guest orders", "비회원 주문"),
    "total": ("Total change", "전체 변화"),
    # events and steps
    "home": ("Home", "홈"),
    "search": ("Search", "검색"),
    "view_item": ("View item", "상품 보기"),
    "add_to_cart": ("Add to cart", "장바구니 담기"),
    "promo_page": ("Promo page", "프로모션 페이지"),
    "add_promo": ("Add promo", "프로모션 적용"),
    "purchase": ("Purchase", "구매"),
    "other": ("Other", "기타"),
    "(start)": ("(start)", "(시작)"),
    "(exit)": ("(exit)", "(이탈)"),
    "(direct)": ("(direct)", "(바로)"),
    "order_1": ("1st order", "첫 주문"),
    "order_2": ("2nd order", "두 번째 주문"),
    "order_3": ("3rd order", "세 번째 주문"),
    # dimensions and audiences
    "all": ("All", "전체"),
    "age_band": ("Age", "연령"),
    "gender": ("Gender", "성별"),
    "region": ("Region", "지역"),
    "device": ("Device", "기기"),
    "customer_type": ("New or returning", "신규/기존"),
    "traffic_source": ("Traffic source", "유입 경로"),
    "weekday": ("Weekday", "요일"),
    "segment": ("Segment", "세그먼트"),
    "month": ("Month", "월"),
    "first_month": ("First month", "첫 달"),
    "guest": ("Guest", "비회원"),
    "promo": ("Promotion", "프로모션"),
    "full_price": ("Full price", "정가"),
    "unknown": ("Unknown", "알 수 없음"),
    "events": ("Visits", "방문"),
    "nonbuyers": ("Visitors who never bought", "구매하지 않은 방문자"),
    "orders": ("Orders", "주문"),
    "product": ("Product", "상품"),
    "category_l1": ("Category", "카테고리"),
    "category_l2": ("Subcategory", "하위 카테고리"),
    "category_l3": ("Type", "유형"),
    "paid": ("Paid", "결제 완료"),
    "failed": ("Failed", "결제 실패"),
    "cancelled": ("Cancelled", "취소"),
    "best_seller": ("Best seller", "베스트셀러"),
    "worst_seller": ("Worst seller", "판매 부진"),
    "rising": ("Rising", "상승"),
    "falling": ("Falling", "하락"),
    "first_order": ("First-order favourite", "첫 주문 인기 상품"),
    "reactivation": ("Reactivation", "재활성화"),
    "winback_personal": ("Personal win-back", "개인 맞춤 윈백"),
    "reminder_auto": ("Automated reminder", "자동 리마인더"),
    "nurture": ("Nurture", "관계 유지"),
    "loyalty_reward": ("Loyalty reward", "충성 고객 보상"),
    "no_action": ("No action", "조치 없음"),
    "none": ("Trained as is", "그대로 학습"),
    "best_f1": ("Best F1", "최고 F1"),
    "best_profit": ("Best expected profit", "최대 기대 이익"),
    "p_0.5": ("Probability 0.5", "확률 0.5"),
    "class_weight": ("Class weights", "클래스 가중치"),
    "oversample": ("Random over-sampling", "무작위 오버샘플링"),
    "smote": ("SMOTE", "SMOTE"),
    "undersample": ("Random under-sampling", "무작위 언더샘플링"),
    "model": ("Model", "모델"),
    "baseline": ("Baseline", "기준선"),
    "high": ("High", "높음"),
    "medium": ("Medium", "중간"),
    "low": ("Low", "낮음"),
    "info": ("Info", "정보"),
}


def value_label(lang: str, value: object) -> str:
    """A category value stored as a code (``cant_lose``) in ``lang``; other values unchanged."""
    key = str(value)
    pair = VALUES.get(key)
    return key if pair is None else pair[1 if lang == "ko" else 0]


#: Columns that only serve exact sums (integer cents) or machines; not shown in tables.
HIDDEN_COLUMNS = {
    "revenue_value",
    "monetary_value",
    "change_value",
    "base_value",
    "current_value",
    "unit",
    "monetary_unit",
    "value_unit",
    "numbers",
    "period_index",
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tr(lang: str, key: str, **values: Any) -> str:
    """The string ``key`` in ``lang`` with its placeholders filled; the key itself if unknown."""
    pair = STRINGS.get(key)
    text = key if pair is None else pair[1 if lang == "ko" else 0]
    text = text.format(**values) if values else text
    return particles(text) if lang == "ko" else text


def column_label(lang: str, column: str) -> str:
    """Header of a result-table column in ``lang``."""
    if column in COLUMNS:
        return COLUMNS[column][1 if lang == "ko" else 0]
    if column.startswith("text_") or column.endswith(("_en", "_ko")):
        return COLUMNS["text"][1 if lang == "ko" else 0]
    return column.replace("_", " ").capitalize()


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x: Any, lang: str = "en", digits: int = 0) -> str:
    """A number with thousands separators (both languages group by three digits)."""
    if _missing(x):
        return "–"
    return f"{float(x):,.{digits}f}"


def fmt_compact(x: Any, lang: str = "en") -> str:
    """A short number: 1.23M in English, 123만 / 1.2억 in Korean; small values as they are."""
    if _missing(x):
        return "–"
    v = float(x)
    sign, a = ("-" if v < 0 else ""), abs(v)
    if lang == "ko":
        for unit, name in ((1e12, "조"), (1e8, "억"), (1e4, "만")):
            if a >= unit:
                return f"{sign}{_trim(a / unit)}{name}"
    else:
        for unit, name in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if a >= unit * 10 or (unit >= 1e6 and a >= unit):
                return f"{sign}{_trim(a / unit)}{name}"
    return f"{sign}{a:,.0f}" if a >= 100 or a == int(a) else f"{sign}{a:,.2f}"


def _trim(v: float) -> str:
    text = f"{v:,.2f}" if v < 10 else f"{v:,.1f}" if v < 100 else f"{v:,.0f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_money(x: Any, lang: str, currency: str | None, compact: bool = True) -> str:
    """Money labelled with the shop's currency code, as the findings write it (``IDR 1.23M``,
    ``1.5만 IDR``; Korean won as ``원``); without prices (currency None) the value counts items."""
    if _missing(x):
        return "–"
    return with_currency(fmt_compact(x, lang) if compact else fmt_number(x, lang), lang, currency)


def with_currency(body: str, lang: str, currency: str | None) -> str:
    """A formatted amount labelled with the currency code (``IDR 1,234``, ``1,234 IDR``, ``1,234원``);
    without prices (currency None) the amount counts items."""
    if currency is None:
        return f"{body} {'개' if lang == 'ko' else 'items'}"
    if lang == "ko":
        return f"{body}원" if currency == "KRW" else f"{body} {currency}"
    return f"{currency} {body}"


def fmt_pct(x: Any, lang: str = "en", digits: int = 1) -> str:
    """A share (0.123) as a percentage (12.3%)."""
    if _missing(x):
        return "–"
    return f"{float(x) * 100:,.{digits}f}%"


def fmt_delta_pct(new: Any, old: Any, lang: str = "en") -> str | None:
    """Relative change from ``old`` to ``new`` as a signed percentage, None when undefined."""
    if _missing(new) or _missing(old) or float(old) == 0:
        return None
    change = (float(new) - float(old)) / abs(float(old))
    return f"{change * 100:+,.1f}%"


def _as_datetime(x: Any) -> datetime | date | None:
    if _missing(x):
        return None
    if isinstance(x, str):
        x = pd.Timestamp(x)
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    return x


def fmt_month(x: Any, lang: str = "en") -> str:
    """``Mar 2024`` / ``2024년 3월``."""
    d = _as_datetime(x)
    if d is None:
        return "–"
    return f"{d.year}년 {d.month}월" if lang == "ko" else f"{_MONTHS_EN[d.month - 1]} {d.year}"


def fmt_date(x: Any, lang: str = "en") -> str:
    """``5 Mar 2024`` / ``2024년 3월 5일``."""
    d = _as_datetime(x)
    if d is None:
        return "–"
    if lang == "ko":
        return f"{d.year}년 {d.month}월 {d.day}일"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def fmt_value(x: Any, lang: str, kind: str, currency: str | None) -> str:
    """Format by kind: ``money``, ``pct``, ``count``, ``float``."""
    if kind == "money":
        return fmt_money(x, lang, currency)
    if kind == "pct":
        return fmt_pct(x, lang)
    if kind == "float":
        return fmt_number(x, lang, 2)
    if kind == "count":
        return fmt_compact(x, lang) if not _missing(x) and abs(float(x)) >= 1e5 else fmt_number(x, lang)
    return str(x)


def is_finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


#: How each declared column kind (`churnlens.contract.KINDS`) is shown.
DISPLAY_KINDS = {
    "money": "money",
    "share": "pct",
    "count": "count",
    "rank": "count",
    "number": "float",
    "days": "float",
    "seconds": "float",
}


def column_kind(column: str, series: pd.Series | None = None, table: str | None = None) -> str:
    """``money``, ``pct``, ``count``, ``float`` or ``text`` for a column, from the kind its stage
    declares (`churnlens.declarations`); a column no stage declares (computed on a page) by its
    type alone."""
    if series is not None and (
        not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
    ):
        return "text"
    declared = declarations.column_kind(column, table)
    if declared is not None:
        return DISPLAY_KINDS.get(declared, "text")
    if series is not None and pd.api.types.is_integer_dtype(series):
        return "count"
    return "float"


# The page texts live in their own table (same shape) so that each area's words stay together.
from churnlens.presentation.page_strings import PAGE_COLUMNS, PAGE_STRINGS, PAGE_VALUES  # noqa: E402

for _shared, _pages in ((STRINGS, PAGE_STRINGS), (COLUMNS, PAGE_COLUMNS), (VALUES, PAGE_VALUES)):
    _shared.update({k: v for k, v in _pages.items() if k not in _shared})
