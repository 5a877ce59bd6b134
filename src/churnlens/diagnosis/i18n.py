"""Words and number formats of the findings, in English (``en``) and Korean (``ko``)."""

from __future__ import annotations

from datetime import date

from churnlens.diagnosis.periods import add_months

LANGS: tuple[str, ...] = ("en", "ko")

SEGMENT_NAMES: dict[str, dict[str, str]] = {
    "champions": {"en": "Champions", "ko": "챔피언"},
    "loyal": {"en": "Loyal", "ko": "충성 고객"},
    "potential_loyalists": {"en": "Potential loyalists", "ko": "잠재 충성 고객"},
    "new": {"en": "New", "ko": "신규"},
    "cant_lose": {"en": "Can't lose", "ko": "놓치면 안 되는 고객"},
    "at_risk": {"en": "At risk", "ko": "이탈 위험"},
    "hibernating": {"en": "Hibernating", "ko": "휴면"},
    "lost": {"en": "Lost", "ko": "이탈"},
    "new_customer": {"en": "New customers", "ko": "신규 고객"},
    "guests": {"en": "Guest orders", "ko": "비회원 주문"},
    "unscored": {"en": "Unscored", "ko": "미분류"},
}

#: What a bridge component means, as a phrase after the customers' name.
COMPONENT_PHRASES: dict[str, dict[str, str]] = {
    "new": {"en": "buying for the first time", "ko": "첫 구매"},
    "reactivated": {"en": "coming back", "ko": "재활성화"},
    "returning_more_orders": {"en": "buying more often", "ko": "더 자주 구매"},
    "returning_fewer_orders": {"en": "buying less often", "ko": "구매 빈도 감소"},
    "returning_higher_value": {"en": "spending more per order", "ko": "주문당 지출 증가"},
    "returning_lower_value": {"en": "spending less per order", "ko": "주문당 지출 감소"},
    "lost": {"en": "stopping buying", "ko": "구매 중단"},
    "guest_orders": {"en": "guest orders", "ko": "비회원 주문"},
}

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def segment_name(segment: str, lang: str) -> str:
    return SEGMENT_NAMES.get(segment, {}).get(lang, segment.replace("_", " "))


def join_names(names: list[str], lang: str) -> str:
    """``A``, ``A and B``, ``A, B and C`` (Korean: ``A, B``)."""
    if lang == "ko":
        return ", ".join(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def period_label(start: date, end: date, lang: str) -> str:
    """Months [start, end) as ``June–July 2022`` / ``2022년 6–7월``."""
    last = add_months(end, -1)
    if lang == "ko":
        if (start.year, start.month) == (last.year, last.month):
            return f"{start.year}년 {start.month}월"
        if start.year == last.year:
            return f"{start.year}년 {start.month}–{last.month}월"
        return f"{start.year}년 {start.month}월–{last.year}년 {last.month}월"
    a, b = MONTHS_EN[start.month - 1], MONTHS_EN[last.month - 1]
    if (start.year, start.month) == (last.year, last.month):
        return f"{a} {start.year}"
    if start.year == last.year:
        return f"{a}–{b} {start.year}"
    return f"{a} {start.year}–{b} {last.year}"


def pct(share: float) -> str:
    """0.163 -> ``16 %``; below 10 % one decimal (``4.2 %``)."""
    v = abs(share) * 100
    return f"{v:.0f} %" if v >= 10 else f"{v:.1f} %"


def amount(value: float, unit: str, currency: str | None, lang: str) -> str:
    """A money amount or an item count, with thousands separators."""
    text = f"{value:,.0f}"
    if unit == "items":
        return f"{text} items" if lang == "en" else f"{text}개"
    if currency:
        return f"{currency} {text}" if lang == "en" else f"{text} {currency}"
    return text


def count(n: int) -> str:
    return f"{int(n):,}"
