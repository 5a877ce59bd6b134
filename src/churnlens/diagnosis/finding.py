"""What every finding rule works with: the `Finding` it returns and the `Context` it reads
(the computed tables as DataFrames, the periods, the config, the unit and currency)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churnlens import strings
from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.formats import amount, period_label
from churnlens.diagnosis.periods import Periods

SEVERITY_ORDER = {"high": 0, "medium": 1, "info": 2}
LAPSE_PARTS = ("lost", "returning_fewer_orders")
REVENUE_IDS = ("revenue_decline", "revenue_growth", "revenue_stable")


@dataclass
class Finding:
    """One sentence in each language, the numbers behind it, and how it ranks (severity, then
    weight: the share of the change or of the measure it reports)."""

    finding_id: str
    severity: str
    weight: float
    text_en: str
    text_ko: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What the rules read: the computed tables (DataFrames), the periods compared, the config,
    the unit (``money`` or ``items``) and the currency."""

    tables: dict[str, pd.DataFrame]
    p: Periods
    config: ChurnlensConfig
    unit: str
    currency: str | None

    def money(self, v: float, lang: str) -> str:
        return amount(v, self.unit, self.currency, lang)

    def amounts(self, v: float) -> strings.Pair:
        """`money` in both languages."""
        return strings.pair(self.money(v, "en"), self.money(v, "ko"))

    def label(self, which: str, lang: str) -> str:
        p = self.p
        if which == "base":
            return period_label(p.base_start, p.base_end, lang)
        return period_label(p.current_start, p.current_end, lang)

    def labels(self, which: str) -> strings.Pair:
        """`label` of the ``base`` or ``current`` period in both languages."""
        return strings.pair(self.label(which, "en"), self.label(which, "ko"))

    def measure(self, in_text: bool = False) -> strings.Pair:
        """What is measured: revenue, or items sold for a shop without prices."""
        suffix = "_in_text" if in_text else ""
        return strings.both(f"finding_measure_{'money' if self.unit == 'money' else 'items'}{suffix}")

    @property
    def total(self) -> pd.Series:
        b = self.tables["revenue_bridge"]
        return b[b.component == "total"].iloc[0]

    @property
    def change_share(self) -> float:
        t = self.total
        return t.change_value / t.base_value if t.base_value else math.nan

    @property
    def declining(self) -> bool:
        s = self.change_share
        return not math.isnan(s) and s <= -self.config.diagnosis.decline_threshold


def scale_of(ctx: Context) -> int:
    return 100 if ctx.unit == "money" else 1


def months_between(df: pd.DataFrame, col: str, start, end) -> pd.DataFrame:
    """Rows of a monthly table whose ``col`` falls in [start, end)."""
    m = pd.to_datetime(df[col])
    return df[(m >= pd.Timestamp(start)) & (m < pd.Timestamp(end))]
