"""The two periods a diagnosis compares.

By default the **current** period is the last ``bridge_months`` full calendar months of the
data and the **base** period the same number of months just before. A month is full when the
data reach its last day (the last order falls on that day or later). ``current_end_month``
(``YYYY-MM``) picks the current period's last month instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from churnlens.config import DiagnosisConfig
from churnlens.errors import DataError


def add_months(d: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``d``."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


@dataclass(frozen=True)
class Periods:
    """Half-open periods [start, end) as dates: base then current."""

    base_start: date
    base_end: date
    current_start: date
    current_end: date

    @property
    def cutoff(self) -> datetime:
        """Start of the current period: segments are computed at this time."""
        return datetime.combine(self.current_start, datetime.min.time())

    def ts(self, d: date) -> datetime:
        return datetime.combine(d, datetime.min.time())

    def label(self, which: str) -> str:
        """``2022-06..2022-07`` style label of ``base`` or ``current``."""
        s, e = (self.base_start, self.base_end) if which == "base" else (self.current_start, self.current_end)
        last = add_months(e, -1)
        a, b = f"{s:%Y-%m}", f"{last:%Y-%m}"
        return a if a == b else f"{a}..{b}"


def last_full_month(last_ts: datetime) -> date:
    """First day of the last calendar month the data cover completely."""
    day = last_ts.date()
    if (day + timedelta(days=1)).day == 1:
        return date(day.year, day.month, 1)
    return add_months(day, -1)


def periods(first_ts: datetime, last_ts: datetime, cfg: DiagnosisConfig) -> Periods:
    """The base and current periods for data spanning ``first_ts .. last_ts``."""
    n = int(cfg.bridge_months)
    if n < 1:
        raise DataError("diagnosis.bridge_months must be at least 1.", values=[n], fix="Use e.g. 2.")
    if cfg.current_end_month:
        try:
            end_month = datetime.strptime(cfg.current_end_month, "%Y-%m").date()
        except ValueError as exc:
            raise DataError(
                "diagnosis.current_end_month is not a month.",
                values=[cfg.current_end_month],
                fix="Write it as YYYY-MM, e.g. 2022-07.",
            ) from exc
    else:
        end_month = last_full_month(last_ts)
    current_end = add_months(end_month, 1)
    current_start = add_months(current_end, -n)
    base_start = add_months(current_start, -n)
    return Periods(base_start, current_start, current_start, current_end)
