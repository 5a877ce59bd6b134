"""Number, money and date formats of the dashboard and the report, in English and Korean.

The words themselves live in the catalogue, `churnlens.strings` (``strings.tr``, ``strings.column_label``,
``strings.value_label``). Numbers and dates follow the language: English groups large values as K/M/B
and writes ``Mar 2024``; Korean groups them as 만/억/조 and writes ``2024년 3월``. Money carries the
currency from the run record; a shop without prices counts items instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from churnlens import declarations, strings

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
    return strings.with_currency(fmt_compact(x, lang) if compact else fmt_number(x, lang), lang, currency)


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
