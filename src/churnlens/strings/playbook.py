"""Sentences of the playbook (`churnlens.playbook`): each customer's reason and offer in table
``actions``, and each state's definition in table ``customer_states``.

State names are values (`churnlens.strings.values`); an action is named here as the subject of a
sentence (``offer_<action>``: "A personal win-back offer"), while the dashboard's action column
shows the value's short name ("Personal win-back").
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ---- actions as the subject of a sentence ----------------------------------------------------
    "offer_reactivation": ("A reactivation offer", "재활성화 혜택"),
    "offer_winback_personal": ("A personal win-back offer", "개인 맞춤 윈백 혜택"),
    "offer_reminder_auto": ("An automated reminder", "자동 리마인더"),
    "offer_nurture": ("Light-touch content", "관계 유지 콘텐츠"),
    "offer_loyalty_reward": ("A loyalty reward", "충성 고객 보상"),
    "offer_no_action": ("No contact", "연락 안 함"),
    # ---- a customer's reason ------------------------------------------------------------------------
    "reason_sentence": ("{state}: {parts}. {offer}", "{state}: {parts}. {offer}"),
    "reason_rhythm_own": (
        "last order {days} days ago, {ratio} times their usual {gap} days between orders",
        "마지막 주문 {days}일 전, 평소 주문 간격 {gap}일의 {ratio}배",
    ),
    "reason_rhythm_shop": (
        "last order {days} days ago, {ratio} times the shop's usual {gap} days between orders",
        "마지막 주문 {days}일 전, 이 쇼핑몰의 평소 주문 간격 {gap}일의 {ratio}배",
    ),
    "reason_churn": (
        "{p} likely to place no order in the next {window} days",
        "향후 {window}일 무주문 확률 {p}",
    ),
    "reason_alive": ("{p} likely to still be a customer", "아직 고객일 확률 {p}"),
    "reason_value_clv_12m": ("expected to spend {v} in the next 12 months", "향후 12개월 예상 구매액 {v}"),
    "reason_value_expected_spend": ("expected to spend {v} per order", "주문당 예상 구매액 {v}"),
    "reason_value_other": ("{source}: {v}", "{source}: {v}"),
    "reason_declined": (
        "{action} would be worth {v} (it costs more than it saves): no contact.",
        "{action}의 기대 가치는 {v}(비용이 절감액보다 큼): 연락하지 않음.",
    ),
    "reason_no_contact_needed": ("No contact needed.", "연락 필요 없음."),
    "reason_offer_measured": (
        "{action} is expected to save {saved} (measured save rate {rate}) for a cost of {cost}: worth {ev}.",
        "{action}: 예상 절감액 {saved} (측정된 회복률 {rate}), 비용 {cost}, 기대 가치 {ev}.",
    ),
    "reason_offer_assumed": (
        "{action} is expected to save {saved} (assumed save rate {rate}) for a cost of {cost}: worth {ev}.",
        "{action}: 예상 절감액 {saved} (가정한 회복률 {rate}), 비용 {cost}, 기대 가치 {ev}.",
    ),
    # ---- what each state means in this shop's numbers ------------------------------------------------
    "state_definition_active": (
        "ordered within {at_risk} times their usual gap between orders (the shop's median gap is {gap} days)",
        "평소 주문 간격의 {at_risk}배 안에 주문함 (이 쇼핑몰의 중앙 간격 {gap}일)",
    ),
    "state_definition_at_risk": (
        "still likely a customer, but more than {at_risk} times their usual gap since the last order",
        "아직 고객일 가능성이 높지만 마지막 주문 후 평소 간격의 {at_risk}배를 넘김",
    ),
    "state_definition_lapsing": (
        "more than {lapsing} times their usual gap since the last order, or less than {p_alive} likely "
        "to still be a customer",
        "마지막 주문 후 평소 간격의 {lapsing}배를 넘겼거나 아직 고객일 확률이 {p_alive} 미만",
    ),
    "state_definition_lapsed": (
        "no order for more than {horizon} days ({share} of this shop's repeat orders come sooner), "
        "or less than {p_alive} likely to still be a customer: the win-back list",
        "{horizon}일 넘게 주문 없음 (이 쇼핑몰 재구매의 {share}가 그 전에 일어남) 또는 아직 고객일 "
        "확률이 {p_alive} 미만: 윈백 대상",
    ),
}
