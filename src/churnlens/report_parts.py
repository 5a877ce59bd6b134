"""Building blocks of the report's sections: strings and formats of one language, a section, a
table of a result-table frame. The template (``templates/report.html.j2``) draws them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from churnlens.presentation import i18n
from churnlens.presentation.words import Words


class Labels(Words):
    """Strings and formats of one language (also the ``ctx`` the shared chart helpers take)."""

    def __init__(self, lang: str, currency: str | None) -> None:
        self.lang = lang
        self.currency = currency


    def pct(self, x: Any) -> str:
        return i18n.fmt_pct(x, self.lang)

    def money(self, x: float) -> str:
        return i18n.fmt_money(x, self.lang, self.currency)


def section(sid: str, title: str, **parts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sid, "title": title, "caption": False}
    for key in ("paragraphs", "cards", "entries", "figures", "charts", "tables", "notes"):
        out[key] = parts.get(key) or []
    out["caption"] = bool(parts.get("caption"))
    return out


def _kind(column: str, series: pd.Series, table: str | None = None) -> str:
    """The column's format; day counts (``mean_recency_days``) are shown in whole days."""
    kind = i18n.column_kind(column, series, table)  # the table's declared kinds first
    return "count" if kind == "float" and column.endswith("_days") else kind


def table(lab: Labels, df: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Headers and cells of ``df``'s ``columns`` (those it has) in ``lab``'s language."""
    cols = [c for c in columns if c in df.columns and c not in i18n.HIDDEN_COLUMNS]
    kinds = {c: _kind(c, df[c], df.attrs.get("table")) for c in cols}
    headers = [{"text": lab.label(c), "num": kinds[c] != "text"} for c in cols]
    rows = []
    for _, r in df[cols].iterrows():
        rows.append(
            [
                {
                    "text": lab.vlabel(r[c]) if kinds[c] == "text" else lab.value(r[c], kinds[c]),
                    "num": kinds[c] != "text",
                }
                for c in cols
            ]
        )
    return {"headers": headers, "rows": rows}
