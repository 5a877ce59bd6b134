"""Small expressions every churn feature module shares: the row key, days between two
timestamps, a ratio that is NULL when its denominator is not positive."""

from __future__ import annotations

import ibis

from churnlens.churn.labels import DAY_SECONDS, seconds

KEY = ["customer_id", "cutoff", "cohort"]


def days_between(later: ibis.Value, earlier: ibis.Value) -> ibis.Value:
    """Days between two timestamps, to the whole second on every engine."""
    return (seconds(later) - seconds(earlier)).cast("float64") / DAY_SECONDS


def ratio(num: ibis.Value, den: ibis.Value) -> ibis.Value:
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))
