"""Number, amount and period formats of the findings, in English (``en``) and Korean (``ko``); their
words are in the catalogue (`churnlens.strings.findings`, segment names in `churnlens.strings.values`)."""

from __future__ import annotations

from datetime import date

from churnlens import strings
from churnlens.diagnosis.periods import add_months

LANGS: tuple[str, ...] = ("en", "ko")

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


def segment_name(segment: str) -> strings.Pair:
    """A segment's name in both languages (a segment the catalogue lacks: its code with spaces)."""
    if segment in strings.VALUES:
        return strings.pair(strings.value_label("en", segment), strings.value_label("ko", segment))
    return strings.pair(segment.replace("_", " "), segment.replace("_", " "))


def join_names(names: list[str], lang: str) -> str:
    """``A``, ``A and B``, ``A, B and C`` (Korean: ``A, B``)."""
    if len(names) <= 1:
        return "".join(names)
    return strings.tr(lang, "list_and", rest=", ".join(names[:-1]), last=names[-1])


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
        return strings.tr(lang, "finding_items_amount", n=text)
    if currency:
        return f"{currency} {text}" if lang == "en" else f"{text} {currency}"
    return text


def count(n: int) -> str:
    return f"{int(n):,}"
