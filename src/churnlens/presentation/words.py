"""Strings and formats of one language, for whatever shows them (a dashboard page, the report)."""

from __future__ import annotations

from typing import Any

from churnlens import strings
from churnlens.presentation import i18n


class Words:
    """Looks strings up and formats values in ``self.lang``; money in ``self.currency``.

    A mixin: the class that uses it provides the ``lang`` and ``currency`` attributes."""

    def t(self, key: str, **values: Any) -> str:
        return strings.tr(self.lang, key, **values)

    def label(self, column: str) -> str:
        return strings.column_label(self.lang, column)

    def vlabel(self, value: Any) -> str:
        return strings.value_label(self.lang, value)

    def value(self, x: Any, kind: str) -> str:
        return i18n.fmt_value(x, self.lang, kind, self.currency)
