"""Calendar-month expressions used by the behaviour stages.

A month index counts months since year 0 (``year * 12 + month - 1``), so the distance in
months between two times is a plain subtraction and works the same on every engine.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def month_start(ts: ir.Value) -> ir.DateValue:
    """First day of the month of ``ts`` (a date)."""
    return ts.truncate("M").date()


def month_index(ts: ir.Value) -> ir.IntegerValue:
    """Months since year 0 of the month of ``ts``."""
    return ts.year().cast("int64") * 12 + ts.month().cast("int64") - 1


def month_from_index(index: ir.IntegerValue) -> ir.DateValue:
    """First day of the month with month index ``index`` (inverse of `month_index`)."""
    year = (index // 12).cast("int32")
    month = (index - (index // 12) * 12 + 1).cast("int32")
    return ibis.date(year, month, ibis.literal(1, "int32"))


def elapsed_seconds(later: ir.Value, earlier: ir.Value) -> ir.FloatingValue:
    """Seconds from ``earlier`` to ``later`` with microsecond precision (a double)."""
    return later.delta(earlier, unit="microsecond").cast("float64") / 1e6
