"""Reasons: one plain sentence per customer in English and Korean, made only of the numbers
shown in the same row of ``actions``, formatted as shown (whole days, percentages of the
probabilities rounded to two decimals, money as stored).

English, for example::

    At risk: last order 58 days ago, 2.3 times their usual 25 days between orders; 73% likely
    to place no order in the next 117 days; 45% likely to still be a customer; expected to
    spend 10,068,736 in the next 12 months. A personal win-back offer is expected to save
    1,838,607 (assumed save rate 25%) for a cost of 38,477: worth 1,800,130.

and when the contact would cost more than it saves: "... A reactivation offer would be worth
-1,234: no contact."
"""

from __future__ import annotations

import math

import pandas as pd

from churnlens.presentation.i18n import with_currency

STATE_NAMES = {
    "en": {"active": "Active", "at_risk": "At risk", "lapsing": "Lapsing", "lapsed": "Lapsed"},
    "ko": {"active": "활성", "at_risk": "이탈 위험", "lapsing": "이탈 중", "lapsed": "이탈"},
}
ACTION_NAMES = {
    "en": {
        "reactivation": "A reactivation offer",
        "winback_personal": "A personal win-back offer",
        "reminder_auto": "An automated reminder",
        "nurture": "Light-touch content",
        "loyalty_reward": "A loyalty reward",
        "no_action": "No contact",
    },
    "ko": {
        "reactivation": "재활성화 혜택",
        "winback_personal": "개인 맞춤 윈백 혜택",
        "reminder_auto": "자동 리마인더",
        "nurture": "관계 유지 콘텐츠",
        "loyalty_reward": "충성 고객 보상",
        "no_action": "연락 안 함",
    },
}
#: What the value column means, by ``value_source``.
VALUE_PHRASES = {
    "en": {
        "clv_12m": "expected to spend {v} in the next 12 months",
        "expected_spend": "expected to spend {v} per order",
        None: "{source}: {v}",
    },
    "ko": {
        "clv_12m": "향후 12개월 예상 구매액 {v}",
        "expected_spend": "주문당 예상 구매액 {v}",
        None: "{source}: {v}",
    },
}


def action_name(action: str, lang: str = "en") -> str:
    """The action in words (custom actions: their name with spaces)."""
    return ACTION_NAMES[lang].get(action, str(action).replace("_", " "))


def money(v: float, decimals: int, lang: str = "en", currency: str | None = None) -> str:
    """An amount with thousands separators, labelled with the shop's ``currency`` when it has one."""
    body = f"{v:,.{decimals}f}"
    return body if currency is None else with_currency(body, lang, currency)


def pct(p: float) -> str:
    return f"{round(p * 100):.0f}%"


def _ok(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and not pd.isna(v)


def _rhythm(r: dict, lang: str) -> str:
    d, g, ratio = int(r["days_since_last_order"]), int(r["usual_gap_days"]), r["overdue_ratio"]
    own = int(r.get("purchase_days") or 0) > 1
    if lang == "ko":
        whose = "평소" if own else "이 쇼핑몰의 평소"
        return f"마지막 주문 {d}일 전, {whose} 주문 간격 {g}일의 {ratio:.1f}배"
    whose = "their usual" if own else "the shop's usual"
    return f"last order {d} days ago, {ratio:.1f} times {whose} {g} days between orders"


def _offer(r: dict, lang: str, decimals: int, currency: str | None = None) -> str:
    action, considered = r["action"], r.get("considered_action", r["action"])
    if action != considered:
        v = money(r["considered_value"], decimals, lang, currency)
        if lang == "ko":
            return f"{action_name(considered, lang)}의 기대 가치는 {v}(비용이 절감액보다 큼): 연락하지 않음."
        return (
            f"{action_name(considered, lang)} would be worth {v} (it costs more than it saves): no contact."
        )
    if float(r["contact_cost"]) == 0 and float(r["save_rate"]) == 0:
        return "연락 필요 없음." if lang == "ko" else "No contact needed."
    saved = money(r["expected_saved_revenue"], decimals, lang, currency)
    cost = money(r["contact_cost"], decimals, lang, currency)
    ev, rate = money(r["expected_value"], decimals, lang, currency), pct(r["save_rate"])
    measured = r.get("save_rate_source") == "measured"
    if lang == "ko":
        how = "측정된" if measured else "가정한"
        return (
            f"{action_name(action, lang)}: 예상 절감액 {saved} ({how} 회복률 {rate}), 비용 {cost}, "
            f"기대 가치 {ev}."
        )
    how = "measured" if measured else "assumed"
    return (
        f"{action_name(action, lang)} is expected to save {saved} ({how} save rate {rate}) "
        f"for a cost of {cost}: worth {ev}."
    )


def reason(r: dict, lang: str, decimals: int, window_days: float | None, currency: str | None = None) -> str:
    """The sentence for one row of ``actions`` (a dict of its shown values); without
    ``window_days`` (no churn model) P(churn) is not put in words; amounts labelled with
    ``currency`` when the shop has one."""
    parts = [_rhythm(r, lang)] if _ok(r.get("days_since_last_order")) else []
    if window_days is not None and _ok(r.get("churn_probability")):
        p = pct(r["churn_probability"])
        w = f"{window_days:g}"
        parts.append(
            f"향후 {w}일 무주문 확률 {p}"
            if lang == "ko"
            else f"{p} likely to place no order in the next {w} days"
        )
    if _ok(r.get("p_alive")):
        p = pct(r["p_alive"])
        parts.append(f"아직 고객일 확률 {p}" if lang == "ko" else f"{p} likely to still be a customer")
    if _ok(r.get("value")):
        source = r.get("value_source")
        phrase = VALUE_PHRASES[lang].get(source, VALUE_PHRASES[lang][None])
        parts.append(phrase.format(v=money(r["value"], decimals, lang, currency), source=source))
    head = f"{STATE_NAMES[lang].get(r['state'], r['state'])}: " + "; ".join(parts) + "."
    return head + " " + _offer(r, lang, decimals, currency)


def reasons(
    df: pd.DataFrame, lang: str, decimals: int, window_days: float | None, currency: str | None = None
) -> pd.Series:
    """`reason` for every row of ``df``."""
    return pd.Series(
        [reason(r, lang, decimals, window_days, currency) for r in df.to_dict("records")],
        index=df.index,
        dtype=object,
    )
