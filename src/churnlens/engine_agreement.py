"""Engine results in a form that does not depend on the engine.

DuckDB and Spark return rows in different orders and sum or average floats in different
orders, so the last bits of an aggregate differ between them. A model fitted on such rows (a
likelihood summed row by row, tree splits on a feature) turns last-bit differences into
differences in the eighth digit of its results. Rows are therefore put in one order and float
aggregates rounded to `FEATURE_DIGITS` significant digits before anything is fitted on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Significant digits the engine's float aggregates are rounded to.
FEATURE_DIGITS = 12


def round_significant(values: pd.Series, digits: int = FEATURE_DIGITS) -> pd.Series:
    """``values`` rounded to ``digits`` significant digits (missing and infinite values kept)."""
    a = values.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(a) & (np.abs(a) > 1e-200)  # a tiny value would overflow the scale
    magnitude = np.zeros_like(a)
    magnitude[finite] = np.floor(np.log10(np.abs(a[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out = np.where(finite, np.round(a * scale) / scale, a)
    return pd.Series(out, index=values.index, name=values.name)


def settled(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """``frame`` (as an engine returned it) ordered by ``key`` with its float columns rounded
    to `FEATURE_DIGITS` significant digits: the same frame from every engine."""
    out = frame.sort_values(key, kind="stable").reset_index(drop=True)
    for col in out.columns[[pd.api.types.is_float_dtype(t) for t in out.dtypes]]:
        out[col] = round_significant(out[col])
    return out
